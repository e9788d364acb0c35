import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** A server under test as its own process: the built service, or the bare Socket.IO ceiling. */
export class ServerProcess {
  readonly child: ChildProcess;
  private output = '';

  private constructor(command: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, command, {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** The built service. With BENCH_CPU_PROF=dir set, it writes a V8 CPU profile there when it exits. */
  static service(env: Record<string, string>): ServerProcess {
    const profile = process.env['BENCH_CPU_PROF'];
    const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    return new ServerProcess([...flags, resolve(__dirname, '../dist/main.js')], { PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env });
  }

  static bare(): ServerProcess {
    return new ServerProcess([...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []), '--import', 'tsx', resolve(__dirname, 'bare-server.ts')], { PORT: '0' });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async url(): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const port = /"port":(\d+)/.exec(this.output)?.[1];
      if (port) return `http://127.0.0.1:${port}`;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** One sample of a Prometheus metric from the service's /metrics (sum over label sets matching the filter). */
export async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
