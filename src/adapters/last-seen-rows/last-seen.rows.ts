import type { LastSeenEntry } from '../../domain/ports/last-seen.port';
import type { UserId } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/**
 * The rows and arguments of the presence SQL functions (migrations 002 and 005), as both database adapters send and
 * read them: PostgreSQL directly, Supabase through PostgREST.
 */

/** The arguments of `presence_record_tenant_last_seen`, one array a column. */
export function tenantColumns(entries: readonly LastSeenEntry[]) {
  return {
    tenants: entries.map((e) => requiredTenant(e.tenant)),
    ids: entries.map((e) => userKeyOf(e.userId)),
    idIsNumber: entries.map((e) => typeof e.userId === 'number'),
    seen: entries.map((e) => new Date(e.lastSeen).toISOString()),
    types: entries.map((e) => e.userType ?? null),
  };
}

/** With tenants on, a user without one cannot be stored or found: the caller lost it, and guessing would mix tenants. */
export function requiredTenant(tenant: string | undefined): string {
  if (typeof tenant !== 'string') throw new Error('tenants are on: a last_seen entry or lookup needs a tenant');
  return tenant;
}

interface LastSeenRowFields {
  readonly user_id: string;
  readonly seen_at: Date | string;
  readonly id_is_number: boolean;
}

/** A row's user id: a number only when its column says so, and in its canonical text (`"07"` stays a string). */
function userIdOf(row: LastSeenRowFields): UserId {
  const asNumber = Number(row.user_id);
  return row.id_is_number && Number.isSafeInteger(asNumber) && String(asNumber) === row.user_id ? asNumber : row.user_id;
}

/** A row of `presence_last_seen` (sys_user) as an entry. */
export function toEntry(row: LastSeenRowFields): LastSeenEntry {
  return { userId: userIdOf(row), lastSeen: new Date(row.seen_at).getTime() };
}

/** A row of the tenants' table as an entry, with its tenant and the type kept beside it. */
export function toTenantEntry(tenant: string, row: LastSeenRowFields & { readonly user_type: string | null }): LastSeenEntry {
  return { tenant, userId: userIdOf(row), lastSeen: new Date(row.seen_at).getTime(), userType: row.user_type };
}
