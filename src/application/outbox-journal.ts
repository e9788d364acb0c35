import type { OutboxEvent } from './webhook-feed';

/** What an outbox journal kept: the events not yet released (the newest it holds at most), oldest first, and each endpoint's cursor. */
export interface JournaledOutbox {
  readonly events: readonly OutboxEvent[];
  readonly cursors: ReadonlyMap<string, number>;
}

/** One write of the journal: appends, acknowledgements and what to forget, in one round trip. */
export interface JournalWrite {
  readonly events: readonly OutboxEvent[];
  /** Endpoint cursors that moved since the last write. */
  readonly cursors: ReadonlyMap<string, number>;
  /** No event up to and including this seq is needed any more: every endpoint has it, or it was dropped. */
  readonly releasedThrough: number;
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
