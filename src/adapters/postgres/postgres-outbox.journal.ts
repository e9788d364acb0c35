import type { Pool } from 'pg';
import type { JournaledOutbox, JournalWrite, OutboxJournal } from '../../application/outbox-journal';
import type { OutboxEvent } from '../../application/webhook-feed';

/**
 * Appends, acknowledgements and releases in one statement, one round trip a write; the release is a range of the
 * primary key. The DELETE does not see the rows this statement inserts (one snapshot): those already released go at
 * the next write, and a load skips them.
 */
const WRITE = `
WITH appended AS (
  INSERT INTO presence_webhook_outbox (seq, appended_at, event)
  SELECT seq, to_timestamp(at_ms / 1000.0), event::json FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS e(seq, at_ms, event)
  ON CONFLICT (seq) DO NOTHING
), moved AS (
  INSERT INTO presence_webhook_cursors (endpoint, seq)
  SELECT endpoint, seq FROM unnest($4::text[], $5::bigint[]) AS c(endpoint, seq)
  ON CONFLICT (endpoint) DO UPDATE SET seq = GREATEST(presence_webhook_cursors.seq, EXCLUDED.seq)
), released AS (
  DELETE FROM presence_webhook_outbox WHERE seq <= $6
)
SELECT 1`;

/**
 * One page of a load, in seq order after a seq: a table left by a long outage is read in pieces, not one reply.
 * Ordered by the column, not the text it is sent as (`ORDER BY seq` would name the output column).
 */
const LOAD_PAGE = `
SELECT o.seq::text AS seq, (extract(epoch FROM o.appended_at) * 1000)::float8 AS at_ms, o.event::text AS event
FROM presence_webhook_outbox o WHERE o.seq > $1 ORDER BY o.seq LIMIT $2`;

const ROWS_PER_PAGE = 10_000;

/** CONTRACT §10's outbox journal in PostgreSQL (migration 007): one node with an in-memory store and DATABASE_URL. */
export class PostgresOutboxJournal implements OutboxJournal {
  constructor(
    private readonly pool: Pool,
    private readonly maxEvents: number,
  ) {}

  async load(): Promise<JournaledOutbox> {
    const cursors = await this.pool.query<{ endpoint: string; seq: string }>('SELECT endpoint, seq::text FROM presence_webhook_cursors');
    let events: OutboxEvent[] = [];
    for (let after = '-1'; ; ) {
      const page = await this.pool.query<{ seq: string; at_ms: number; event: string }>(LOAD_PAGE, [after, ROWS_PER_PAGE]);
      for (const r of page.rows) events.push({ seq: Number(r.seq), at: Number(r.at_ms), event: JSON.parse(r.event) as object });
      // The newest at most, as the outbox in memory holds (cut in steps, not per page).
      if (events.length > this.maxEvents * 2) events = events.slice(-this.maxEvents);
      if (page.rows.length < ROWS_PER_PAGE) break;
      after = (page.rows.at(-1) as { seq: string }).seq;
    }
    return { cursors: new Map(cursors.rows.map((r) => [r.endpoint, Number(r.seq)])), events: events.slice(-this.maxEvents) };
  }

  async write(change: JournalWrite): Promise<void> {
    const { events, cursors } = change;
    await this.pool.query(WRITE, [
      events.map((e) => e.seq),
      events.map((e) => e.at),
      events.map((e) => JSON.stringify(e.event)),
      [...cursors.keys()],
      [...cursors.values()],
      change.releasedThrough,
    ]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
