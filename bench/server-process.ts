import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * With BENCH_CPU_PROF=dir, a server writes a V8 CPU profile there when it exits; with BENCH_TRACE_GC=1, its
 * collections are printed to the benchmark's stderr; BENCH_NODE_FLAGS adds any other flags (`--trace-gc-nvp`,
 * `--inspect=127.0.0.1:0`).
 */
function diagnosticFlags(): string[] {
  const profile = process.env['BENCH_CPU_PROF'];
  return [
    ...(process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...(process.env['BENCH_TRACE_GC'] ? ['--trace-gc'] : []),
  ];
}

/** Whether the servers print their collections, which then go to the benchmark's stderr. */
const tracesGc = Boolean(process.env['BENCH_TRACE_GC'] || process.env['BENCH_NODE_FLAGS']?.includes('--trace-gc'));

/** BENCH_SERVICE_ENV: settings (a JSON object) added to the service's environment, over any a stage sets: a variant. */
function extraServiceEnv(): Record<string, string> {
  return JSON.parse(process.env['BENCH_SERVICE_ENV'] ?? '{}') as Record<string, string>;
}

/** A server under test as its own process: the built service, or the bare Socket.IO ceiling. */
export class ServerProcess {
  readonly child: ChildProcess;
  private output = '';

  private constructor(
    command: string[],
    env: Record<string, string>,
    /** Whether it serves /metrics (the bare ceiling does not). */
    readonly hasMetrics: boolean,
  ) {
    this.child = spawn(process.execPath, command, {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (tracesGc) process.stderr.write(chunk);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** The built service: this checkout's, or another build's `dist/main.js`. */
  static service(env: Record<string, string>, main = resolve(__dirname, '../dist/main.js')): ServerProcess {
    return new ServerProcess([...diagnosticFlags(), main], { PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env, ...extraServiceEnv() }, true);
  }

  /** `broadcast`: the bare server also broadcasts each announcement to every client (the §1 fan-out ceiling). */
  static bare(options: { broadcast?: boolean } = {}): ServerProcess {
    return new ServerProcess([...diagnosticFlags(), '--import', 'tsx', resolve(__dirname, 'bare-server.ts')], { PORT: '0', ...(options.broadcast ? { BARE_BROADCAST: '1' } : {}) }, false);
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
