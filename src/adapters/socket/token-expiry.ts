import { DeadlineQueue } from '../../application/deadline-queue';
import type { Clock } from '../../domain/ports/clock.port';
import type { PresenceSocket } from './socket.types';

/** Node's timers hold at most about 24.8 days; a longer wait is made of several. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A connection outlives its token only until the token expires: then it is told (`UNAUTHORIZED`), and closed. Every
 * connection's expiry is in one queue under one timer, set for the earliest: a connection costs a queue entry, not
 * a timer of its own. The clock decides, not the timer alone: a timer that fires early waits again.
 */
export class TokenExpiry {
  private readonly expiries = new DeadlineQueue<PresenceSocket>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer is set for, by the clock (infinity: none). */
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  watch(socket: PresenceSocket): void {
    const expiresAt = socket.data.tokenExpiresAt;
    if (expiresAt === undefined) return;
    this.expiries.schedule(socket, expiresAt);
    socket.once('disconnect', () => {
      this.expiries.remove(socket);
      if (this.expiries.size === 0) this.clear();
    });
    this.plan();
  }

  private plan(): void {
    const first = this.expiries.first();
    if (first === undefined) return this.clear();
    if (first.deadline >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = first.deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.min(first.deadline - this.clock.now(), MAX_TIMER_MS)));
    this.timer.unref();
  }

  private expire(): void {
    this.wakeAt = Number.POSITIVE_INFINITY;
    this.timer = undefined;
    const now = this.clock.now();
    for (let first = this.expiries.first(); first !== undefined && first.deadline <= now; first = this.expiries.first()) {
      this.expiries.remove(first.key);
      first.key.emit('presenceError', { event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' });
      first.key.disconnect(true);
    }
    this.plan();
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
  }
}
