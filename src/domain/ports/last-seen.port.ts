import type { Instant, UserId } from '../presence.types';

/**
 * Where `last_seen` is written. `record` hands over a user's latest sign of life and returns at once: the
 * implementation buffers, coalesces and retries; presence never waits for the database.
 */
export interface LastSeenRecorder {
  record(userId: UserId, lastSeen: Instant): void;
}

export interface LastSeenEntry {
  /** As the user was last recorded: a number for a user announced as one. */
  readonly userId: UserId;
  readonly lastSeen: Instant;
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
  lookUp(userIds: readonly UserId[]): Promise<LastSeenRead>;
}

/** Where an offline user's `last_seen` is read back from, in a database. */
export interface LastSeenReader {
  /** The entries persistence holds for these users, in no particular order; never-seen users have none. */
  findMany(userIds: readonly UserId[]): Promise<LastSeenEntry[]>;
}

export interface SaveResult {
  /** Users the database has no row for: skipped, not retried. */
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
