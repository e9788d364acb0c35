import type { OutboxEvent } from './webhook-feed';

/** What an outbox journal kept: the events not yet released, oldest first, and each endpoint's cursor. */
export interface JournaledOutbox {
  readonly events: readonly OutboxEvent[];
  readonly cursors: ReadonlyMap<string, number>;
}

/** One write of the journal: appends, acknowledgements and what to forget, in one round trip. */
export interface JournalWrite {
  readonly events: readonly OutboxEvent[];
  /** Endpoint cursors that moved since the last write. */
  readonly cursors: ReadonlyMap<string, number>;
  /** Every endpoint has the events up to and including this seq. */
  readonly releasedThrough: number;
  /** Events appended before this (ms since the epoch) are too old to send. */
  readonly expiredBefore: number;
}

/**
 * Where an in-memory outbox is kept so that it outlives the process (CONTRACT §10: with `DATABASE_URL`, a PostgreSQL
 * table): written every batch interval, read back at the next start.
 */
export interface OutboxJournal {
  load(): Promise<JournaledOutbox>;
  write(change: JournalWrite): Promise<void>;
  close(): Promise<void>;
}
