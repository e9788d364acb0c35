import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(__dirname, '../..');
const tsx = pathToFileURL(require.resolve('tsx', { paths: [root] })).href;

/** The service as a real process (`src/main.ts` through tsx), with its output collected. */
export class ServiceProcess {
  readonly child: ChildProcess;
  output = '';
  private exit: Promise<number | null>;

  constructor(env: Record<string, string>, cwd = root) {
    this.child = spawn(process.execPath, ['--import', tsx, resolve(root, 'src/main.ts')], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  /** Resolves with the port from the service's "listening" log line. */
  async listening(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /"port":(\d+).*"msg":"presence service listening"/.exec(this.output);
      if (match?.[1]) return Number(match[1]);
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`service did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  exited(): Promise<number | null> {
    return this.exit;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null) this.child.kill(signal);
  }
}
