import { ConfigError, loadConfig } from '../../../src/config';

describe('loadConfig', () => {
  it('runs on in-memory defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 5000,
      logLevel: 'info',
      allowedOrigins: ['http://localhost:5173'],
      auth: null,
      presence: {
        ttlMs: 60_000,
        sweepIntervalMs: 1_000,
        disconnectGraceMs: 5_000,
        broadcastHeartbeats: false,
        eventRate: 20,
        maxMessageBytes: 65_536,
      },
      store: { kind: 'memory' },
      replaySize: 10_000,
      persistence: { kind: 'memory' },
      persistFlushIntervalMs: 5_000,
    });
    expect(config.nodeId).toMatch(/^[\w.:-]+$/);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      LOG_LEVEL: 'warn',
      REACT_WEB_URL: 'https://a.example.com, https://b.example.com',
      JWT_ACCESS_SECRET: 'a-production-secret-of-32-bytes!',
      JWT_COOKIE_NAME: 'session',
      JWT_USER_CLAIM: 'uid',
      PRESENCE_TTL_MS: '30000',
      PRESENCE_SWEEP_INTERVAL_MS: '500',
      PRESENCE_DISCONNECT_GRACE_MS: '0',
      PRESENCE_BROADCAST_HEARTBEATS: 'true',
      PRESENCE_EVENT_RATE: '5',
      PRESENCE_MAX_MESSAGE_BYTES: '4096',
      NODE_ID: 'node-1',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      port: 8080,
      logLevel: 'warn',
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
      auth: { secret: 'a-production-secret-of-32-bytes!', cookieName: 'session', userClaim: 'uid' },
      presence: { ttlMs: 30_000, sweepIntervalMs: 500, disconnectGraceMs: 0, broadcastHeartbeats: true, eventRate: 5, maxMessageBytes: 4096 },
      nodeId: 'node-1',
      shutdownTimeoutMs: 5000,
    });
  });

  it('names every bad setting in one error', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        PRESENCE_TTL_MS: '0',
        PRESENCE_BROADCAST_HEARTBEATS: 'yes',
        REACT_WEB_URL: 'localhost:5173',
        LOG_LEVEL: 'loud',
        PRESENCE_STORE: 'mongo',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names.sort()).toEqual(['LOG_LEVEL', 'PORT', 'PRESENCE_BROADCAST_HEARTBEATS', 'PRESENCE_STORE', 'PRESENCE_TTL_MS', 'REACT_WEB_URL']);
      expect((error as Error).message).toContain('PORT: must be a whole number (got "eighty")');
    }
  });

  it('chooses persistence from what is configured: Supabase, else PostgreSQL, else memory', () => {
    const supabase = { REACT_SUPABASE_URL: 'https://xyz.supabase.co', REACT_SERVICE_ROLE_KEY: 'service-key' };
    const postgres = { DATABASE_URL: 'postgres://u:p@db:5432/app' };
    expect(loadConfig({ ...supabase, ...postgres }).persistence).toEqual({ kind: 'supabase', url: 'https://xyz.supabase.co', serviceRoleKey: 'service-key' });
    expect(loadConfig(postgres).persistence).toEqual({ kind: 'postgres', url: postgres.DATABASE_URL, poolMax: 4, statementTimeoutMs: 5_000 });
    expect(loadConfig({ ...postgres, PERSISTENCE: 'memory' }).persistence).toEqual({ kind: 'memory' });
    expect(loadConfig({ ...supabase, ...postgres, PERSISTENCE: 'postgres' }).persistence).toMatchObject({ kind: 'postgres' });
  });

  it('names what a chosen persistence is missing, without repeating secrets', () => {
    expect(() => loadConfig({ PERSISTENCE: 'postgres' })).toThrow(/DATABASE_URL: must be set when PERSISTENCE=postgres/);
    expect(() => loadConfig({ PERSISTENCE: 'supabase' })).toThrow(/REACT_SUPABASE_URL: .*\n.*REACT_SERVICE_ROLE_KEY: /s);
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/app' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL: must be a postgres');
    expect(message).not.toContain('hunter2');
  });

  it('lets PostgreSQL reads take all but one of the pool, so that a flush always finds a connection', () => {
    const pg = { DATABASE_URL: 'postgres://db/presence', PERSIST_READ_TIMEOUT_MS: '250' };
    expect(loadConfig({ ...pg, DATABASE_POOL_MAX: '4' }).derived.writeBehind).toMatchObject({ maxReadsInFlight: 3, readTimeoutMs: 250 });
    expect(loadConfig({ ...pg, DATABASE_POOL_MAX: '1' }).derived.writeBehind.maxReadsInFlight).toBe(1);
    expect(loadConfig({}).derived.writeBehind.maxReadsInFlight).toBe(4);
  });

  it('reads the Redis store settings, and wants REDIS_URL with it', () => {
    const env = { PRESENCE_STORE: 'redis', REDIS_URL: 'redis://cache:6379/2', PRESENCE_NODE_LEASE_MS: '9000', REDIS_COMMAND_TIMEOUT_MS: '750' };
    expect(loadConfig(env).store).toEqual({
      kind: 'redis',
      url: 'redis://cache:6379/2',
      keyPrefix: 'presence:',
      nodeLeaseMs: 9_000,
      commandTimeoutMs: 750,
    });
    expect(() => loadConfig({ PRESENCE_STORE: 'redis' })).toThrow(/REDIS_URL: must be set when PRESENCE_STORE=redis/);
  });

  it('reads the audience settings: tenants off and all see all by default, rules parsed, tenants only with a secret', () => {
    expect(loadConfig({}).audience).toEqual({ tenantClaim: null, visibility: null, userTypeClaim: 'user_type' });
    const config = loadConfig({ JWT_ACCESS_SECRET: 's', JWT_TENANT_CLAIM: 'org', JWT_USER_TYPE_CLAIM: 'role', PRESENCE_VISIBILITY: 'client:agent; agent:*' });
    expect(config.audience.tenantClaim).toBe('org');
    expect(config.audience.userTypeClaim).toBe('role');
    expect(String(config.audience.visibility)).toBe('agent:*;client:agent');
    expect(() => loadConfig({ JWT_TENANT_CLAIM: 'org' })).toThrow(/JWT_TENANT_CLAIM: needs JWT_ACCESS_SECRET/);
    expect(() => loadConfig({ PRESENCE_VISIBILITY: 'client:agent;client:*' })).toThrow(/PRESENCE_VISIBILITY: visibility rules: viewer type "client" has two rules/);
    expect(() => loadConfig({ PRESENCE_VISIBILITY: 'client' })).toThrow(/PRESENCE_VISIBILITY:/);
  });

  it('refuses production without JWT_ACCESS_SECRET, and says why', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_ACCESS_SECRET: must be set when NODE_ENV=production/);
  });

  it('refuses a production secret shorter than 32 bytes in UTF-8, without repeating it', () => {
    const problemsWith = (secret: string, nodeEnv = 'production'): readonly string[] => {
      try {
        loadConfig({ NODE_ENV: nodeEnv, JWT_ACCESS_SECRET: secret });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    const short = 'x'.repeat(31);
    expect(problemsWith(short)).toEqual([
      'JWT_ACCESS_SECRET: must be at least 32 bytes (UTF-8) when NODE_ENV=production; a shorter one can be guessed (got a value that is not shown)',
    ]);
    expect(problemsWith('x'.repeat(32))).toEqual([]);
    // Bytes, not characters: 16 two-byte characters are enough, 31 bytes of them with one more are not.
    expect(problemsWith('é'.repeat(16))).toEqual([]);
    expect(problemsWith(`${'é'.repeat(15)}x`)).toHaveLength(1);
    // Surrounding blanks are not part of the secret the service uses.
    expect(problemsWith(`  ${short}  `)).toHaveLength(1);
    expect(problemsWith(short, 'development')).toEqual([]);
    expect(problemsWith(short, 'test')).toEqual([]);
  });

  it('treats blank settings as unset', () => {
    expect(loadConfig({ PORT: '', JWT_ACCESS_SECRET: '  ' })).toMatchObject({ port: 5000, auth: null });
  });
});
