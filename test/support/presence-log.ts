import type { UserAvailabilityChanged, UserStatusChanged } from '../../src/protocol/socket-events';
import type { TestSocket } from './socket-client';

type Told = ({ event: 'status' } & UserStatusChanged) | ({ event: 'availability' } & UserAvailabilityChanged);

/**
 * Everything of §1 and §8 a socket is told, in arrival order: `userStatusChanged` and `userAvailabilityChanged`
 * together, since their order per user is what CONTRACT §8 promises.
 */
export class PresenceLog {
  readonly told: Told[] = [];
  private waiters: Array<() => void> = [];

  constructor(socket: TestSocket) {
    socket.on('userStatusChanged', (change) => this.add({ event: 'status', ...change }));
    socket.on('userAvailabilityChanged', (change) => this.add({ event: 'availability', ...change }));
  }

  /** One user's events as `online online`, `busy set`, `offline explicit`. */
  of(userId: string | number): string[] {
    return this.told
      .filter((t) => String(t.userId) === String(userId))
      .map((t) => (t.event === 'status' ? `${t.status} ${t.reason}` : `${t.availability} ${t.reason}`));
  }

  availabilityChanges(userId: string | number): UserAvailabilityChanged[] {
    return this.told.filter((t): t is Told & { event: 'availability' } => t.event === 'availability' && String(t.userId) === String(userId));
  }

  async waitFor(predicate: (log: PresenceLog) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; told ${JSON.stringify(this.told)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the user's events end with these. */
  waitForTail(userId: string | number, tail: readonly string[], timeoutMs?: number): Promise<void> {
    return this.waitFor((log) => {
      const events = log.of(userId);
      return events.length >= tail.length && tail.every((e, i) => events[events.length - tail.length + i] === e);
    }, timeoutMs);
  }

  private add(told: Told): void {
    this.told.push(told);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
