import type { Pool, QueryResult, QueryResultRow } from 'pg';
import type { LastSeenEntry, LastSeenRepository, SaveResult } from '../../domain/ports/last-seen.port';
import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import {
  isLastSeenRow,
  isTenantLastSeenRow,
  type LastSeenRow,
  requiredTenant,
  sysUserColumns,
  tenantColumns,
  toEntry,
  toTenantEntry,
  type TenantLastSeenRow,
} from '../last-seen-rows/last-seen.rows';

export interface LastSeenRepositoryOptions {
  /** Tenants are on (CONTRACT §9): entries go to migration 005's table by (tenant, userId), never to `sys_user`. */
  readonly tenants: boolean;
}

/**
 * `last_seen` and `last_active` on PostgreSQL, one query per batch, through migration 006's functions: on `sys_user`,
 * or, with tenants on, on the tenants' own table (migration 005's).
 */
export class PostgresLastSeenRepository implements LastSeenRepository {
  constructor(
    private readonly pool: Pool,
    private readonly options: LastSeenRepositoryOptions = { tenants: false },
  ) {}

  async saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    if (entries.length === 0) return { missing: [] };
    return this.options.tenants ? this.saveTenantEntries(entries) : this.saveSysUserEntries(entries);
  }

  async findMany(userIds: readonly UserId[], tenant?: string): Promise<LastSeenEntry[]> {
    if (this.options.tenants) return this.findTenantEntries(userIds, requiredTenant(tenant));
    if (userIds.length === 0) return [];
    const result = await this.pool.query<LastSeenRow>(
      'SELECT user_id, seen_at, active_at, id_is_number FROM presence_last_seen_and_active($1::text[])',
      [userIds.map(String)],
    );
    return checkedRows(result, isLastSeenRow).map(toEntry);
  }

  async ping(): Promise<void> {
    // Proves the migration's functions are there too, not only the server.
    const result = this.options.tenants
      ? await this.pool.query<{ count: string }>('SELECT count(*) FROM presence_tenant_last_seen_and_active($1::text, $2::text[])', ['', []])
      : await this.pool.query<{ count: string }>('SELECT count(*) FROM presence_last_seen_and_active($1::text[])', [[]]);
    if (checkedRows(result, (r) => typeof r.count === 'string').length !== 1) throw new Error('the readiness query answered no count');
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async saveSysUserEntries(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    const columns = sysUserColumns(entries);
    const result = await this.pool.query<{ missing_id: string }>(
      'SELECT missing_id FROM presence_record_last_seen_and_active($1::text[], $2::timestamptz[], $3::timestamptz[])',
      [columns.ids, columns.seen, columns.active],
    );
    const given = new Map<UserKey, UserId>(entries.map((e) => [userKeyOf(e.userId), e.userId]));
    return { missing: checkedRows(result, (r) => typeof r.missing_id === 'string').map((r) => given.get(r.missing_id) ?? r.missing_id) };
  }

  private async saveTenantEntries(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    const columns = tenantColumns(entries);
    // The function returns void: selecting a constant from it gives one row exactly when the call completed.
    const result = await this.pool.query<{ recorded: boolean }>(
      'SELECT true AS recorded FROM presence_record_tenant_last_seen_and_active($1::text[], $2::text[], $3::boolean[], $4::timestamptz[], $5::timestamptz[], $6::text[])',
      [columns.tenants, columns.ids, columns.idIsNumber, columns.seen, columns.active, columns.types],
    );
    if (checkedRows(result, (r) => r.recorded === true).length !== 1) throw new Error('the database did not answer the query it was sent');
    return { missing: [] };
  }

  private async findTenantEntries(userIds: readonly UserId[], tenant: string): Promise<LastSeenEntry[]> {
    if (userIds.length === 0) return [];
    const result = await this.pool.query<TenantLastSeenRow>(
      'SELECT user_id, seen_at, active_at, id_is_number, user_type FROM presence_tenant_last_seen_and_active($1::text, $2::text[])',
      [tenant, userIds.map(userKeyOf)],
    );
    return checkedRows(result, isTenantLastSeenRow).map((row) => toTenantEntry(tenant, row));
  }
}

/**
 * The rows of a SELECT that completed, each of the shape asked for: a protocol message out of place can end a query
 * with no rows and no completion (a stray ReadyForQuery), which pg resolves as if it had succeeded, or hand it rows
 * of another shape.
 */
function checkedRows<T extends QueryResultRow>(result: QueryResult<T>, valid: (row: T) => boolean): T[] {
  if (result.command !== 'SELECT' || !result.rows.every(valid)) throw new Error('the database did not answer the query it was sent');
  return result.rows;
}
