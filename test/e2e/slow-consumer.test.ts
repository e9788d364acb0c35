import supertest from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { sample } from '../support/metrics-text';
import { closeAllSockets, connect, nextEvent, request, type TestSocket } from '../support/socket-client';
import { waitUntil } from '../support/wait-until';

describe('a connection that does not read what it is sent (CONTRACT §11)', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  const populate = async (users: number): Promise<void> => {
    for (let i = 0; i < users; i++) {
      await app.service.goOnline({ connectionId: `c${i}`, nodeId: 'test', userId: `user-${i}`, userName: 'n'.repeat(100) });
    }
  };
  const cutOff = async () => sample((await supertest(app.url).get('/metrics')).text, 'presence_slow_consumers_disconnected_total');
  type TcpPausing = { ws: { _socket: { pause(): void; resume(): void } } };
  const tcpOf = (socket: TestSocket) => (socket.io.engine.transport as unknown as TcpPausing).ws._socket;

  /**
   * A client that stops reading its socket and asks for `lists` lists: what the service sends it stays in the
   * kernel's buffers, then in the service's. It is cut off, and a bystander's heartbeat is answered all along.
   */
  const readerIsCutOff = async (lists: number): Promise<void> => {
    const bystander = await connect(app.url);
    expect(await request(bystander, 'userOnline', { userId: 'bystander' })).toMatchObject({ ok: true });
    const reader = await connect(app.url);
    const cut = nextEvent<string>(reader, 'disconnect', 10_000);
    tcpOf(reader).pause();
    for (let i = 0; i < lists; i++) reader.emit('getOnlineUsers');
    await waitUntil(async () => (await cutOff()) === 1);
    expect(await request(bystander, 'userHeartbeat', { userId: 'bystander' })).toEqual({ ok: true, userId: 'bystander' });
    expect(bystander.connected).toBe(true);
    tcpOf(reader).resume();
    expect(await cut).toMatch(/io server disconnect|transport close/);
  };

  it('is disconnected once its unsent output is over PRESENCE_MAX_BUFFERED_BYTES, and no one else is', async () => {
    app = await buildTestApp({ PRESENCE_MAX_BUFFERED_BYTES: '65536', PRESENCE_EVENT_RATE: '1000', PRESENCE_TTL_MS: '60000' });
    await populate(1_000);
    await readerIsCutOff(200);
  });

  it('is disconnected once its transport takes none of its output for a while, however little that is', async () => {
    // A byte limit out of reach, so that only the stall can cut it; the stall played out in a fraction of a second.
    app = await buildTestApp({ PRESENCE_MAX_BUFFERED_BYTES: '1073741824', PRESENCE_EVENT_RATE: '1000', PRESENCE_TTL_MS: '60000' }, {}, {
      configure: (config) => ({ ...config, derived: { ...config.derived, outputStallMs: 600, outputCheckIntervalMs: 200 } }),
    });
    await populate(1_000);
    // More than the kernel's buffers hold, so that some waits in the service; far less than the byte limit.
    await readerIsCutOff(100);
  });

  it('lets one honest list of 10,000 users out at the default limit', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    await populate(10_000);
    const client = await connect(app.url);
    const { users } = await request(client, 'getOnlineUsers');
    expect(users).toHaveLength(10_000);
    expect(client.connected).toBe(true);
    expect(await cutOff()).toBe(0);
  });
});
