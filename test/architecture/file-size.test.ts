import { resolve } from 'node:path';
import { readSourceTree, type SourceFile } from './layer-rule.checker';

const MAX_LINES = 250;

/** Files over the limit, generated code aside (the OpenAPI types are written by `npm run generate`). */
function oversized(files: readonly SourceFile[]): string[] {
  return files
    .filter((file) => !file.path.includes('/generated/'))
    .map((file) => ({ path: file.path, lines: file.text.split('\n').length - (file.text.endsWith('\n') ? 1 : 0) }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ path, lines }) => `${path}: ${lines} lines`);
}

describe(`no source file is over ${MAX_LINES} lines (small, named pieces)`, () => {
  it('holds for every file in src/', () => {
    expect(oversized(readSourceTree(resolve(__dirname, '../../src')))).toEqual([]);
  });

  it(`names a file of ${MAX_LINES + 1} lines, and lets generated code and a file of ${MAX_LINES} through`, () => {
    const lines = (n: number) => 'x\n'.repeat(n);
    expect(
      oversized([
        { path: 'a.ts', text: lines(MAX_LINES + 1) },
        { path: 'b.ts', text: lines(MAX_LINES) },
        { path: 'adapters/http/generated/c.ts', text: lines(1_000) },
      ]),
    ).toEqual([`a.ts: ${MAX_LINES + 1} lines`]);
  });
});
