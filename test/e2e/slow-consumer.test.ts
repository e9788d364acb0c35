import supertest from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { sample } from '../support/metrics-text';
import { closeAllSockets, connect, nextEvent, request } from '../support/socket-client';
import { waitUntil } from '../support/wait-until';

describe('a connection that does not read what it is sent (CONTRACT §11)', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('is disconnected once its unsent output is over PRESENCE_MAX_BUFFERED_BYTES, and no one else is', async () => {
    app = await buildTestApp({ PRESENCE_MAX_BUFFERED_BYTES: '65536', PRESENCE_EVENT_RATE: '1000', PRESENCE_TTL_MS: '60000' });
    for (let i = 0; i < 1_000; i++) {
      await app.service.goOnline({ connectionId: `c${i}`, nodeId: 'test', userId: `user-${i}`, userName: 'n'.repeat(100) });
    }
    const bystander = await connect(app.url);
    expect(await request(bystander, 'userOnline', { userId: 'bystander' })).toMatchObject({ ok: true });
    const reader = await connect(app.url);
    const cut = nextEvent<string>(reader, 'disconnect', 10_000);
    // The client stops reading its socket: every list the service sends it stays in the service's buffers.
    (reader.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
    for (let i = 0; i < 200; i++) reader.emit('getOnlineUsers');

    const cutOff = async () => sample((await supertest(app.url).get('/metrics')).text, 'presence_slow_consumers_disconnected_total');
    await waitUntil(async () => (await cutOff()) === 1);
    expect(await request(bystander, 'userHeartbeat', { userId: 'bystander' })).toEqual({ ok: true, userId: 'bystander' });
    expect(bystander.connected).toBe(true);
    (reader.io.engine.transport as unknown as { ws: { _socket: { resume(): void } } }).ws._socket.resume();
    expect(await cut).toMatch(/io server disconnect|transport close/);
  });

  it('is disconnected once its transport takes none of its output for a while, however little that is', async () => {
    // A byte limit out of reach, so that only the stall can cut it; the stall played out in a fraction of a second.
    app = await buildTestApp({ PRESENCE_MAX_BUFFERED_BYTES: '1073741824', PRESENCE_EVENT_RATE: '1000', PRESENCE_TTL_MS: '60000' }, {}, {
      configure: (config) => ({ ...config, derived: { ...config.derived, outputStallMs: 400, outputCheckIntervalMs: 50 } }),
    });
    for (let i = 0; i < 1_000; i++) {
      await app.service.goOnline({ connectionId: `c${i}`, nodeId: 'test', userId: `user-${i}`, userName: 'n'.repeat(100) });
    }
    const bystander = await connect(app.url);
    expect(await request(bystander, 'userOnline', { userId: 'bystander' })).toMatchObject({ ok: true });
    const reader = await connect(app.url);
    const cut = nextEvent<string>(reader, 'disconnect', 10_000);
    (reader.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
    // More than the kernel's buffers hold, so that some waits in the service; far less than the byte limit.
    for (let i = 0; i < 100; i++) reader.emit('getOnlineUsers');

    const cutOff = async () => sample((await supertest(app.url).get('/metrics')).text, 'presence_slow_consumers_disconnected_total');
    await waitUntil(async () => (await cutOff()) === 1);
    expect(await request(bystander, 'userHeartbeat', { userId: 'bystander' })).toEqual({ ok: true, userId: 'bystander' });
    (reader.io.engine.transport as unknown as { ws: { _socket: { resume(): void } } }).ws._socket.resume();
    expect(await cut).toMatch(/io server disconnect|transport close/);
  });

  it('lets one honest list of 10,000 users out at the default limit', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    for (let i = 0; i < 10_000; i++) {
      await app.service.goOnline({ connectionId: `c${i}`, nodeId: 'test', userId: `user-${i}`, userName: 'n'.repeat(100) });
    }
    const client = await connect(app.url);
    const { users } = await request(client, 'getOnlineUsers');
    expect(users).toHaveLength(10_000);
    expect(client.connected).toBe(true);
    expect(sample((await supertest(app.url).get('/metrics')).text, 'presence_slow_consumers_disconnected_total')).toBe(0);
  });
});
