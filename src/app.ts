import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import type { Config } from './config';
import { describePostgresTarget } from './adapters/postgres/postgres-pool';
import { describeSupabaseTarget } from './adapters/supabase/supabase-last-seen.repository';
import { TOKENS } from './tokens';

/** How long a clean shutdown keeps trying to flush last_seen: inside the 10 s a SIGTERM allows. */
const PERSISTENCE_DRAIN_MS = 5_000;

/** Which persistence is in use and where, without credentials. */
function describePersistence(config: Config): string {
  const p = config.persistence;
  if (p.kind === 'postgres') return `postgres ${describePostgresTarget(p.url)}`;
  if (p.kind === 'supabase') return `supabase ${describeSupabaseTarget(p.url)}`;
  return 'memory';
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
    c.get(TOKENS.HttpApp);
    c.get(TOKENS.Sweeper).start();
    c.get(TOKENS.LastSeen).start();
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
      {
        port: bound,
        store: config.store,
        persistence: describePersistence(config),
        auth: config.auth !== null,
        origins: config.allowedOrigins,
      },
      'presence service listening',
    );
    if (config.auth === null) {
      logger.warn('JWT_ACCESS_SECRET is not set: sockets are not authenticated and any client can speak for any user');
    }
    return bound;
  }

  /** Stops taking connections, stops sweeping, closes every socket and the server. Safe to call twice. */
  stop(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const c = this.container;
    await c.get(TOKENS.Sweeper).stop();
    const io = c.get(TOKENS.SocketServer);
    await new Promise<void>((resolve) => {
      void io.close(() => resolve());
    });
    const logger = c.get(TOKENS.Logger);
    const left = await c.get(TOKENS.LastSeen).stop(PERSISTENCE_DRAIN_MS);
    if (left > 0) logger.error({ users: left }, 'last_seen writes could not be flushed before shutdown');
    await c.get(TOKENS.LastSeenRepository).close();
    logger.info('presence service stopped');
  }
}
