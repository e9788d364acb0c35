/** Reads and validates every setting once, from the environment (and `.env`, loaded by main). */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { WriteBehindSettings } from './application/last-seen-write-behind';
import type { PresenceSettings } from './domain/presence.settings';
import type { VisibilityRules } from './domain/visibility-rules';
import { ConfigError, describeProblem, describeValue } from './composition/config-error';
import type { SettingDescription } from './composition/setting-kinds';
import { minProductionSecretBytes, settings } from './composition/settings.table';
import { webhookProblems, webhooksOf, type WebhookConfig } from './composition/webhook-config';
import { STALLED_OUTPUT_MS } from './adapters/socket/output-guard';

export type { SettingDescription } from './composition/setting-kinds';
export { ConfigError } from './composition/config-error';

type SettingName = keyof typeof settings;

const schema = z.object(
  Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, s.schema])) as { [K in SettingName]: (typeof settings)[K]['schema'] },
);

/** Every setting, by name, with its default and what it accepts. */
export const settingDescriptions: Readonly<Record<SettingName, SettingDescription>> = Object.fromEntries(
  Object.entries(settings).map(([name, { schema: _, ...description }]) => [name, description]),
) as Record<SettingName, SettingDescription>;

export type Env = Readonly<Record<string, string | undefined>>;

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly logLevel: string;
  readonly allowedOrigins: readonly string[];
  readonly auth: { readonly secret: string; readonly cookieName: string; readonly userClaim: string } | null;
  /**
   * Who sees whom (CONTRACT §9): the claim naming a token's tenant (`null`: tenants off), the visibility rules
   * (`null`: all see all), and the claim naming a token's user type.
   */
  readonly audience: { readonly tenantClaim: string | null; readonly visibility: VisibilityRules | null; readonly userTypeClaim: string };
  readonly metricsToken: string | null;
  /** REST reads a second per reader (a token's user, or an address), bursts of twice that. */
  readonly httpReadRate: number;
  /** Behind a reverse proxy: a client's address is the last one `X-Forwarded-For` names. */
  readonly trustProxy: boolean;
  readonly presence: {
    readonly ttlMs: number;
    readonly sweepIntervalMs: number;
    readonly disconnectGraceMs: number;
    /** A connection that reported activity and then nothing active for this long is idle (CONTRACT §8). */
    readonly idleMs: number;
    readonly broadcastHeartbeats: boolean;
    readonly eventRate: number;
    /** userOnline/userOffline a second per user (bursts of maxConnectionsPerUser). */
    readonly statusRate: number;
    readonly maxMessageBytes: number;
    readonly diffIntervalMs: number;
    readonly maxConnectionsPerUser: number;
    readonly maxConnectionsPerAddress: number;
    /** Unsent output a connection may hold before it is disconnected for not reading. */
    readonly maxBufferedBytes: number;
    readonly handshakeTimeoutMs: number;
  };
  readonly store:
    | { readonly kind: 'memory' }
    | {
        readonly kind: 'redis';
        readonly url: string;
        readonly keyPrefix: string;
        readonly nodeLeaseMs: number;
        /** How long an event waits on Redis before it is refused INTERNAL. */
        readonly commandTimeoutMs: number;
      };
  /** How many recent transitions are kept (the Redis transitions stream's length). */
  readonly replaySize: number;
  /** CONTRACT §10's webhooks; null without `WEBHOOK_URLS`. */
  readonly webhooks: WebhookConfig | null;
  readonly persistence:
    | { readonly kind: 'memory' }
    | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number; readonly statementTimeoutMs: number }
    | { readonly kind: 'supabase'; readonly url: string; readonly serviceRoleKey: string };
  readonly persistFlushIntervalMs: number;
  readonly nodeId: string;
  readonly shutdownTimeoutMs: number;
  /** What the parts are given, derived from the settings above. */
  readonly derived: DerivedSettings;
}

export interface DerivedSettings {
  readonly rules: PresenceSettings;
  /** How stale a REST answer may be, and how long a lost node's users may still show online. */
  readonly freshness: { readonly maxStalenessMs: number; readonly nodeLossBoundMs: number | null };
  readonly writeBehind: WriteBehindSettings & { readonly drainMs: number };
  readonly readyCheckTimeoutMs: number;
  /** How often every connection's unsent output is looked at (besides after each answer it asked for). */
  readonly outputCheckIntervalMs: number;
  /** CONTRACT §10: a comment line at least this often keeps an idle event stream open. */
  readonly eventStreamKeepAliveMs: number;
  /** How long a connection's output may wait with none of it taken before the connection is cut off. */
  readonly outputStallMs: number;
  /** With Redis: how long other nodes get to announce their connections again before this node corrects its clients. */
  readonly recoverySettleMs: number;
}

export function loadConfig(env: Env): Config {
  // An empty variable means "not set": `.env` templates leave unused settings blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => describeProblem(String(issue.path[0]), issue.message, present));
  const nodeEnv = parsed.success ? parsed.data.NODE_ENV : present['NODE_ENV'];
  const secretValue = present['JWT_ACCESS_SECRET']?.trim();
  if (nodeEnv === 'production' && !secretValue) {
    problems.push('JWT_ACCESS_SECRET: must be set when NODE_ENV=production; without it any client could act as any user');
  } else if (nodeEnv === 'production' && secretValue !== undefined && Buffer.byteLength(secretValue, 'utf8') < minProductionSecretBytes) {
    problems.push(
      `JWT_ACCESS_SECRET: must be at least ${minProductionSecretBytes} bytes (UTF-8) when NODE_ENV=production; a shorter one can be guessed (got ${describeValue('JWT_ACCESS_SECRET', present)})`,
    );
  }
  if (present['JWT_TENANT_CLAIM'] !== undefined && !secretValue) {
    problems.push('JWT_TENANT_CLAIM: needs JWT_ACCESS_SECRET; without a token, a client could name any tenant');
  }
  if (parsed.success) problems.push(...storeProblems(parsed.data), ...persistenceProblems(parsed.data), ...webhookProblems(parsed.data));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const s = parsed.data;
  const nodeId = s.NODE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return {
    nodeEnv: s.NODE_ENV,
    port: s.PORT,
    logLevel: s.LOG_LEVEL,
    allowedOrigins: s.REACT_WEB_URL,
    auth: s.JWT_ACCESS_SECRET ? { secret: s.JWT_ACCESS_SECRET, cookieName: s.JWT_COOKIE_NAME, userClaim: s.JWT_USER_CLAIM } : null,
    audience: { tenantClaim: s.JWT_TENANT_CLAIM ?? null, visibility: s.PRESENCE_VISIBILITY ?? null, userTypeClaim: s.JWT_USER_TYPE_CLAIM },
    metricsToken: s.METRICS_TOKEN ?? null,
    httpReadRate: s.HTTP_READ_RATE,
    trustProxy: s.TRUST_PROXY,
    presence: {
      ttlMs: s.PRESENCE_TTL_MS,
      sweepIntervalMs: s.PRESENCE_SWEEP_INTERVAL_MS,
      disconnectGraceMs: s.PRESENCE_DISCONNECT_GRACE_MS,
      idleMs: s.PRESENCE_IDLE_MS,
      broadcastHeartbeats: s.PRESENCE_BROADCAST_HEARTBEATS,
      eventRate: s.PRESENCE_EVENT_RATE,
      statusRate: s.PRESENCE_STATUS_RATE,
      maxMessageBytes: s.PRESENCE_MAX_MESSAGE_BYTES,
      diffIntervalMs: s.PRESENCE_DIFF_INTERVAL_MS,
      maxConnectionsPerUser: s.PRESENCE_MAX_CONNECTIONS_PER_USER,
      maxConnectionsPerAddress: s.PRESENCE_MAX_CONNECTIONS_PER_ADDRESS,
      maxBufferedBytes: s.PRESENCE_MAX_BUFFERED_BYTES,
      handshakeTimeoutMs: s.PRESENCE_HANDSHAKE_TIMEOUT_MS,
    },
    store:
      s.PRESENCE_STORE === 'redis'
        ? {
            kind: 'redis',
            url: s.REDIS_URL as string,
            keyPrefix: s.REDIS_KEY_PREFIX,
            nodeLeaseMs: s.PRESENCE_NODE_LEASE_MS,
            commandTimeoutMs: s.REDIS_COMMAND_TIMEOUT_MS,
          }
        : { kind: 'memory' },
    replaySize: s.PRESENCE_REPLAY_SIZE,
    persistence: persistenceOf(s),
    webhooks: webhooksOf(s),
    persistFlushIntervalMs: s.PERSIST_FLUSH_INTERVAL_MS,
    nodeId,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    derived: derivedFrom(s, nodeId),
  };
}

function derivedFrom(s: Settings, nodeId: string): DerivedSettings {
  const flushIntervalMs = s.PERSIST_FLUSH_INTERVAL_MS;
  return {
    rules: {
      ttlMs: s.PRESENCE_TTL_MS,
      disconnectGraceMs: s.PRESENCE_DISCONNECT_GRACE_MS,
      idleMs: s.PRESENCE_IDLE_MS,
      broadcastHeartbeats: s.PRESENCE_BROADCAST_HEARTBEATS,
      sweepBatchSize: 1_000,
      nodeId,
      nodeRecoveryClaimMs: 30_000,
    },
    freshness: {
      maxStalenessMs: Math.max(s.PRESENCE_TTL_MS, s.PRESENCE_DISCONNECT_GRACE_MS) + s.PRESENCE_SWEEP_INTERVAL_MS,
      nodeLossBoundMs: s.PRESENCE_STORE === 'redis' ? s.PRESENCE_NODE_LEASE_MS + s.PRESENCE_SWEEP_INTERVAL_MS : null,
    },
    // A clean shutdown keeps trying to flush last_seen for 5 s: inside the 10 s a SIGTERM allows.
    writeBehind: {
      flushIntervalMs,
      baseBackoffMs: Math.min(1_000, flushIntervalMs),
      maxBackoffMs: Math.max(30_000, flushIntervalMs),
      readTimeoutMs: s.PERSIST_READ_TIMEOUT_MS,
      // PostgreSQL's pool less one, so that a flush never waits behind reads; Supabase has no pool of ours.
      maxReadsInFlight: persistenceKind(s) === 'postgres' ? Math.max(1, s.DATABASE_POOL_MAX - 1) : 4,
      drainMs: 5_000,
    },
    readyCheckTimeoutMs: 2_000,
    outputCheckIntervalMs: 1_000,
    eventStreamKeepAliveMs: 15_000,
    outputStallMs: STALLED_OUTPUT_MS,
    recoverySettleMs: Math.max(1_000, 2 * s.PRESENCE_SWEEP_INTERVAL_MS),
  };
}

type Settings = z.infer<typeof schema>;

/** PERSISTENCE as set, or chosen from what is configured: Supabase, else PostgreSQL, else memory. */
function persistenceKind(s: Settings): 'memory' | 'postgres' | 'supabase' {
  if (s.PERSISTENCE !== undefined) return s.PERSISTENCE;
  if (s.REACT_SUPABASE_URL !== undefined && s.REACT_SERVICE_ROLE_KEY !== undefined) return 'supabase';
  return s.DATABASE_URL !== undefined ? 'postgres' : 'memory';
}

function storeProblems(s: Settings): string[] {
  return s.PRESENCE_STORE === 'redis' && s.REDIS_URL === undefined ? ['REDIS_URL: must be set when PRESENCE_STORE=redis'] : [];
}

function persistenceProblems(s: Settings): string[] {
  const kind = persistenceKind(s);
  if (kind === 'postgres' && s.DATABASE_URL === undefined) return ['DATABASE_URL: must be set when PERSISTENCE=postgres'];
  if (kind !== 'supabase') return [];
  return [
    ...(s.REACT_SUPABASE_URL === undefined ? ['REACT_SUPABASE_URL: must be set when PERSISTENCE=supabase'] : []),
    ...(s.REACT_SERVICE_ROLE_KEY === undefined ? ['REACT_SERVICE_ROLE_KEY: must be set when PERSISTENCE=supabase'] : []),
  ];
}

function persistenceOf(s: Settings): Config['persistence'] {
  switch (persistenceKind(s)) {
    case 'postgres':
      return {
        kind: 'postgres',
        url: s.DATABASE_URL as string,
        poolMax: s.DATABASE_POOL_MAX,
        statementTimeoutMs: s.DATABASE_STATEMENT_TIMEOUT_MS,
      };
    case 'supabase':
      return { kind: 'supabase', url: s.REACT_SUPABASE_URL as string, serviceRoleKey: s.REACT_SERVICE_ROLE_KEY as string };
    default:
      return { kind: 'memory' };
  }
}
