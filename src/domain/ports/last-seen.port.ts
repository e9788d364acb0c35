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

/** Where an offline user's `last_seen` is read back from. */
export interface LastSeenReader {
  /** The entries persistence holds for these users, in no particular order; never-seen users have none. */
  findMany(userIds: readonly UserId[]): Promise<LastSeenEntry[]>;
}
