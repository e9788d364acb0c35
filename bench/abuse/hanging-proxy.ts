import { connect, createServer, type Server, type Socket } from 'node:net';

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server that can be made to hang: while hung it still accepts
 * connections but forwards nothing either way, on old connections or new ones (a database that stopped answering
 * without closing anything, which no error or reset reveals). Released, it forwards again what waited.
 */
export class HangingProxy {
  private readonly server: Server;
  private readonly links = new Set<Link>();
  private hung = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      const link: Link = { client, upstream: undefined };
      this.links.add(link);
      client.on('error', () => client.destroy());
      client.on('close', () => {
        link.upstream?.destroy();
        this.links.delete(link);
      });
      if (this.hung) client.pause();
      else this.forward(link);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  hang(): void {
    this.hung = true;
    for (const { client, upstream } of this.links) {
      client.unpipe();
      upstream?.unpipe();
      client.pause();
      upstream?.pause();
    }
  }

  release(): void {
    this.hung = false;
    for (const link of this.links) {
      if (link.upstream === undefined) this.forward(link);
      else {
        link.client.pipe(link.upstream);
        link.upstream.pipe(link.client);
      }
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.links) {
      client.destroy();
      upstream?.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(link: Link): void {
    const upstream = connect(this.targetPort, this.targetHost);
    link.upstream = upstream;
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => link.client.destroy());
    link.client.pipe(upstream);
    upstream.pipe(link.client);
  }
}
