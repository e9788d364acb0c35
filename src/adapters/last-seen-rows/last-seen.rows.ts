import type { LastSeenEntry } from '../../domain/ports/last-seen.port';
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

export function toEntry(row: { user_id: string; seen_at: Date | string; id_is_number: boolean }): LastSeenEntry {
  const asNumber = Number(row.user_id);
  const userId = row.id_is_number && Number.isSafeInteger(asNumber) ? asNumber : row.user_id;
  return { userId, lastSeen: new Date(row.seen_at).getTime() };
}

/** A row of the tenants' table as an entry: the id a number only when it was stored as one, in its canonical text. */
export function toTenantEntry(
  tenant: string,
  row: { user_id: string; seen_at: Date | string; id_is_number: boolean; user_type: string | null },
): LastSeenEntry {
  const asNumber = Number(row.user_id);
  const isNumber = row.id_is_number && Number.isSafeInteger(asNumber) && String(asNumber) === row.user_id;
  return { tenant, userId: isNumber ? asNumber : row.user_id, lastSeen: new Date(row.seen_at).getTime(), userType: row.user_type };
}
