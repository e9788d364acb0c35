/** Checks every source file of a src/ tree against the layer table, and says each import that breaks it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { moduleReferences } from './module-references.reader';
import { isBuiltin, layerOf, mayImport, targetOf } from './layers.table';

export interface SourceFile {
  /** Relative to src/, with `/`. */
  readonly path: string;
  readonly text: string;
}

/** Every `.ts` file under `root`, as paths relative to it. */
export function readSourceTree(root: string): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
    );
  return walk(root).map((file) => ({ path: relative(root, file).split(sep).join('/'), text: readFileSync(file, 'utf8') }));
}

/** One line per broken rule: `file:line (layer) imports 'specifier' (layer)`, or a file that is in no layer. */
export function layerViolations(files: readonly SourceFile[]): string[] {
  return files.flatMap((file) => {
    const from = layerOf(file.path);
    if (from === 'unplaced') return [`${file.path} is in no layer`];
    return moduleReferences(file.path, file.text).flatMap(({ specifier, line }) => {
      const to = targetOf(file.path, specifier);
      if (mayImport(from, to)) return [];
      const what = to === 'package' && isBuiltin(specifier as string) ? 'node built-in' : to;
      return [`${file.path}:${line} (${from}) imports ${specifier === null ? 'a computed specifier' : `'${specifier}'`} (${what})`];
    });
  });
}
