import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import { serveKoa } from './adapters/http/http-server';
import { describePostgresTarget } from './adapters/postgres/postgres-pool';
import { describeSupabaseTarget } from './adapters/supabase/supabase-last-seen.repository';
import type { Config } from './config';
import { TOKENS } from './tokens';

/** Which store and persistence are in use and where, without credentials. */
function describeBackends(config: Config): { store: string; persistence: string } {
  const p = config.persistence;
  const persistence =
    p.kind === 'postgres' ? `postgres ${describePostgresTarget(p.url)}` : p.kind === 'supabase' ? `supabase ${describeSupabaseTarget(p.url)}` : 'memory';
  const store = config.store.kind === 'redis' ? `redis ${new URL(config.store.url).host} prefix ${config.store.keyPrefix}` : 'memory';
  return { store, persistence };
}

/** The running service: what `main` starts and stops, and what end-to-end tests start on an ephemeral port. */
export class PresenceApp {
  private closing: Promise<void> | undefined;

  constructor(readonly container: Container) {}

  async start(port: number): Promise<number> {
    const c = this.container;
    const logger = c.get(TOKENS.Logger);
    const http = c.get(TOKENS.HttpServer);
    c.get(TOKENS.SocketGateway).attach();
    serveKoa(http, c.get(TOKENS.HttpApp));
    for (const part of c.get(TOKENS.Lifecycle)) await part.start();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const bound = (http.address() as AddressInfo).port;
    const config = c.get(TOKENS.Config);
    logger.info(
      { port: bound, ...describeBackends(config), auth: config.auth !== null, origins: config.allowedOrigins },
      'presence service listening',
    );
    if (config.auth === null) {
      logger.warn('JWT_ACCESS_SECRET is not set: sockets are not authenticated and any client can speak for any user');
    }
    return bound;
  }

  /**
   * Stops taking connections, closes every socket and handles their disconnects, then stops the rest in reverse
   * order of starting (flushing last_seen on the way). Safe to call twice.
   */
  stop(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const c = this.container;
    const io = c.get(TOKENS.SocketServer);
    await new Promise<void>((resolve) => {
      void io.close(() => resolve());
    });
    await c.get(TOKENS.SocketGateway).drain();
    const logger = c.get(TOKENS.Logger);
    for (const part of [...c.get(TOKENS.Lifecycle)].reverse()) {
      try {
        await part.stop();
      } catch (error) {
        logger.error({ err: error, part: part.name }, 'stopping failed');
      }
    }
    logger.info('presence service stopped');
  }
}
