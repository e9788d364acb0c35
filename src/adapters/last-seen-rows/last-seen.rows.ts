import type { LastSeenEntry } from '../../domain/ports/last-seen.port';
import type { Instant, UserId } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/**
 * The rows and arguments of the presence SQL functions (migration 006's, on migrations 002 and 005), as both database
 * adapters send and read them: PostgreSQL directly, Supabase through PostgREST.
 */

const isoOf = (at: Instant): string => new Date(at).toISOString();

/** The arguments of `presence_record_last_seen_and_active`, one array a column; null: no last_active to give. */
export function sysUserColumns(entries: readonly LastSeenEntry[]) {
  return {
    ids: entries.map((e) => userKeyOf(e.userId)),
    seen: entries.map((e) => isoOf(e.lastSeen)),
    active: entries.map((e) => (e.lastActive == null ? null : isoOf(e.lastActive))),
  };
}

/** The arguments of `presence_record_tenant_last_seen_and_active`, one array a column. */
export function tenantColumns(entries: readonly LastSeenEntry[]) {
  return {
    tenants: entries.map((e) => requiredTenant(e.tenant)),
    ...sysUserColumns(entries),
    idIsNumber: entries.map((e) => typeof e.userId === 'number'),
    types: entries.map((e) => e.userType ?? null),
  };
}

/** With tenants on, a user without one cannot be stored or found: the caller lost it, and guessing would mix tenants. */
export function requiredTenant(tenant: string | undefined): string {
  if (typeof tenant !== 'string') throw new Error('tenants are on: a last_seen entry or lookup needs a tenant');
  return tenant;
}

/** A row of `presence_last_seen_and_active`: times as Dates from PostgreSQL, as ISO strings through PostgREST. */
export interface LastSeenRow {
  readonly user_id: string;
  readonly seen_at: Date | string;
  readonly active_at: Date | string | null;
  readonly id_is_number: boolean;
}

/** A row of `presence_tenant_last_seen_and_active`. */
export interface TenantLastSeenRow extends LastSeenRow {
  readonly user_type: string | null;
}

/** A timestamptz as PostgreSQL (a Date) or PostgREST (an ISO string) gives it. */
const isTime = (value: unknown): boolean =>
  value instanceof Date ? !Number.isNaN(value.getTime()) : typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Whether a value is a row of `presence_last_seen_and_active`: an answer of another shape must fail, not read as "never seen". */
export function isLastSeenRow(row: unknown): row is LastSeenRow {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  return (
    typeof r['user_id'] === 'string' &&
    isTime(r['seen_at']) &&
    (r['active_at'] === null || isTime(r['active_at'])) &&
    typeof r['id_is_number'] === 'boolean'
  );
}

/** Whether a value is a row of `presence_tenant_last_seen_and_active`. */
export function isTenantLastSeenRow(row: unknown): row is TenantLastSeenRow {
  if (!isLastSeenRow(row)) return false;
  const type: unknown = (row as Partial<TenantLastSeenRow>).user_type;
  return type === null || typeof type === 'string';
}

/** A row's user id: a number only when its column says so, and in its canonical text (`"07"` stays a string). */
function userIdOf(row: LastSeenRow): UserId {
  const asNumber = Number(row.user_id);
  return row.id_is_number && Number.isSafeInteger(asNumber) && String(asNumber) === row.user_id ? asNumber : row.user_id;
}

const activeOf = (row: LastSeenRow): Instant | null => (row.active_at === null ? null : new Date(row.active_at).getTime());

/** A row of `presence_last_seen_and_active` (sys_user) as an entry. */
export function toEntry(row: LastSeenRow): LastSeenEntry {
  return { userId: userIdOf(row), lastSeen: new Date(row.seen_at).getTime(), lastActive: activeOf(row) };
}

/** A row of the tenants' table as an entry, with its tenant and the type kept beside it. */
export function toTenantEntry(tenant: string, row: TenantLastSeenRow): LastSeenEntry {
  return { tenant, userId: userIdOf(row), lastSeen: new Date(row.seen_at).getTime(), userType: row.user_type, lastActive: activeOf(row) };
}
