import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/**
 * `npm run build` in a copy of the project that holds only the client's sources (a small tree that `tsc` and the
 * client build both read), so that a full build costs a couple of seconds and the real dist/ is left alone.
 */
describe('npm run build', () => {
  const work = mkdtempSync(join(tmpdir(), 'presence-build-'));
  const outputs = {
    compiled: join(work, 'dist/client/presence-client.js'),
    browser: join(work, 'dist/public/client/presence-client.js'),
    node: join(work, 'dist/client/presence-client.mjs'),
  };
  const mtimes = () => Object.fromEntries(Object.entries(outputs).map(([name, path]) => [name, statSync(path).mtimeMs]));
  const build = () => {
    const run = spawnSync('npm', ['run', '--silent', 'build'], { cwd: work, encoding: 'utf8' });
    expect({ status: run.status, output: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
  };
  const tscStatus = () =>
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--build', 'tsconfig.build.json', '--dry', '--verbose'], { cwd: work, encoding: 'utf8' }).stdout;

  beforeAll(() => {
    for (const path of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-client.mjs', 'src/client', 'src/protocol']) {
      cpSync(join(root, path), join(work, path), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    build();
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes nothing when nothing changed', () => {
    const before = mtimes();
    expect(tscStatus()).toMatch(/is up to date/);
    build();
    expect(mtimes()).toEqual(before);
  }, 60_000);

  it('compiles and bundles again an edited source', () => {
    // The last build ten seconds ago, so that the edit is newer than it whatever the clock's resolution.
    const past = new Date(Date.now() - 10_000);
    for (const path of [...Object.values(outputs), join(work, 'dist/tsconfig.build.tsbuildinfo')]) utimesSync(path, past, past);
    const before = mtimes();
    appendFileSync(join(work, 'src/client/presence-client.ts'), '\n// edited\n');
    build();
    const after = mtimes();
    for (const name of Object.keys(outputs)) expect(after[name]).toBeGreaterThan(before[name] as number);
  }, 60_000);

  it('bundles again when a bundle is gone, and leaves the compiled files alone', () => {
    const before = mtimes();
    rmSync(outputs.node);
    build();
    const after = mtimes();
    expect(existsSync(outputs.node)).toBe(true);
    expect(after['compiled']).toBe(before['compiled']);
  }, 60_000);

  it('bundles again when tsconfig.json changed: esbuild reads it, but does not list it among its inputs', () => {
    const before = mtimes();
    const later = new Date(Math.max(before['browser'] as number, before['node'] as number) + 2_000);
    utimesSync(join(work, 'tsconfig.json'), later, later);
    build();
    const after = mtimes();
    expect(after['browser']).toBeGreaterThan(before['browser'] as number);
    expect(after['node']).toBeGreaterThan(before['node'] as number);
  }, 60_000);

  it('builds everything again after dist/ is deleted: what tsc knows of the last build is deleted with it', () => {
    rmSync(join(work, 'dist'), { recursive: true });
    expect(tscStatus()).not.toMatch(/is up to date/);
    build();
    for (const path of Object.values(outputs)) expect(existsSync(path)).toBe(true);
  }, 60_000);
});
