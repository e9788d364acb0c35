import type { LastSeenEntry, LastSeenReader, LastSeenRecorder } from '../../domain/ports/last-seen.port';
import type { Instant, UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/** `last_seen` kept in this process's memory, for running without a database. Never moves a value backwards. */
export class InMemoryLastSeenRepository implements LastSeenRecorder, LastSeenReader {
  private readonly entries = new Map<UserKey, LastSeenEntry>();

  record(userId: UserId, lastSeen: Instant): void {
    const key = userKeyOf(userId);
    const known = this.entries.get(key);
    if (known === undefined || lastSeen >= known.lastSeen) this.entries.set(key, { userId, lastSeen });
  }

  findMany(userIds: readonly UserId[]): Promise<LastSeenEntry[]> {
    const found = userIds.map((id) => this.entries.get(userKeyOf(id)));
    return Promise.resolve(found.filter((entry): entry is LastSeenEntry => entry !== undefined));
  }
}
