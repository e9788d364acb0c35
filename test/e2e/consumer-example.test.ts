import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { followPresence, webhookHandler, type PresenceEvent } from '../../examples/presence-consumer';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, request as emit } from '../support/socket-client';

const SECRET = 'webhook-secret-that-is-long-enough-32';

/** The consumer example of examples/presence-consumer.ts, against the real service. */
describe('examples/presence-consumer.ts', () => {
  let app: TestApp;
  let receiver: http.Server;
  const handled: Array<PresenceEvent | { type: 'reset'; seq: number }> = [];

  beforeAll(async () => {
    receiver = http.createServer(webhookHandler(SECRET, (events) => handled.push(...events)));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    app = await buildTestApp({ WEBHOOK_URLS: url, WEBHOOK_SECRET: SECRET, WEBHOOK_BATCH_MS: '30', PRESENCE_TTL_MS: '60000' });
  });

  afterAll(async () => {
    closeAllSockets();
    await app.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const until = async (check: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('never happened');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('follows the stream into a view of who is online, and resumes from the seq it kept', async () => {
    const follower = followPresence({ url: app.url });
    const agent = await connect(app.url);
    await emit(agent, 'userOnline', { userId: 'agent' });
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy' });
    await until(() => follower.online.get('agent')?.availability === 'busy');
    const kept = follower.seq;
    follower.close();
    await emit(agent, 'userOffline', { userId: 'agent' });
    // A restarted consumer passes back the seq it stored: it learns what it missed, not a whole snapshot.
    const resumed = followPresence({ url: app.url, since: kept });
    const changes: string[] = [];
    resumed.onChange((user) => changes.push(`${String(user.userId)} ${user.status}`));
    await until(() => changes.length >= 1);
    expect(changes).toEqual(['agent offline']);
    resumed.close();
  });

  it('takes genuine webhook batches once each, and refuses a tampered body, another secret or an old timestamp', async () => {
    await until(() => handled.some((e) => 'userId' in e && e.userId === 'agent' && e.status === 'offline'));
    expect(handled[0]).toEqual({ type: 'reset', seq: expect.any(Number) });
    const seqs = handled.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const post = async (body: string, timestamp: string, secret = SECRET): Promise<number> => {
      const signature = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
      const res = await fetch(url, { method: 'POST', body, headers: { 'x-presence-timestamp': timestamp, 'x-presence-signature': signature } });
      return res.status;
    };
    const now = String(Math.floor(Date.now() / 1000));
    const body = JSON.stringify({ events: [{ ...(handled[1] as PresenceEvent), seq: Number.MAX_SAFE_INTEGER }] });
    expect(await post(body, String(Number(now) - 3_600))).toBe(401);
    expect(await post(body, now, `${SECRET}x`)).toBe(401);
    const signature = `sha256=${createHmac('sha256', SECRET).update(`${now}.${body}`).digest('hex')}`;
    const tampered = await fetch(url, { method: 'POST', body: `${body} `, headers: { 'x-presence-timestamp': now, 'x-presence-signature': signature } });
    expect(tampered.status).toBe(401);
    const before = handled.length;
    expect(await post(body, now)).toBe(204);
    expect(await post(body, now)).toBe(204);
    expect(handled.length).toBe(before + 1);
  });
});
