import type { Pool, QueryResult, QueryResultRow } from 'pg';
import type { LastSeenEntry, LastSeenRepository, SaveResult } from '../../domain/ports/last-seen.port';
import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

interface LastSeenRow {
  user_id: string;
  seen_at: Date;
  id_is_number: boolean;
}

/** `sys_user.last_seen` on PostgreSQL, through the functions of migration 002: one query per batch. */
export class PostgresLastSeenRepository implements LastSeenRepository {
  constructor(private readonly pool: Pool) {}

  async saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    if (entries.length === 0) return { missing: [] };
    const result = await this.pool.query<{ missing_id: string }>(
      'SELECT missing_id FROM presence_record_last_seen($1::text[], $2::timestamptz[])',
      [entries.map((e) => String(e.userId)), entries.map((e) => new Date(e.lastSeen).toISOString())],
    );
    const given = new Map<UserKey, UserId>(entries.map((e) => [userKeyOf(e.userId), e.userId]));
    return { missing: checkedRows(result, (r) => typeof r.missing_id === 'string').map((r) => given.get(r.missing_id) ?? r.missing_id) };
  }

  async findMany(userIds: readonly UserId[]): Promise<LastSeenEntry[]> {
    if (userIds.length === 0) return [];
    const result = await this.pool.query<LastSeenRow>('SELECT user_id, seen_at, id_is_number FROM presence_last_seen($1::text[])', [
      userIds.map(String),
    ]);
    return checkedRows(result, isLastSeenRow).map(toEntry);
  }

  async ping(): Promise<void> {
    // Proves the migration's functions are there too, not only the server.
    const result = await this.pool.query<{ count: string }>('SELECT count(*) FROM presence_last_seen($1::text[])', [[]]);
    if (checkedRows(result, (r) => typeof r.count === 'string').length !== 1) throw new Error('the readiness query answered no count');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

const isLastSeenRow = (r: LastSeenRow): boolean =>
  typeof r.user_id === 'string' && (r.seen_at instanceof Date || typeof r.seen_at === 'string') && typeof r.id_is_number === 'boolean';

/**
 * The rows of a SELECT that completed, each of the shape asked for: a protocol message out of place can end a query
 * with no rows and no completion (a stray ReadyForQuery), which pg resolves as if it had succeeded, or hand it rows
 * of another shape.
 */
function checkedRows<T extends QueryResultRow>(result: QueryResult<T>, valid: (row: T) => boolean): T[] {
  if (result.command !== 'SELECT' || !result.rows.every(valid)) throw new Error('the database did not answer the query it was sent');
  return result.rows;
}

export function toEntry(row: { user_id: string; seen_at: Date | string; id_is_number: boolean }): LastSeenEntry {
  const asNumber = Number(row.user_id);
  const userId = row.id_is_number && Number.isSafeInteger(asNumber) ? asNumber : row.user_id;
  return { userId, lastSeen: new Date(row.seen_at).getTime() };
}
