/**
 * Checks a file tree drawn in the README (`src/`, indented children, a description after each name): every file
 * and folder it names exists. Names are the words before the description that look like paths (with a `.` or
 * ending in `/`); `a/b.ts, c.ts` names `a/b.ts` and `a/c.ts`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const looksLikePath = (word: string): boolean => /^[\w.\-/]+$/.test(word) && (word.includes('.') || word.endsWith('/'));

/** The folder part of a name, with its slash (`cli/smoke.ts` → `cli/`, `postgres/` → ``). */
const folderOf = (name: string): string => name.replace(/\/$/, '').replace(/[^/]*$/, '');

export function fileTreeProblems(code: string, root: string): string[] {
  const problems: string[] = [];
  const parents: Array<{ indent: number; folder: string }> = [];
  for (const line of code.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const words = line.trim().split(/\s+/);
    const names: string[] = [];
    for (const word of words) {
      const name = word.replace(/,$/, '');
      if (!looksLikePath(name)) break;
      names.push(name);
      if (!word.endsWith(',') && !name.endsWith('/')) break;
    }
    // A line that names nothing carries on the description above it.
    if (names.length === 0) continue;
    while (parents.length > 0 && (parents.at(-1) as { indent: number }).indent >= indent) parents.pop();
    const parent = parents.at(-1)?.folder ?? '';
    const siblingsIn = parent + folderOf(names[0] as string);
    names.forEach((name, i) => {
      const path = i === 0 || name.replace(/\/$/, '').includes('/') ? parent + name : siblingsIn + name;
      const full = join(root, path);
      if (!existsSync(full)) problems.push(`${path} does not exist`);
      else if (path.endsWith('/') !== statSync(full).isDirectory()) problems.push(`${path} is ${path.endsWith('/') ? 'not a folder' : 'a folder'}`);
    });
    if (names.length === 1 && (names[0] as string).endsWith('/')) parents.push({ indent, folder: parent + (names[0] as string) });
  }
  return problems;
}
