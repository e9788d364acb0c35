import type { Clock } from '../../domain/ports/clock.port';
import type { PresenceSocket } from './socket.types';

/** Node's timers hold at most about 24.8 days; a longer-lived token is re-armed. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection outlives its token only until the token expires: then it is told (`UNAUTHORIZED`), and closed. */
export class TokenExpiry {
  constructor(private readonly clock: Clock) {}

  watch(socket: PresenceSocket): void {
    const expiresAt = socket.data.tokenExpiresAt;
    if (expiresAt === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(
        () => {
          if (expiresAt - this.clock.now() > 0) return arm();
          socket.emit('presenceError', { event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' });
          socket.disconnect(true);
        },
        Math.max(0, Math.min(expiresAt - this.clock.now(), MAX_TIMER_MS)),
      );
      timer.unref();
    };
    arm();
    socket.once('disconnect', () => clearTimeout(timer));
  }
}
