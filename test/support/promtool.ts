import { spawn } from 'node:child_process';

export interface PromtoolVerdict {
  readonly exitCode: number | null;
  /** What promtool printed, stdout and stderr together: its complaints, one a line. */
  readonly output: string;
}

/** Pipes a Prometheus exposition to `promtool check metrics` (Debian's `prometheus` package; `.ci/run` installs it). */
export function promtoolCheckMetrics(exposition: string): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`promtool could not run (is Debian's prometheus package installed?): ${error.message}`)));
    child.once('close', (exitCode) => resolve({ exitCode, output }));
    // A promtool that is missing or stops reading early is reported by 'error' or 'close'; the pipe's own error is not news.
    child.stdin.on('error', () => undefined);
    child.stdin.end(exposition);
  });
}
