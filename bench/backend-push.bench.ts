/**
 * CONTRACT §10's push (issue 19): how many events a second the event stream and the webhooks carry while 10,000
 * users churn, and how long a transition takes to reach a consumer (p50/p99), in one process: the real container
 * and HTTP server, an SSE consumer reading `GET /presence-events` over a real socket, and a webhook receiver.
 * The churn goes through the use cases directly (no sockets), so that the figures are the push's, not §1's.
 * `--store redis`: the outbox is Redis's stream, and a second node (its own process, started first so that it holds
 * the delivery lease) delivers the webhooks: the delay is across nodes. `--persistence postgres`: the in-memory
 * outbox is journaled to a throwaway database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import pino from 'pino';
import { migrate, plannedMigrations } from '../src/adapters/postgres/migrator';
import { RedisKeys } from '../src/adapters/redis/redis-keys';
import { PresenceApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildContainer } from '../src/container';
import { TOKENS } from '../src/tokens';
import { metric, ServerProcess } from './server-process';
import { round } from './stats';

export interface BackendPushOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
  readonly store: 'memory' | 'redis';
  /** `postgres`: the in-memory outbox is journaled to PostgreSQL. */
  readonly persistence: 'memory' | 'postgres';
  readonly redisPrefix: string;
}

/** A throwaway migrated database for the journal, and how to drop it. */
async function journalDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  const name = `presence_bench_push_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const pool = new Pool({ connectionString: url, max: 1 });
  await migrate(pool, plannedMigrations({ dev: true }));
  await pool.end();
  return {
    url,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Delays (ms) from each event's `lastSeen` (the instant of its transition) to its arrival. */
class Arrivals {
  readonly delays: number[] = [];
  count = 0;
  add(event: { lastSeen?: string }, at: number): void {
    this.count += 1;
    if (event.lastSeen !== undefined) this.delays.push(at - Date.parse(event.lastSeen));
  }
  summary(seconds: number) {
    const sorted = [...this.delays].sort((a, b) => a - b);
    return { events: this.count, perSecond: Math.round(this.count / seconds), p50Ms: round(percentile(sorted, 50), 1), p99Ms: round(percentile(sorted, 99), 1) };
  }
}

export async function backendPushBenchmark(options: BackendPushOptions) {
  const users = options.quick ? 2_000 : 10_000;
  const seconds = options.quick ? 3 : 10;
  const webhook = new Arrivals();
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const at = Date.now();
      for (const event of (JSON.parse(body) as { events: Array<{ lastSeen?: string }> }).events) webhook.add(event, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    PRESENCE_TTL_MS: '600000',
    WEBHOOK_URLS: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
    WEBHOOK_SECRET: 'bench-webhook-secret-long-enough-32b',
    WEBHOOK_BATCH_MS: '100',
    ...(options.store === 'redis' ? { PRESENCE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: options.redisPrefix } : {}),
  };
  const database = options.persistence === 'postgres' ? await journalDatabase() : undefined;
  if (database !== undefined) env['DATABASE_URL'] = database.url;
  // On Redis, the node that delivers is another process, started first so that it takes the lease.
  const deliverer = options.store === 'redis' ? ServerProcess.service({ ...env, NODE_ID: DELIVERER }) : undefined;
  const delivererUrl = await deliverer?.url();
  if (deliverer !== undefined) await leaseHeldBy(options.redisPrefix, DELIVERER);
  const app = new PresenceApp(buildContainer(loadConfig(env), pino({ level: 'silent' })));
  const port = await app.start(0);
  const service = app.container.get(TOKENS.PresenceService);
  const stream = new Arrivals();
  /** The stream's consumer: cut off when it falls behind (CONTRACT §10), it resumes from the last id it read. */
  let lastId: string | undefined;
  let cuts = 0;
  let consumer: http.ClientRequest | undefined;
  /** Snapshots after the first: a resume from further back than the replay holds. */
  let snapshots = 0;
  let finished = false;
  const follow = (): void => {
    consumer = http.get(`http://127.0.0.1:${port}/presence-events`, { headers: lastId === undefined ? {} : { 'last-event-id': lastId } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const frames = buffer.split('\n\n');
        buffer = frames.pop() ?? '';
        const at = Date.now();
        for (const frame of frames) {
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          lastId = /^id: (.*)$/m.exec(frame)?.[1] ?? lastId;
          if (data !== undefined && frame.includes('event: presence')) stream.add(JSON.parse(data) as { lastSeen?: string }, at);
          if (frame.includes('event: snapshot')) snapshots += 1;
        }
      });
      res.on('close', () => {
        if (finished) return;
        cuts += 1;
        follow();
      });
    });
    consumer.on('error', () => undefined);
  };
  follow();
  /**
   * Users go offline and come back (one at a time, or 16 on Redis), for `seconds`, at `ratePerSecond` transitions (as fast as the use
   * cases take them when infinite); then waits for both consumers to have every event, and says what they saw.
   */
  const webhooks = app.container.get(TOKENS.Webhooks);
  const pending = async () => (delivererUrl === undefined ? (webhooks?.pending ?? 0) : metric(delivererUrl, 'presence_webhook_pending_events'));
  const droppedUrl = delivererUrl ?? `http://127.0.0.1:${port}`;
  /** Until the endpoint has acknowledged everything, and the stream's consumer has `streamed` events (or resynced). */
  const drained = async (streamed: number, snapshotsBefore = snapshots): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (((stream.count < streamed && snapshots === snapshotsBefore) || (await pending()) > 0) && Date.now() < deadline) await pause(50);
  };
  const churn = async (ratePerSecond: number) => {
    await drained(0);
    for (const arrivals of [stream, webhook]) {
      arrivals.delays.length = 0;
      arrivals.count = 0;
    }
    const droppedBefore = await metric(droppedUrl, 'presence_webhook_dropped_events_total');
    const [cutsBefore, snapshotsBefore] = [cuts, snapshots];
    const started = Date.now();
    let transitions = 0;
    const lanes = lanesOf(options.store);
    const lane = async (first: number) => {
      for (let i = first; Date.now() - started < seconds * 1_000; i = (i + lanes) % users) {
        await service.goOffline({ userId: `u${i}`, connectionId: `c${i}` });
        await service.goOnline({ userId: `u${i}`, connectionId: `c${i}`, nodeId: 'bench' });
        transitions += 2;
        const ahead = (transitions / ratePerSecond) * 1_000 - (Date.now() - started);
        // Let the sockets write: the push is measured, not a loop that never yields.
        if (ahead > 1) await pause(ahead);
        else if (transitions % 200 < 2) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, first) => lane(first)));
    const churnSeconds = (Date.now() - started) / 1_000;
    await drained(transitions, snapshotsBefore);
    return {
      transitionsPerSecond: Math.round(transitions / churnSeconds),
      stream: { ...stream.summary(churnSeconds), cutOffAsSlow: cuts - cutsBefore, resyncedBySnapshot: snapshots - snapshotsBefore },
      webhooks: { ...webhook.summary(churnSeconds), dropped: (await metric(droppedUrl, 'presence_webhook_dropped_events_total')) - droppedBefore },
    };
  };
  try {
    const where = `${options.store} store${options.store === 'redis' ? ', webhooks from another node' : ''}${database ? ', outbox journaled to PostgreSQL' : ''}`;
    options.log(`backend push (${where}): ${users} users online, then ${seconds} s of churn as fast as it goes, and ${seconds} s paced…`);
    for (let i = 0; i < users; i++) await service.goOnline({ userId: `u${i}`, connectionId: `c${i}`, nodeId: 'bench' });
    await pause(500);
    const cap = (500 / 100) * 1_000;
    const flat = await churn(Number.POSITIVE_INFINITY);
    const paced = await churn(Math.round(cap * 0.4));
    return { users, store: options.store, journal: database !== undefined, webhookCapPerSecond: cap, flatOut: flat, paced };
  } finally {
    finished = true;
    consumer?.destroy();
    await app.stop();
    await deliverer?.stop();
    await database?.drop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DELIVERER = 'bench-deliverer';
/** Users churned at once: on Redis one at a time would measure a round trip to Redis, not the push. */
const lanesOf = (store: 'memory' | 'redis'): number => (store === 'redis' ? 16 : 1);

/** Until the node named `nodeId` holds the webhook delivery lease. */
async function leaseHeldBy(prefix: string, nodeId: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    while ((await redis.get(new RedisKeys(prefix).webhookLease)) !== nodeId) await pause(50);
  } finally {
    redis.disconnect();
  }
}
