import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import ws from 'ws';
import type { LastSeenEntry, LastSeenRepository, SaveResult } from '../../domain/ports/last-seen.port';
import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import { requiredTenant, tenantColumns, toEntry, toTenantEntry } from '../last-seen-rows/last-seen.rows';

export interface SupabaseLastSeenOptions {
  readonly url: string;
  readonly serviceRoleKey: string;
  /** How long one request may take before it is aborted; 5000 ms unless given. */
  readonly timeoutMs?: number;
  /** Tenants are on (CONTRACT §9): entries go to migration 005's table by (tenant, userId), never to `sys_user`. */
  readonly tenants?: boolean;
}

interface LastSeenRow {
  user_id: string;
  seen_at: string;
  id_is_number: boolean;
}

interface TenantLastSeenRow extends LastSeenRow {
  user_type: string | null;
}

interface RpcError {
  message: string;
  code?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * `last_seen` in a Supabase project, through SQL functions called over PostgREST: migration 002's on `sys_user`, or,
 * with tenants on, migration 005's on the tenants' own table.
 */
export class SupabaseLastSeenRepository implements LastSeenRepository {
  private readonly client: SupabaseClient;
  private readonly serviceRoleKey: string;
  private readonly tenants: boolean;

  constructor(options: SupabaseLastSeenOptions) {
    this.serviceRoleKey = options.serviceRoleKey;
    this.tenants = options.tenants ?? false;
    this.client = createClient(options.url, options.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // supabase-js builds a realtime client even when it is never used, and on Node 20 (no global WebSocket) it throws without one.
      realtime: { transport: ws as unknown as WebSocketLikeConstructor },
      global: { fetch: fetchWithTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) },
    });
  }

  async saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    if (entries.length === 0) return { missing: [] };
    if (this.tenants) return this.saveTenantEntries(entries);
    const { data, error, status } = await this.client.rpc('presence_record_last_seen', {
      p_ids: entries.map((entry) => userKeyOf(entry.userId)),
      p_seen: entries.map((entry) => new Date(entry.lastSeen).toISOString()),
    });
    if (error) throw this.failure('presence_record_last_seen', status, error);
    const given = new Map<UserKey, UserId>();
    for (const entry of entries) if (!given.has(userKeyOf(entry.userId))) given.set(userKeyOf(entry.userId), entry.userId);
    const rows = (data ?? []) as Array<{ missing_id: string }>;
    return { missing: rows.map((row) => given.get(row.missing_id) ?? row.missing_id) };
  }

  async findMany(userIds: readonly UserId[], tenant?: string): Promise<LastSeenEntry[]> {
    if (this.tenants) return this.findTenantEntries(userIds, requiredTenant(tenant));
    if (userIds.length === 0) return [];
    const { data, error, status } = await this.client.rpc('presence_last_seen', { p_ids: userIds.map(userKeyOf) });
    if (error) throw this.failure('presence_last_seen', status, error);
    return ((data ?? []) as LastSeenRow[]).map(toEntry);
  }

  async ping(): Promise<void> {
    if (this.tenants) {
      const { error, status } = await this.client.rpc('presence_tenant_last_seen', { p_tenant: '', p_ids: [] });
      if (error) throw this.failure('presence_tenant_last_seen', status, error);
      return;
    }
    const { error, status } = await this.client.rpc('presence_last_seen', { p_ids: [] });
    if (error) throw this.failure('presence_last_seen', status, error);
  }

  /**
   * Nothing to release: requests are plain fetches and no realtime socket is ever opened. Not removeAllChannels():
   * its disconnect leaves a 10 s timer behind that holds the process open at shutdown.
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async saveTenantEntries(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    const columns = tenantColumns(entries);
    const { error, status } = await this.client.rpc('presence_record_tenant_last_seen', {
      p_tenants: columns.tenants,
      p_ids: columns.ids,
      p_id_is_number: columns.idIsNumber,
      p_seen: columns.seen,
      p_types: columns.types,
    });
    if (error) throw this.failure('presence_record_tenant_last_seen', status, error);
    return { missing: [] };
  }

  private async findTenantEntries(userIds: readonly UserId[], tenant: string): Promise<LastSeenEntry[]> {
    if (userIds.length === 0) return [];
    const { data, error, status } = await this.client.rpc('presence_tenant_last_seen', { p_tenant: tenant, p_ids: userIds.map(userKeyOf) });
    if (error) throw this.failure('presence_tenant_last_seen', status, error);
    // A proxy or a misrouted call can answer 200 with something else: that must fail, not read as "never seen".
    if (!Array.isArray(data) || !data.every(isTenantLastSeenRow)) {
      throw new Error('Supabase rpc presence_tenant_last_seen answered rows of another shape');
    }
    return data.map((row) => toTenantEntry(tenant, row));
  }

  private failure(fn: string, status: number, error: RpcError): Error {
    const answer = status === 0 ? 'no response' : `HTTP ${status}${error.code ? ` ${error.code}` : ''}`;
    const message = `Supabase rpc ${fn} failed (${answer}): ${error.message}`;
    // A proxy or a network error may echo request headers back; the key must never reach a log.
    return new Error(message.split(this.serviceRoleKey).join('[redacted]'));
  }
}

/** Where the repository writes to, fit for a log line: the host only, never the key or a path. */
export function describeSupabaseTarget(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function isTenantLastSeenRow(row: unknown): row is TenantLastSeenRow {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  return (
    typeof r['user_id'] === 'string' &&
    typeof r['seen_at'] === 'string' &&
    !Number.isNaN(Date.parse(r['seen_at'])) &&
    typeof r['id_is_number'] === 'boolean' &&
    (r['user_type'] === null || typeof r['user_type'] === 'string')
  );
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
