/**
 * Checks a Mermaid diagram of the code drawn in the README: every class or type it names (a PascalCase word of two
 * parts or more) is defined in src/, every `name.module` is a composition module, every `file.ts` exists in src/,
 * and every call it shows (`update(`) is a call some file in src/ makes or defines. A diagram cannot go on naming
 * what was renamed or removed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const kinds = new Set(['flowchart', 'sequenceDiagram']);

function sourcesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesOf(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function mermaidProblems(code: string, root: string): string[] {
  const kind = code.trim().split(/\s/)[0] ?? '';
  if (!kinds.has(kind)) return [`a ${kind || 'blank'} diagram: only ${[...kinds].join(', ')} are checked`];
  const files = sourcesOf(join(root, 'src'));
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  const fileNames = new Set(files.map((file) => basename(file)));
  const problems: string[] = [];
  const unique = (pattern: RegExp): string[] => [...new Set([...code.matchAll(pattern)].map((m) => m[1] as string))];
  for (const name of unique(/\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\b/g)) {
    if (!new RegExp(`\\b(class|interface|type|function|const)\\s+${name}\\b`).test(text)) problems.push(`${name} is defined nowhere in src/`);
  }
  for (const module of unique(/\b([\w-]+)\.module\b/g)) {
    if (!fileNames.has(`${module}.module.ts`)) problems.push(`${module}.module is not a module in src/composition/`);
  }
  for (const file of unique(/\b([\w.-]+\.ts)\b/g)) if (!fileNames.has(file) && !file.endsWith('.module.ts')) problems.push(`${file} is not in src/`);
  for (const call of unique(/\b([a-z][A-Za-z]+)\(/g)) if (!text.includes(`${call}(`)) problems.push(`${call}( is called or defined nowhere in src/`);
  return problems;
}
