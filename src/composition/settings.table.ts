/** Every setting the service reads: its kind, default and accepted range (the README's settings table). */
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol/socket-events';
import { VisibilityRules, InvalidVisibilityRules } from '../domain/visibility-rules';
import { flag, integer, oneOf, optionalOneOf, optionalText, secret, setting, text } from './setting-kinds';

/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2); production refuses a shorter one. */
export const minProductionSecretBytes = 32;

const originsMeaning = 'origins like https://app.example.com, comma-separated, without paths';
const origins = setting(
  z
    .string()
    .default('http://localhost:5173')
    .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, `must be ${originsMeaning}`)).min(1, 'must name at least one origin')),
  'http://localhost:5173',
  originsMeaning,
);

const webhookUrlsMeaning = 'http(s) URLs, comma-separated';
const webhookUrls = setting(
  z
    .string()
    .transform((v) => v.split(',').map((u) => u.trim()).filter((u) => u.length > 0))
    .pipe(z.array(z.string().regex(/^https?:\/\/\S+$/, `must be ${webhookUrlsMeaning}`)).max(20, 'at most 20 endpoints'))
    .optional(),
  undefined,
  webhookUrlsMeaning,
);

const visibilityMeaning = 'rules like client:agent;agent:* (viewer:type,type or viewer:*, separated by ;)';
const visibility = setting(
  z
    .string()
    .transform((text, ctx) => {
      try {
        return VisibilityRules.parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof InvalidVisibilityRules ? error.message : 'cannot be read' });
        return z.NEVER;
      }
    })
    .optional(),
  undefined,
  visibilityMeaning,
);

export const settings = {
  NODE_ENV: oneOf(['development', 'production', 'test'], 'development'),
  PORT: integer(5000, 0, 65535),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  REACT_WEB_URL: origins,
  JWT_ACCESS_SECRET: secret(`any text; at least ${minProductionSecretBytes} bytes (UTF-8) with NODE_ENV=production`),
  JWT_COOKIE_NAME: text(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'a cookie name', 'access_token'),
  JWT_USER_CLAIM: setting(z.string().min(1).default('sub'), 'sub', 'any claim name'),
  JWT_TENANT_CLAIM: setting(z.string().min(1).optional(), undefined, 'any claim name'),
  JWT_USER_TYPE_CLAIM: setting(z.string().min(1).default('user_type'), 'user_type', 'any claim name'),
  PRESENCE_VISIBILITY: visibility,
  METRICS_TOKEN: secret(),
  PRESENCE_TTL_MS: integer(60_000, 1, 86_400_000),
  PRESENCE_SWEEP_INTERVAL_MS: integer(1_000, 1, 600_000),
  PRESENCE_DISCONNECT_GRACE_MS: integer(5_000, 0, 86_400_000),
  PRESENCE_IDLE_MS: integer(600_000, 1, 86_400_000),
  PRESENCE_BROADCAST_HEARTBEATS: flag(false),
  PRESENCE_EVENT_RATE: integer(20, 1, 100_000),
  PRESENCE_STATUS_RATE: integer(1, 1, 100_000),
  PRESENCE_MAX_MESSAGE_BYTES: integer(DEFAULT_MAX_MESSAGE_BYTES, 256, 16_777_216),
  PRESENCE_MAX_CONNECTIONS_PER_USER: integer(20, 1, 100_000),
  PRESENCE_MAX_CONNECTIONS_PER_ADDRESS: integer(0, 0, 10_000_000),
  PRESENCE_HANDSHAKE_TIMEOUT_MS: integer(10_000, 100, 600_000),
  HTTP_READ_RATE: integer(20, 1, 100_000),
  TRUST_PROXY: flag(false),
  PRESENCE_MAX_BUFFERED_BYTES: integer(4_194_304, 65_536, 1_073_741_824),
  PRESENCE_STORE: oneOf(['memory', 'redis'], 'memory'),
  REDIS_URL: optionalText(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
  REDIS_KEY_PREFIX: text(/^[\w.:-]{1,64}$/, '1 to 64 letters, digits or ._:-', 'presence:'),
  REDIS_COMMAND_TIMEOUT_MS: integer(2_000, 10, 600_000),
  PRESENCE_NODE_LEASE_MS: integer(15_000, 300, 3_600_000),
  PRESENCE_REPLAY_SIZE: integer(10_000, 100, 10_000_000),
  PRESENCE_DIFF_INTERVAL_MS: integer(250, 10, 60_000),
  PERSISTENCE: optionalOneOf(['memory', 'postgres', 'supabase']),
  DATABASE_URL: optionalText(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL'),
  DATABASE_POOL_MAX: integer(4, 1, 100),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(5_000, 100, 600_000),
  PERSIST_READ_TIMEOUT_MS: integer(1_000, 10, 600_000),
  REACT_SUPABASE_URL: optionalText(/^https?:\/\/\S+$/, 'the project URL, like https://xyz.supabase.co'),
  REACT_SERVICE_ROLE_KEY: secret(),
  PERSIST_FLUSH_INTERVAL_MS: integer(5_000, 10, 3_600_000),
  NODE_ID: optionalText(/^[\w.:-]{1,64}$/, '1 to 64 letters, digits or ._:-'),
  SHUTDOWN_TIMEOUT_MS: integer(8_000, 100, 60_000),
  WEBHOOK_URLS: webhookUrls,
  WEBHOOK_SECRET: secret(`any text, at least ${minProductionSecretBytes} bytes (UTF-8)`),
  WEBHOOK_BATCH_MS: integer(1_000, 10, 600_000),
  WEBHOOK_BATCH_MAX: integer(500, 1, 10_000),
  WEBHOOK_TIMEOUT_MS: integer(5_000, 100, 600_000),
  WEBHOOK_MAX_AGE_MS: integer(86_400_000, 1_000, 2_592_000_000),
};
