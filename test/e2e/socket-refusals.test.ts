import { InMemoryPresenceStore } from '../../src/adapters/memory/in-memory-presence.store';
import supertest from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, nextEvent, request, StatusLog, type TestSocket } from '../support/socket-client';

describe('refused socket events', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  /** Refused payloads, each with the event it is sent on. */
  const invalid: Array<[string, string, unknown]> = [
    ['userOnline', 'a string instead of an object', 'alice'],
    ['userOnline', 'null', null],
    ['userOnline', 'an array', [{ userId: 'alice' }]],
    ['userOnline', 'no userId', { userType: 'agent' }],
    ['userOnline', 'an empty userId', { userId: '' }],
    ['userOnline', 'a userId over 128 characters', { userId: 'x'.repeat(129) }],
    ['userOnline', 'a fractional userId', { userId: 1.5 }],
    ['userOnline', 'an unsafe integer userId', { userId: 2 ** 53 }],
    ['userOnline', 'a boolean userId', { userId: true }],
    ['userOnline', 'an object userId', { userId: { $gt: '' } }],
    ['userOnline', 'a userType that is a number', { userId: 'alice', userType: 3 }],
    ['userOnline', 'a userName over 128 characters', { userId: 'alice', userName: 'n'.repeat(129) }],
    ['userOnline', 'a userId that is a lone surrogate', { userId: '\ud800' }],
    ['userOnline', 'a userType with a lone surrogate', { userId: 'alice', userType: 'agent\udc00' }],
    ['userOnline', 'a userName with a lone surrogate', { userId: 'alice', userName: '\ud83dAda' }],
    ['userHeartbeat', 'a userId that is a lone surrogate', { userId: '\udc00' }],
    ['userHeartbeat', 'no payload', undefined],
    ['userHeartbeat', 'a numeric payload', 42],
    ['userOffline', 'a userId array', { userId: ['alice'] }],
  ];

  it.each(invalid)('refuses %s with %s as INVALID_PAYLOAD, on the ack and presenceError, and changes nothing', async (event, _what, payload) => {
    app = await buildTestApp();
    const observer = new StatusLog(await connect(app.url));
    const client = await connect(app.url);
    const error = nextEvent(client, 'presenceError');
    const ack = await request(client, event, payload);
    expect(ack).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.any(String) } });
    expect(await error).toEqual({ event, code: 'INVALID_PAYLOAD', message: ack.error.message });
    expect(client.connected).toBe(true);
    expect(await request(client, 'getOnlineUsers')).toEqual({ ok: true, users: [] });
    expect(observer.changes).toEqual([]);
  });

  it('says what is wrong with the payload', async () => {
    app = await buildTestApp();
    const client = await connect(app.url);
    expect((await request(client, 'userOnline', { userId: 'x'.repeat(129) })).error.message).toMatch(/userId.*128/);
    expect((await request(client, 'userOnline', {})).error.message).toMatch(/userId.*required/);
    expect((await request(client, 'userOnline', 'alice')).error.message).toMatch(/object/);
  });

  it('sends presenceError for a refused event that came without an ack', async () => {
    app = await buildTestApp();
    const client = await connect(app.url);
    const error = nextEvent(client, 'presenceError');
    client.emit('userOnline', { userId: false } as never);
    expect(await error).toMatchObject({ event: 'userOnline', code: 'INVALID_PAYLOAD' });
  });

  it('ignores fields it does not know, and never lets them reach an object prototype', async () => {
    app = await buildTestApp();
    const client = await connect(app.url);
    const payload = JSON.parse('{"userId":"alice","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"extra":1}');
    expect(await request(client, 'userOnline', payload)).toMatchObject({ ok: true, userId: 'alice', status: 'online' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses events over the rate as RATE_LIMITED and keeps the connection', async () => {
    app = await buildTestApp({ PRESENCE_EVENT_RATE: '5' });
    const client = await connect(app.url);
    const acks = await Promise.all(Array.from({ length: 14 }, () => request(client, 'userHeartbeat', { userId: 'alice' })));
    const refused = acks.filter((a) => !a.ok);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(10);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(client.connected).toBe(true);
  });

  it('disconnects a connection that keeps flooding, and only that one', async () => {
    app = await buildTestApp({ PRESENCE_EVENT_RATE: '5' });
    const calm = await connect(app.url);
    const flooder = await connect(app.url);
    const gone = nextEvent(flooder, 'disconnect');
    for (let i = 0; i < 200; i++) flooder.emit('userHeartbeat', { userId: 'flood' });
    expect(await gone).toBe('io server disconnect');
    expect(await request(calm, 'getOnlineUsers')).toMatchObject({ ok: true });
    expect(calm.connected).toBe(true);
  });

  it('closes a connection that sends a message over the size limit, without reading it', async () => {
    app = await buildTestApp({ PRESENCE_MAX_MESSAGE_BYTES: '1024' });
    const observer = new StatusLog(await connect(app.url));
    const big = await connect(app.url);
    const gone = nextEvent<string>(big, 'disconnect');
    big.emit('userOnline', { userId: 'big', userName: 'n'.repeat(2_000) });
    expect(await gone).toBe('transport close');
    expect(await request(await connect(app.url), 'getOnlineUsers')).toEqual({ ok: true, users: [] });
    expect(observer.changes).toEqual([]);
  });

  it('answers INTERNAL when the store fails, says nothing more, and keeps serving', async () => {
    class FlakyStore extends InMemoryPresenceStore {
      failing = true;
      override update(...args: Parameters<InMemoryPresenceStore['update']>) {
        return this.failing ? Promise.reject(new Error('store is down: secret detail')) : super.update(...args);
      }
    }
    let flaky: FlakyStore | undefined;
    app = await buildTestApp({}, { store: (sink, firstSeq) => (flaky = new FlakyStore(sink, firstSeq)) });
    const client: TestSocket = await connect(app.url);
    expect(await request(client, 'userOnline', { userId: 'alice' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    (flaky as FlakyStore).failing = false;
    expect(await request(client, 'userOnline', { userId: 'alice' })).toMatchObject({ ok: true });
  });

  it('answers an event the protocol does not have with INVALID_PAYLOAD, counted under a bounded label', async () => {
    app = await buildTestApp();
    const client = await connect(app.url);
    expect(await request(client, 'noSuchEvent', { userId: 'x' })).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'unknown event noSuchEvent' } });
    const metrics = (await supertest(app.url).get('/metrics')).text;
    expect(metrics).toContain('presence_events_total{event="unknown",result="invalid_payload"} 1');
    expect(metrics).not.toContain('noSuchEvent');
  });
});
