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
    const left = expiresAt - this.clock.now();
    const timer = setTimeout(
      () => {
        if (expiresAt - this.clock.now() > 0) {
          this.watch(socket);
          return;
        }
        socket.emit('presenceError', { event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' });
        socket.disconnect(true);
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }
}
