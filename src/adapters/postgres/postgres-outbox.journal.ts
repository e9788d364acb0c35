import type { Pool } from 'pg';
import type { JournaledOutbox, JournalWrite, OutboxJournal } from '../../application/outbox-journal';
import type { OutboxEvent } from '../../application/webhook-feed';

/**
 * Appends, acknowledgements and releases in one statement, one round trip a write. The DELETE does not see the rows
 * this statement inserts (one snapshot): those already released go at the next write, and a load skips them.
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
  DELETE FROM presence_webhook_outbox WHERE seq <= $6 OR appended_at < to_timestamp($7 / 1000.0)
)
SELECT 1`;

/** The newest events at most: a table left by a long outage is read back no further than the outbox holds. */
const LOAD_EVENTS = `
SELECT seq::text, (extract(epoch FROM appended_at) * 1000)::float8 AS at_ms, event::text
FROM (SELECT * FROM presence_webhook_outbox ORDER BY seq DESC LIMIT $1) newest ORDER BY seq`;

/** CONTRACT §10's outbox journal in PostgreSQL (migration 007): one node with an in-memory store and DATABASE_URL. */
export class PostgresOutboxJournal implements OutboxJournal {
  constructor(
    private readonly pool: Pool,
    private readonly maxEvents: number,
  ) {}

  async load(): Promise<JournaledOutbox> {
    const cursors = await this.pool.query<{ endpoint: string; seq: string }>('SELECT endpoint, seq::text FROM presence_webhook_cursors');
    const events = await this.pool.query<{ seq: string; at_ms: number; event: string }>(LOAD_EVENTS, [this.maxEvents]);
    return {
      cursors: new Map(cursors.rows.map((r) => [r.endpoint, Number(r.seq)])),
      events: events.rows.map((r): OutboxEvent => ({ seq: Number(r.seq), at: Number(r.at_ms), event: JSON.parse(r.event) as object })),
    };
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
      change.expiredBefore,
    ]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
