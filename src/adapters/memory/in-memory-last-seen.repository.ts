import type { LastSeenReader, LastSeenRecorder } from '../../domain/ports/last-seen.port';
import type { Instant, UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/** `last_seen` kept in this process's memory, for running without a database. Never moves a value backwards. */
export class InMemoryLastSeenRepository implements LastSeenRecorder, LastSeenReader {
  private readonly lastSeen = new Map<UserKey, Instant>();

  record(userId: UserId, lastSeen: Instant): void {
    const key = userKeyOf(userId);
    const known = this.lastSeen.get(key);
    if (known === undefined || lastSeen > known) this.lastSeen.set(key, lastSeen);
  }

  find(userId: UserId): Promise<Instant | undefined> {
    return Promise.resolve(this.lastSeen.get(userKeyOf(userId)));
  }
}
