import { nextDeadline } from '../../domain/presence';
import type { CommittedDecision, PresenceDecision, PresenceStore } from '../../domain/ports/presence-store.port';
import type { Instant, UserKey, UserPresence } from '../../domain/presence.types';
import { DeadlineQueue } from './deadline-queue';

/** Presence in this process's memory: one node. A rule runs synchronously, so each update is atomic. */
export class InMemoryPresenceStore implements PresenceStore {
  private readonly users = new Map<UserKey, UserPresence>();
  private readonly deadlines = new DeadlineQueue<UserKey>();
  private seq = 0;

  update(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision> {
    const current = this.users.get(key);
    const { next, transition } = decide(current);
    if (next !== current) {
      if (next === undefined) this.users.delete(key);
      else this.users.set(key, next);
      this.deadlines.schedule(key, next === undefined ? undefined : nextDeadline(next));
    }
    return Promise.resolve({ next, transition: transition === null ? null : { ...transition, seq: ++this.seq } });
  }

  find(key: UserKey): Promise<UserPresence | undefined> {
    return Promise.resolve(this.users.get(key));
  }

  listOnline(): Promise<UserPresence[]> {
    return Promise.resolve([...this.users.values()]);
  }

  countOnline(): Promise<number> {
    return Promise.resolve(this.users.size);
  }

  dueUsers(now: Instant, limit: number): Promise<UserKey[]> {
    return Promise.resolve(this.deadlines.due(now, limit));
  }
}
