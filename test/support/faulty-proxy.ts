import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with what a client sends: passes it on, now or late; holds it (a hung server: nothing is lost,
 * it goes on in order once forwarding resumes, as TCP would); or answers each chunk with garbage and passes nothing on.
 */
export type ProxyMode =
  | { readonly kind: 'forward' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'garbage'; readonly reply: () => Buffer }
  | { readonly kind: 'slow'; readonly delayMs: number };

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  /** What each side sent while the proxy hung, in order. */
  readonly held: Buffer[];
  readonly heldReplies: Buffer[];
}

/** A TCP proxy on 127.0.0.1 in front of a real server that a test can make hang or answer with garbage. */
export class FaultyProxy {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private mode: ProxyMode = { kind: 'forward' };
  /** Chunks answered with garbage so far. */
  garbageSent = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  forward(): void {
    this.mode = { kind: 'forward' };
    for (const link of this.links) {
      for (const chunk of link.held.splice(0)) link.upstream.write(chunk);
      for (const chunk of link.heldReplies.splice(0)) link.client.write(chunk);
    }
  }

  hang(): void {
    this.mode = { kind: 'hang' };
  }

  /** Passes everything on, each chunk `delayMs` late: a server that answers, slowly. */
  slow(delayMs: number): void {
    this.mode = { kind: 'slow', delayMs };
  }

  /** Answers every chunk a client sends with `reply` (a fixed string, or a function for random bytes). */
  garble(reply: string | (() => Buffer)): void {
    this.mode = { kind: 'garbage', reply: typeof reply === 'string' ? () => Buffer.from(reply, 'latin1') : reply };
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.links) {
      client.destroy();
      upstream.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const link: Link = { client, upstream, held: [], heldReplies: [] };
    this.links.add(link);
    const end = (): void => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    client.on('data', (chunk: Buffer) => {
      const mode = this.mode;
      if (mode.kind === 'forward') upstream.write(chunk);
      else if (mode.kind === 'slow') setTimeout(() => upstream.write(chunk), mode.delayMs);
      else if (mode.kind === 'hang') link.held.push(chunk);
      else {
        this.garbageSent += 1;
        client.write(mode.reply());
      }
    });
    // Replies to what was passed on reach the client, in garbage mode too; while the server hangs they wait.
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode.kind === 'hang') link.heldReplies.push(chunk);
      else client.write(chunk);
    });
  }
}
