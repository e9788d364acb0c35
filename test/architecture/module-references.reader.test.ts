import { moduleReferences } from './module-references.reader';

describe('moduleReferences', () => {
  it('finds every way a file can depend on a module, type-only ones included', () => {
    const text = [
      "import { a } from './static';",
      "import type { B } from './type-only';",
      "import './side-effect';",
      "export { c } from './re-export';",
      "export * from './star';",
      "import d = require('./import-equals');",
      "const e = require('./required');",
      "const f = () => import('./dynamic');",
      "let g: typeof import('./import-type');",
      "let h: import('./import-type-member').H;",
    ].join('\n');
    expect(moduleReferences('probe.ts', text)).toEqual([
      { specifier: './static', line: 1 },
      { specifier: './type-only', line: 2 },
      { specifier: './side-effect', line: 3 },
      { specifier: './re-export', line: 4 },
      { specifier: './star', line: 5 },
      { specifier: './import-equals', line: 6 },
      { specifier: './required', line: 7 },
      { specifier: './dynamic', line: 8 },
      { specifier: './import-type', line: 9 },
      { specifier: './import-type-member', line: 10 },
    ]);
  });

  it('reports a computed specifier instead of skipping it', () => {
    expect(moduleReferences('probe.ts', 'const m = require(name); const n = import(`./${name}`);')).toEqual([
      { specifier: null, line: 1 },
      { specifier: null, line: 1 },
    ]);
  });

  it('does not take a local export, a string or a property named require for a dependency', () => {
    const text = "export const x = 1; export { x as y }; const s = 'import(\"./no\")'; const o = { require: (p: string) => p }; o.require('./no');";
    expect(moduleReferences('probe.ts', text)).toEqual([]);
  });
});
