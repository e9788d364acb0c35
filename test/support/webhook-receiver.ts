import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedBatch {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: string;
  readonly events: Array<Record<string, unknown>>;
}

/**
 * A real HTTP receiver of webhooks for tests: it records each batch it acknowledges, and can be told to answer 503,
 * to hang (no answer), or to be down (its port closed), to play a receiver's outages.
 */
export class WebhookReceiver {
  readonly accepted: ReceivedBatch[] = [];
  attempts = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private server: http.Server | undefined;
  private port = 0;
  private waiters: Array<() => void> = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.attempts += 1;
        if (this.mode === 'hang') return;
        if (this.mode === 'fail') {
          res.writeHead(503).end();
          this.wake();
          return;
        }
        const header = (name: string) => req.headers[name] as string | undefined;
        this.accepted.push({ timestamp: header('x-presence-timestamp'), signature: header('x-presence-signature'), body, events: JSON.parse(body).events });
        res.writeHead(204).end();
        this.wake();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes the port: attempts meet a refused connection until `start` again on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restart(): Promise<void> {
    return this.start(this.port);
  }

  /** Every event acknowledged, deduplicated by seq, in the order received. */
  events(): Array<Record<string, unknown>> {
    const seen = new Set<unknown>();
    return this.accepted.flatMap((b) => b.events).filter((e) => (seen.has(e['seq']) ? false : (seen.add(e['seq']), true)));
  }

  async waitFor(predicate: (receiver: WebhookReceiver) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; accepted ${JSON.stringify(this.events())}, ${this.attempts} attempts`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
