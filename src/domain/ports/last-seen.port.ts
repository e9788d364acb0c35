import type { Instant, UserId, UserKey } from '../presence.types';

/**
 * Where `last_seen` is written. `record` hands over a user's latest sign of life and returns at once: the
 * implementation buffers, coalesces and retries; presence never waits for the database.
 */
export interface LastSeenRecorder {
  /** `key`: the user's key, when the caller has it (see KeyedUser). */
  record(user: LastSeenSubject, lastSeen: Instant, key?: UserKey): void;
}

/** Whose `last_seen` it is: a user, of its tenant when tenants are on (CONTRACT §9). */
export interface LastSeenSubject {
  /** Absent when tenants are off: `sys_user` is written. Present: the tenants' own table is. */
  readonly tenant?: string;
  /** As the user was last recorded: a number for a user announced as one. */
  readonly userId: UserId;
  /** The type the user was online with: kept beside `last_seen` in the tenants' table (not in `sys_user`). */
  readonly userType?: string | null;
  /** The user's last activity (CONTRACT §8), kept beside `last_seen`; null or absent: none to record. */
  readonly lastActive?: Instant | null;
}

export interface LastSeenEntry extends LastSeenSubject {
  readonly lastSeen: Instant;
}

/**
 * An entry as persistence holds it: the type only where the tenants' table keeps one, so that what is read back
 * (from a database, or from values still waiting in a buffer) never tells more than what is stored.
 */
export function persistedEntryOf({ tenant, userId, lastSeen, userType, lastActive }: LastSeenEntry): LastSeenEntry {
  const active = lastActive ?? null;
  return tenant === undefined ? { userId, lastSeen, lastActive: active } : { tenant, userId, lastSeen, userType: userType ?? null, lastActive: active };
}

/**
 * What a read-back found. `complete` is false when persistence did not answer in time or failed: a user without an
 * entry may then have one there (CONTRACT §11: such a user is told with `lastSeen: null`).
 */
export interface LastSeenRead {
  readonly entries: readonly LastSeenEntry[];
  readonly complete: boolean;
}

/** Where presence reads offline users' `last_seen` back: within a time limit, and never failing for it. */
export interface LastSeenLookup {
  /** The users of `tenant` (none: tenants are off) by id. */
  lookUp(userIds: readonly UserId[], tenant?: string): Promise<LastSeenRead>;
}

/** Where an offline user's `last_seen` is read back from, in a database. */
export interface LastSeenReader {
  /**
   * The entries persistence holds for these users of `tenant` (none: tenants are off, `sys_user` is read), in no
   * particular order, each with its tenant (and its type, where kept); never-seen users have none.
   */
  findMany(userIds: readonly UserId[], tenant?: string): Promise<LastSeenEntry[]>;
}

export interface SaveResult {
  /** Users the database has no row for: skipped, not retried (only `sys_user` has rows it does not make). */
  readonly missing: readonly UserId[];
}

/**
 * A database of `last_seen`: what the write-behind flushes to. `saveMany` writes every entry in one round trip and
 * never moves a stored value backwards; it throws when the database cannot be reached, and then nothing is written.
 */
export interface LastSeenRepository extends LastSeenReader {
  saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Releases connections; called once, at shutdown. */
  close(): Promise<void>;
}
