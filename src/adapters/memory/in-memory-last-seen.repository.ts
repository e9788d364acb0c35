import type { LastSeenEntry, LastSeenLookup, LastSeenRead, LastSeenRecorder, LastSeenRepository, SaveResult } from '../../domain/ports/last-seen.port';
import type { Instant, UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/**
 * `last_seen` kept in this process's memory, for running without a database: every user has a row, and values
 * never move backwards. It is also a recorder and a lookup by itself, for domain tests that need no write-behind.
 */
export class InMemoryLastSeenRepository implements LastSeenRecorder, LastSeenLookup, LastSeenRepository {
  private readonly entries = new Map<UserKey, LastSeenEntry>();

  record(userId: UserId, lastSeen: Instant): void {
    const key = userKeyOf(userId);
    const known = this.entries.get(key);
    if (known === undefined || lastSeen >= known.lastSeen) this.entries.set(key, { userId, lastSeen });
  }

  saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    for (const entry of entries) this.record(entry.userId, entry.lastSeen);
    return Promise.resolve({ missing: [] });
  }

  findMany(userIds: readonly UserId[]): Promise<LastSeenEntry[]> {
    const found = userIds.map((id) => this.entries.get(userKeyOf(id)));
    return Promise.resolve(found.filter((entry): entry is LastSeenEntry => entry !== undefined));
  }

  async lookUp(userIds: readonly UserId[]): Promise<LastSeenRead> {
    return { entries: await this.findMany(userIds), complete: true };
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
