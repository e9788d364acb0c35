/**
 * CONTRACT §10's push (issue 19): how many events a second the event stream and the webhooks carry while 10,000
 * users churn, and how long a transition takes to reach a consumer (p50/p99), in one process: the real container
 * and HTTP server, an SSE consumer reading `GET /presence-events` over a real socket, and a webhook receiver.
 * The churn goes through the use cases directly (no sockets), so that the figures are the push's, not §1's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { PresenceApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildContainer } from '../src/container';
import { TOKENS } from '../src/tokens';
import { round } from './stats';

export interface BackendPushOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
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
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    PRESENCE_TTL_MS: '600000',
    WEBHOOK_URLS: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
    WEBHOOK_SECRET: 'bench-webhook-secret-long-enough-32b',
    WEBHOOK_BATCH_MS: '100',
  };
  const app = new PresenceApp(buildContainer(loadConfig(env), pino({ level: 'silent' })));
  const port = await app.start(0);
  const service = app.container.get(TOKENS.PresenceService);
  const stream = new Arrivals();
  const consumer = http.get(`http://127.0.0.1:${port}/presence-events`, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      const at = Date.now();
      for (const frame of frames) {
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (data !== undefined && frame.includes('event: presence')) stream.add(JSON.parse(data) as { lastSeen?: string }, at);
      }
    });
  });
  /**
   * One user at a time goes offline and comes back, for `seconds`, at `ratePerSecond` transitions (as fast as the use
   * cases take them when infinite); then waits for both consumers to have every event, and says what they saw.
   */
  const webhooks = app.container.get(TOKENS.Webhooks);
  /** Until the endpoint has acknowledged everything, and the stream's consumer has `streamed` events. */
  const drained = async (streamed: number): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while ((stream.count < streamed || (webhooks?.pending ?? 0) > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const churn = async (ratePerSecond: number) => {
    await drained(0);
    for (const arrivals of [stream, webhook]) {
      arrivals.delays.length = 0;
      arrivals.count = 0;
    }
    const started = Date.now();
    let transitions = 0;
    for (let i = 0; Date.now() - started < seconds * 1_000; i = (i + 1) % users) {
      await service.goOffline({ userId: `u${i}`, connectionId: `c${i}` });
      await service.goOnline({ userId: `u${i}`, connectionId: `c${i}`, nodeId: 'bench' });
      transitions += 2;
      const ahead = (transitions / ratePerSecond) * 1_000 - (Date.now() - started);
      // Let the sockets write: the push is measured, not a loop that never yields.
      if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
      else if (transitions % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const churnSeconds = (Date.now() - started) / 1_000;
    await drained(transitions);
    return {
      transitionsPerSecond: Math.round(transitions / churnSeconds),
      stream: stream.summary(churnSeconds),
      webhooks: webhook.summary(churnSeconds),
    };
  };
  try {
    options.log(`backend push: ${users} users online, then ${seconds} s of churn as fast as it goes, and ${seconds} s paced…`);
    for (let i = 0; i < users; i++) await service.goOnline({ userId: `u${i}`, connectionId: `c${i}`, nodeId: 'bench' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cap = (500 / 100) * 1_000;
    const flat = await churn(Number.POSITIVE_INFINITY);
    const paced = await churn(Math.round(cap * 0.4));
    return { users, webhookCapPerSecond: cap, flatOut: flat, paced };
  } finally {
    consumer.destroy();
    await app.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
