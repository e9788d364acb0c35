import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const domainRoot = resolve(__dirname, '../../../src/domain');
const forbiddenGlobals = new Set(['Date', 'setTimeout', 'setInterval', 'setImmediate', 'process', 'require', 'globalThis', 'performance']);

/** `x.Date` or `{ Date: 1 }` name a member, not the global. */
function isMemberName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every import from outside the domain and every use of a forbidden global in one file, as `file: what`. */
function impurities(file: string, text: string = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const name = relative(domainRoot, file);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = node.moduleSpecifier.text;
      const inside = target.startsWith('.') && !relative(domainRoot, resolve(dirname(file), target)).startsWith('..');
      if (!inside) found.push(`${name}: imports ${target}`);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found.push(`${name}: dynamic import`);
    if (ts.isIdentifier(node) && forbiddenGlobals.has(node.text) && !isMemberName(node)) {
      found.push(`${name}: uses ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the domain', () => {
  const files = sourceFiles(domainRoot);

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('imports nothing from outside src/domain and reads no clock, timer, environment or module loader', () => {
    expect(files.flatMap((file) => impurities(file))).toEqual([]);
  });

  it('is caught when it does import a framework or read the wall clock', () => {
    const probe = join(domainRoot, 'probe.ts');
    expect(impurities(probe, "import { Server } from 'socket.io';")).toEqual(['probe.ts: imports socket.io']);
    expect(impurities(probe, "import x from '../adapters/memory/x';")).toEqual(['probe.ts: imports ../adapters/memory/x']);
    expect(impurities(probe, 'export const t = Date.now();')).toEqual(['probe.ts: uses Date']);
    expect(impurities(probe, "export const e = process.env['X'];")).toEqual(['probe.ts: uses process']);
  });
});
