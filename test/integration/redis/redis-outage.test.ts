import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { DisposableRedisServer } from '../../support/redis-server';
import { closeAllSockets, connect, request as emit, StatusLog } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';

jest.setTimeout(60_000);

describe('Redis restarted mid-run', () => {
  const redis = new DisposableRedisServer();
  let nodes: ClusterNode[] = [];

  beforeAll(async () => {
    await redis.start();
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name, redis.url, 'outage:')));
  });

  afterAll(async () => {
    closeAllSockets();
    for (const node of nodes) node.process.kill('SIGKILL');
    await redis.stop();
  });

  it('reports not ready while it is gone, and converges without ghosts once it is back empty', async () => {
    const [a, b] = nodes as [ClusterNode, ClusterNode];
    const observerA = new StatusLog(await connect(a.url));
    const observerB = new StatusLog(await connect(b.url));
    const stays = await connect(a.url);
    const staysOnB = await connect(b.url);
    const leaves = await connect(b.url);
    await emit(stays, 'userOnline', { userId: 'stays' });
    await emit(staysOnB, 'userOnline', { userId: 'stays-on-b' });
    await emit(leaves, 'userOnline', { userId: 'leaves' });
    await Promise.all([observerA, observerB].map((o) => o.waitForCount(3)));

    await redis.stop();
    await waitUntil(async () => (await request(a.url).get('/ready')).status === 503);
    expect((await request(a.url).get('/ready')).body.components.store.status).toBe('down');
    expect(await emit(stays, 'userHeartbeat', { userId: 'stays' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    leaves.disconnect();

    await redis.start();
    await waitUntil(async () => (await request(a.url).get('/ready')).status === 200);
    const truth = ['stays', 'stays-on-b'];
    for (const node of nodes) {
      await waitUntil(async () => {
        const users = (await request(node.url).get('/presence')).body.users.map((u: { userId: string }) => u.userId).sort();
        return JSON.stringify(users) === JSON.stringify(truth);
      });
    }
    for (const o of [observerA, observerB]) {
      await o.waitFor((cs) => cs.some((c) => c.userId === 'leaves' && c.status === 'offline'), 15_000);
      const seen = (id: string) => o.changes.filter((c) => c.userId === id).map((c) => c.status);
      expect(seen('leaves')).toEqual(['online', 'offline']);
      expect(seen('stays')).toEqual(['online']);
      expect(seen('stays-on-b')).toEqual(['online']);
    }
  });
});
