import type {
  LastSeenEntry,
  LastSeenLookup,
  LastSeenRead,
  LastSeenRecorder,
  LastSeenRepository,
  LastSeenSubject,
  SaveResult,
} from '../../domain/ports/last-seen.port';
import type { Instant, UserId, UserKey } from '../../domain/presence.types';
import { keyIn, keyOfUser } from '../../domain/presence.types';
import { persistedEntryOf } from '../../domain/ports/last-seen.port';

const laterOf = (a: Instant | null | undefined, b: Instant | null | undefined): Instant | null =>
  a == null ? (b ?? null) : b == null || a >= b ? a : b;

/**
 * `last_seen` and `last_active` kept in this process's memory, for running without a database: every user has a row
 * (of its tenant, when it has one), and neither value ever moves backwards. It is also a recorder and a lookup by
 * itself, for domain tests that need no write-behind.
 */
export class InMemoryLastSeenRepository implements LastSeenRecorder, LastSeenLookup, LastSeenRepository {
  private readonly entries = new Map<UserKey, LastSeenEntry>();

  record(user: LastSeenSubject, lastSeen: Instant, key = keyOfUser(user)): void {
    const known = this.entries.get(key);
    const lastActive = laterOf(known?.lastActive, user.lastActive);
    if (known === undefined || lastSeen >= known.lastSeen) {
      this.entries.set(key, persistedEntryOf({ ...user, lastSeen, lastActive }));
    } else if (lastActive !== known.lastActive) {
      this.entries.set(key, { ...known, lastActive });
    }
  }

  saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    for (const entry of entries) this.record(entry, entry.lastSeen);
    return Promise.resolve({ missing: [] });
  }

  findMany(userIds: readonly UserId[], tenant?: string): Promise<LastSeenEntry[]> {
    const found = userIds.map((userId) => this.entries.get(keyIn(tenant, userId)));
    return Promise.resolve(found.filter((entry): entry is LastSeenEntry => entry !== undefined));
  }

  async lookUp(userIds: readonly UserId[], tenant?: string): Promise<LastSeenRead> {
    return { entries: await this.findMany(userIds, tenant), complete: true };
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
