import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ClientSpec, Command } from './load-worker';

/** Several client processes, each holding a share of the connections, driven together. */
export class ClientFleet {
  private readonly workers: ChildProcess[];

  constructor(count: number) {
    this.workers = Array.from({ length: count }, () =>
      fork(resolve(__dirname, 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
  }

  /** Sends the command to every worker (or one) and resolves with their replies. */
  ask<T>(command: Command, only?: number): Promise<T[]> {
    const targets = only === undefined ? this.workers : [this.workers[only] as ChildProcess];
    return Promise.all(
      targets.map(
        (worker) =>
          new Promise<T>((resolveReply) => {
            worker.once('message', (reply) => resolveReply(reply as T));
            worker.send(command);
          }),
      ),
    );
  }

  /**
   * Spreads the clients over the workers, round robin, and connects them; with `spreadAddresses`, worker w's from
   * 127.0.0.(w + 2), so that no source address runs out of ephemeral ports.
   */
  async connect(url: string, clients: readonly ClientSpec[], listen: 'status' | 'mirror' | 'none', spreadAddresses = false): Promise<void> {
    const shares = this.workers.map((_, w) => clients.filter((_, i) => i % this.workers.length === w));
    await Promise.all(
      shares.map((share, w) => this.ask({ cmd: 'connect', url, clients: share, listen, ...(spreadAddresses ? { localAddress: `127.0.0.${w + 2}` } : {}) }, w)),
    );
  }

  get size(): number {
    return this.workers.length;
  }

  /** The workers' process ids (to pin them to a core). */
  get pids(): number[] {
    return this.workers.map((worker) => worker.pid as number);
  }

  /** Closes every connection and waits for the workers to exit, so that the next measurement has the machine. */
  async close(): Promise<void> {
    await this.ask({ cmd: 'close' });
    await Promise.all(
      this.workers.map((worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit()));
        worker.kill();
        return exited;
      }),
    );
  }
}
