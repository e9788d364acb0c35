import type { Instant, UserId } from '../presence.types';

/**
 * Where `last_seen` is written. `record` hands over a user's latest sign of life and returns at once: the
 * implementation buffers, coalesces and retries; presence never waits for the database.
 */
export interface LastSeenRecorder {
  record(userId: UserId, lastSeen: Instant): void;
}

/** Where an offline user's `last_seen` is read back from. */
export interface LastSeenReader {
  find(userId: UserId): Promise<Instant | undefined>;
}
