import http from 'node:http';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { sample } from '../support/metrics-text';
import { waitUntil } from '../support/wait-until';
import { closeAllStreams, EventStreamLog } from '../support/event-stream-log';
import { closeAllSockets, connect, request as emit, type TestSocket } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

/** CONTRACT §10's event stream, followed by a real EventSource. */
describe('GET /presence-events', () => {
  let app: TestApp;
  const events = () => `${app.url}/presence-events`;

  const online = async (userId: string, userType?: string): Promise<TestSocket> => {
    const socket = await connect(app.url);
    expect((await emit(socket, 'userOnline', { userId, userType })).ok).toBe(true);
    return socket;
  };

  afterEach(async () => {
    closeAllStreams();
    closeAllSockets();
    await app.stop();
  });

  it('starts with a snapshot, then tells every transition of §1 and §8 with its seq as the event id, in order', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    const first = await online('first', 'agent');
    const log = new EventStreamLog(events());
    await log.waitFor((l) => l.events.length >= 1);
    const [snapshot] = log.events;
    expect(snapshot).toMatchObject({ type: 'snapshot', data: { seq: expect.any(Number), users: [expect.objectContaining({ userId: 'first', status: 'online', availability: 'available' })] } });
    expect(snapshot?.id).toBe(String(snapshot?.data.seq));
    await emit(first, 'userStatusSet', { userId: 'first', availability: 'busy', statusText: 'call' });
    const second = await online('second');
    await emit(second, 'userOffline', { userId: 'second' });
    await log.waitFor((l) => l.summary().length >= 3);
    expect(log.summary()).toEqual(['first online set busy', 'second online online available', 'second offline explicit']);
    const presence = log.events.filter((e) => e.type === 'presence');
    expect(presence[0]?.data).toEqual({
      seq: expect.any(Number),
      userId: 'first',
      userType: 'agent',
      userName: null,
      status: 'online',
      availability: 'busy',
      statusText: 'call',
      lastSeen: expect.any(String),
      lastActive: null,
      reason: 'set',
    });
    const seqs = presence.map((e) => e.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(presence.map((e) => e.id)).toEqual(seqs.map(String));
    expect(seqs[0]).toBeGreaterThan(snapshot?.data.seq);
    const streams = async () => sample((await request(app.url).get('/metrics')).text, 'presence_event_stream_clients');
    expect(await streams()).toBe(1);
    // A consumer that goes is forgotten.
    log.close();
    await waitUntil(async () => (await streams()) === 0);
  });

  it('resumes after the Last-Event-ID it reconnects with from the replay, and with a snapshot for a cursor too old or from before a start', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    const log = new EventStreamLog(events());
    await log.waitFor((l) => l.events.length >= 1);
    const a = await online('a');
    await log.waitFor((l) => l.summary().length >= 1);
    const lastId = log.events[log.events.length - 1]?.id as string;
    log.close();
    await emit(a, 'userOffline', { userId: 'a' });
    await online('b');
    const resumed = new EventStreamLog(events(), { lastEventId: lastId });
    await resumed.waitFor((l) => l.summary().length >= 2);
    expect(resumed.events.map((e) => e.type)).toEqual(['presence', 'presence']);
    expect(resumed.summary()).toEqual(['a offline explicit', 'b online online available']);
    // ?since= wins over the header, and a cursor the replay does not reach back to gets a fresh start.
    const old = new EventStreamLog(`${events()}?since=1`, { lastEventId: lastId });
    await old.waitFor((l) => l.events.length >= 2);
    expect(old.events.map((e) => e.type)).toEqual(['reset', 'snapshot']);
    expect(old.events[1]?.data.users.map((u: { userId: string }) => u.userId)).toEqual(['b']);
  });

  it('carries the seq every REST answer is current to, and following from it misses nothing and tells nothing older', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    await online('before');
    const page = await request(app.url).get('/presence');
    expect(page.body.seq).toEqual(expect.any(Number));
    expect(page.headers['presence-seq']).toBe(String(page.body.seq));
    expect((await request(app.url).get('/presence/before')).headers['presence-seq']).toBe(String(page.body.seq));
    await online('after');
    const log = new EventStreamLog(`${events()}?since=${page.body.seq}`);
    await log.waitFor((l) => l.summary().length >= 1);
    expect(log.events.map((e) => e.type)).toEqual(['presence']);
    expect(log.summary()).toEqual(['after online online available']);
  });

  it('asks for a token like REST, shows a tenant only its own, and ends the stream when the token expires', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, JWT_TENANT_CLAIM: 'org' });
    expect((await request(app.url).get('/presence-events')).status).toBe(401);
    expect((await request(app.url).get('/presence-events?since=x').set('Authorization', `Bearer ${signToken({ sub: 'r', org: 'a' })}`)).status).toBe(400);
    const inA = new EventStreamLog(events(), { token: signToken({ sub: 'reader', org: 'a', scope: 'presence:read:all' }) });
    await inA.waitFor((l) => l.events.length >= 1);
    const userOf = async (org: string, sub: string) => {
      const socket = await connect(app.url, { auth: { token: signToken({ sub, org }) } });
      await emit(socket, 'userOnline', {});
      return socket;
    };
    await userOf('b', 'stranger');
    await userOf('a', 'colleague');
    await inA.waitFor((l) => l.summary().length >= 1);
    expect(inA.summary()).toEqual(['colleague online online available']);

    const expiring = signToken({ sub: 'reader', org: 'a', scope: 'presence:read:all', exp: Math.floor(Date.now() / 1000) + 2 });
    const ended = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      http
        .get(events(), { headers: { authorization: `Bearer ${expiring}` } }, (res) => {
          res.resume();
          res.once('end', () => resolve(Date.now() - started));
        })
        .once('error', reject);
    });
    expect(ended).toBeLessThan(5_000);
  });

  it('lets one reader hold ten streams open at once, refusing the eleventh 429 until one closes', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    const logs = Array.from({ length: 10 }, () => new EventStreamLog(events()));
    await Promise.all(logs.map((log) => log.waitFor((l) => l.events.length >= 1)));
    const refused = await request(app.url).get('/presence-events');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('10 open event streams') } });
    logs[0]?.close();
    const streams = async () => sample((await request(app.url).get('/metrics')).text, 'presence_event_stream_clients');
    await waitUntil(async () => (await streams()) === 9);
    const again = new EventStreamLog(events());
    await again.waitFor((l) => l.events.length >= 1);
  });

  it('keeps an idle stream open with comment lines, and ends one whose consumer does not read', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_MAX_BUFFERED_BYTES: '65536' }, {}, {
      configure: (config) => ({ ...config, derived: { ...config.derived, eventStreamKeepAliveMs: 50 } }),
    });
    const comments = await new Promise<string>((resolve, reject) => {
      http
        .get(events(), (res) => {
          // Proxies must pass it on as it comes: no caching, and nginx told not to buffer it.
          expect(res.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if ((text.match(/^:\n\n/gm) ?? []).length >= 2) {
              res.destroy();
              resolve(text);
            }
          });
        })
        .once('error', reject);
    });
    expect(comments).toMatch(/event: snapshot/);
    // A consumer that never reads: its output grows past the limit as users come and go, and the stream is ended.
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(events(), resolve).once('error', reject);
    });
    stalled.pause();
    const closed = new Promise<void>((resolve) => stalled.socket.once('close', () => resolve()));
    // More than the kernel's socket buffers take: the rest stays in the stream's own, past the limit.
    const name = 'x'.repeat(128);
    for (let i = 0; i < 40_000 && !stalled.socket.destroyed; i++) {
      await app.service.goOnline({ userId: `churn-${i}-${name}`, userName: name, connectionId: `c${i}`, nodeId: 'test' });
    }
    await closed;
    const metrics = (await request(app.url).get('/metrics')).text;
    expect(metrics).toMatch(/^presence_event_stream_clients 0$/m);
  });
});
