/**
 * Every module a TypeScript file refers to, read with the compiler's own parser: imports (type-only ones too),
 * `export … from`, `import x = require()`, `require()`, dynamic `import()` and `import('…')` types.
 */
import ts from 'typescript';

/** What a file refers to: the specifier as written, or `null` where it is computed and cannot be checked. */
export interface ModuleReference {
  readonly specifier: string | null;
  readonly line: number;
}

function literalText(node: ts.Node | undefined): string | null {
  return node !== undefined && ts.isStringLiteralLike(node) ? node.text : null;
}

export function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleReference[] = [];
  const add = (node: ts.Node, specifier: string | null): void => {
    found.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, literalText(node.moduleSpecifier));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) add(node, literalText(node.moduleSpecifier));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literalText(node.moduleReference.expression));
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || isRequire(node.expression))) {
      add(node, literalText(node.arguments[0]));
    } else if (ts.isImportTypeNode(node)) {
      add(node, ts.isLiteralTypeNode(node.argument) ? literalText(node.argument.literal) : null);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isRequire(callee: ts.Expression): boolean {
  return ts.isIdentifier(callee) && callee.text === 'require';
}
