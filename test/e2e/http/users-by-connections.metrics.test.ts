import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { get } from '../../support/http-client';
import { sample } from '../../support/metrics-text';
import { closeAllSockets, connect, request, StatusLog, type TestSocket } from '../../support/socket-client';

const buckets = ['1', '2', '3-5', '6-10', 'more'] as const;

/** `presence_users_by_connections` per bucket, as one scrape reports it. */
async function usersByConnections(app: TestApp): Promise<Record<string, number | undefined>> {
  const text = (await get(app.url, '/metrics', '/metrics')).text;
  return Object.fromEntries(buckets.map((b) => [b, sample(text, `presence_users_by_connections{connections="${b}"}`)]));
}

describe('presence_users_by_connections', () => {
  let app: TestApp;

  beforeEach(async () => {
    // A TTL far longer than the test, no grace: users leave only when the test makes them.
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DISCONNECT_GRACE_MS: '0' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  async function online(userId: string, connections: number): Promise<TestSocket[]> {
    const sockets: TestSocket[] = [];
    for (let i = 0; i < connections; i++) {
      const socket = await connect(app.url);
      expect(await request(socket, 'userOnline', { userId })).toMatchObject({ ok: true });
      sockets.push(socket);
    }
    return sockets;
  }

  it('counts online users by how many connections hold them, every bucket reported, zero included', async () => {
    expect(await usersByConnections(app)).toEqual({ '1': 0, '2': 0, '3-5': 0, '6-10': 0, more: 0 });
    await online('alice', 1);
    await online('bob', 2);
    await online('carol', 4);
    await online('dave', 5);
    await online('erin', 6);
    await online('frank', 11);
    expect(await usersByConnections(app)).toEqual({ '1': 1, '2': 1, '3-5': 2, '6-10': 1, more: 1 });
  });

  it('is a gauge per bucket, in place of the histogram that Prometheus read as counter resets', async () => {
    const text = (await get(app.url, '/metrics', '/metrics')).text;
    expect(text).toContain('# TYPE presence_users_by_connections gauge');
    expect(text).not.toContain('presence_connections_per_user');
  });

  it('goes back down as connections end and users leave', async () => {
    const observer = new StatusLog(await connect(app.url));
    await online('alice', 1);
    const bob = await online('bob', 2);
    const carol = await online('carol', 4);
    expect(await usersByConnections(app)).toEqual({ '1': 1, '2': 1, '3-5': 1, '6-10': 0, more: 0 });

    expect(await request(bob[0] as TestSocket, 'userOffline', { userId: 'bob' })).toMatchObject({ ok: true });
    expect(await usersByConnections(app)).toEqual({ '1': 2, '2': 0, '3-5': 1, '6-10': 0, more: 0 });

    for (const socket of carol) socket.disconnect();
    await observer.waitFor((changes) => changes.some((c) => c.userId === 'carol' && c.status === 'offline'));
    expect(await usersByConnections(app)).toEqual({ '1': 2, '2': 0, '3-5': 0, '6-10': 0, more: 0 });
  });
});

describe('presence_build_info', () => {
  it("carries the package's version, with the value 1", async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    const app = await buildTestApp();
    try {
      const text = (await get(app.url, '/metrics', '/metrics')).text;
      expect(text).toContain('# TYPE presence_build_info gauge');
      expect(sample(text, `presence_build_info{version="${version}"}`)).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
