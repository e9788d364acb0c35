import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** A client process of the abuse benchmark (a file in this folder), asked one command at a time over IPC. */
export class ForkedWorker<Command> {
  private readonly child: ChildProcess;

  constructor(file: string) {
    this.child = fork(resolve(__dirname, file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  ask<T>(command: Command): Promise<T> {
    return new Promise<T>((resolveReply, reject) => {
      const exited = (code: number | null): void => reject(new Error(`worker ${this.pid} exited (${code}) before answering ${JSON.stringify(command).slice(0, 80)}`));
      this.child.once('exit', exited);
      this.child.once('message', (reply) => {
        this.child.off('exit', exited);
        resolveReply(reply as T);
      });
      this.child.send(command as object);
    });
  }

  /** Kills the process and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => this.child.once('exit', () => resolveExit()));
    this.child.kill();
    await exited;
  }
}

/** Pins a process, every thread of it, to the given CPUs (`taskset` list syntax, e.g. `0` or `0,1`). */
export function pinToCpus(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
