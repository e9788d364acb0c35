import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import ws from 'ws';
import type { LastSeenEntry, LastSeenRepository, SaveResult } from '../../domain/ports/last-seen.port';
import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import {
  isLastSeenRow,
  isTenantLastSeenRow,
  requiredTenant,
  sysUserColumns,
  tenantColumns,
  toEntry,
  toTenantEntry,
} from '../last-seen-rows/last-seen.rows';

export interface SupabaseLastSeenOptions {
  readonly url: string;
  readonly serviceRoleKey: string;
  /** How long one request may take before it is aborted; 5000 ms unless given. */
  readonly timeoutMs?: number;
  /** Tenants are on (CONTRACT §9): entries go to migration 005's table by (tenant, userId), never to `sys_user`. */
  readonly tenants?: boolean;
}

interface RpcError {
  message: string;
  code?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

// Migration 006's functions; 002's and 005's stay for nodes of the previous release.
const RECORD = 'presence_record_last_seen_and_active';
const READ = 'presence_last_seen_and_active';
const TENANT_RECORD = 'presence_record_tenant_last_seen_and_active';
const TENANT_READ = 'presence_tenant_last_seen_and_active';

/**
 * `last_seen` and `last_active` in a Supabase project, through migration 006's SQL functions called over PostgREST: on
 * `sys_user`, or, with tenants on, on the tenants' own table (migration 005's).
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
    const columns = sysUserColumns(entries);
    const { data, error, status } = await this.client.rpc(RECORD, { p_ids: columns.ids, p_seen: columns.seen, p_active: columns.active });
    if (error) throw this.failure(RECORD, status, error);
    const given = new Map<UserKey, UserId>();
    for (const entry of entries) if (!given.has(userKeyOf(entry.userId))) given.set(userKeyOf(entry.userId), entry.userId);
    const rows = (data ?? []) as Array<{ missing_id: string }>;
    return { missing: rows.map((row) => given.get(row.missing_id) ?? row.missing_id) };
  }

  async findMany(userIds: readonly UserId[], tenant?: string): Promise<LastSeenEntry[]> {
    if (this.tenants) return this.findTenantEntries(userIds, requiredTenant(tenant));
    if (userIds.length === 0) return [];
    const { data, error, status } = await this.client.rpc(READ, { p_ids: userIds.map(userKeyOf) });
    if (error) throw this.failure(READ, status, error);
    return checkedRows(READ, data, isLastSeenRow).map(toEntry);
  }

  async ping(): Promise<void> {
    if (this.tenants) {
      const { error, status } = await this.client.rpc(TENANT_READ, { p_tenant: '', p_ids: [] });
      if (error) throw this.failure(TENANT_READ, status, error);
      return;
    }
    const { error, status } = await this.client.rpc(READ, { p_ids: [] });
    if (error) throw this.failure(READ, status, error);
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
    const { error, status } = await this.client.rpc(TENANT_RECORD, {
      p_tenants: columns.tenants,
      p_ids: columns.ids,
      p_id_is_number: columns.idIsNumber,
      p_seen: columns.seen,
      p_active: columns.active,
      p_types: columns.types,
    });
    if (error) throw this.failure(TENANT_RECORD, status, error);
    return { missing: [] };
  }

  private async findTenantEntries(userIds: readonly UserId[], tenant: string): Promise<LastSeenEntry[]> {
    if (userIds.length === 0) return [];
    const { data, error, status } = await this.client.rpc(TENANT_READ, { p_tenant: tenant, p_ids: userIds.map(userKeyOf) });
    if (error) throw this.failure(TENANT_READ, status, error);
    return checkedRows(TENANT_READ, data, isTenantLastSeenRow).map((row) => toTenantEntry(tenant, row));
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

/** A proxy or a misrouted call can answer 200 with something else: that must fail, not read as "never seen". */
function checkedRows<R>(fn: string, data: unknown, valid: (row: unknown) => row is R): R[] {
  if (!Array.isArray(data) || !data.every(valid)) throw new Error(`Supabase rpc ${fn} answered rows of another shape`);
  return data;
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
