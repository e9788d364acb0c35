import { execSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execForm, readDockerfile, type Stage } from '../support/dockerfile';

const root = resolve(__dirname, '../..');
const stages = readDockerfile(join(root, 'Dockerfile'));
const runtime = stages[stages.length - 1] as Stage;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('the Dockerfile', () => {
  it('builds in one stage and runs from a slim one, on pinned base images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/);
    expect(runtime.from).toMatch(/slim|alpine|distroless/);
  });

  it('runs as a user that is not root, installs only production dependencies, and checks /health', () => {
    const user = all(runtime, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(all(runtime, 'RUN').some((r) => r.args.includes('npm ci --omit=dev'))).toBe(true);
    expect(all(runtime, 'HEALTHCHECK').at(-1)?.args).toMatch(/\/health/);
    expect(all(runtime, 'STOPSIGNAL').at(-1)?.args).toBe('SIGTERM');
    expect(execForm(all(runtime, 'CMD').at(-1)?.args ?? '')).toEqual(['node', 'dist/main.js']);
  });

  it('leaves secrets and build output out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.env', 'dist', '.git']) expect(ignored).toContain(entry);
  });
});

/**
 * The image's own build and start commands, run outside Docker (no engine here): each stage's COPY and RUN in a
 * folder of its own, then the runtime stage's CMD with its ENV, probed with its HEALTHCHECK and stopped with its
 * STOPSIGNAL.
 */
describe('the image, built and started by its own commands outside Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'presence-image-'));
  const folderOf = new Map<string, string>();

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const materialize = (stage: Stage, index: number): { dir: string; env: Record<string, string> } => {
    const dir = join(work, stage.name ?? `stage${index}`);
    mkdirSync(dir, { recursive: true });
    const env: Record<string, string> = {};
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) env[k as string] = v as string;
      if (keyword === 'COPY') {
        const words = args.split(/\s+/);
        const fromStage = words[0]?.startsWith('--from=') ? words.shift()?.slice('--from='.length) : undefined;
        const destination = words.pop() as string;
        for (const source of words) {
          const from = fromStage ? join(folderOf.get(fromStage) as string, source.replace(/^\/app\/?/, '')) : join(root, source);
          const target = destination.endsWith('/') || words.length > 1 ? join(dir, destination, source.split('/').pop() as string) : join(dir, destination);
          cpSync(from, target, { recursive: true });
        }
      }
      // `--mount=…` is Docker's, not the shell's: outside Docker the machine's own npm cache stands in for it.
      if (keyword === 'RUN') execSync(args.replace(/^(--mount=\S+\s+)+/, ''), { cwd: dir, stdio: 'pipe', env: { ...process.env, ...env } });
    }
    if (stage.name) folderOf.set(stage.name, dir);
    return { dir, env };
  };

  it('builds, starts, answers its health check, and stops cleanly on its stop signal', async () => {
    stages.slice(0, -1).forEach((stage, i) => materialize(stage, i));
    const { dir, env } = materialize(runtime, stages.length - 1);
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(dir, 'dist', 'main.js'))).toBe(true);

    const [command, ...args] = execForm(all(runtime, 'CMD').at(-1)?.args ?? '');
    const runtimeEnv = { PATH: process.env['PATH'] ?? '', ...env, PORT: '0', JWT_ACCESS_SECRET: 'image-test-secret-of-at-least-32-bytes' };
    const child = spawn(command as string, args, { cwd: dir, env: runtimeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 20_000;
      let port: string | undefined;
      while (!(port = /"port":(\d+)/.exec(output)?.[1]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(port).toBeDefined();

      const health = execForm(all(runtime, 'HEALTHCHECK').at(-1)?.args.replace(/^.*?CMD\s+/, '') ?? '');
      const probe = spawnSync(health[0] as string, health.slice(1), { env: { ...runtimeEnv, PORT: port as string }, encoding: 'utf8' });
      expect(probe.status).toBe(0);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/client/presence-client.js`)).status).toBe(200);

      child.kill((all(runtime, 'STOPSIGNAL').at(-1)?.args ?? 'SIGTERM') as NodeJS.Signals);
      expect(await exited).toBe(0);
      expect(output).toContain('presence service stopped');
    } finally {
      child.kill('SIGKILL');
    }
  }, 240_000);
});
