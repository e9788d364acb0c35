import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { DisposableRedisServer } from '../../support/redis-server';
import { closeAllSockets, connect, request as emit } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';

jest.setTimeout(60_000);

describe('Redis unreachable when the service starts (CONTRACT §11)', () => {
  const redis = new DisposableRedisServer();
  let node: ClusterNode | undefined;

  afterEach(async () => {
    closeAllSockets();
    node?.process.kill('SIGKILL');
    await redis.stop();
  });

  it('listens and answers /health meanwhile, says 503 on /ready, and serves presence once Redis is there', async () => {
    // Started once for a port of its own, then stopped: the service starts against a Redis that is not there.
    await redis.start();
    await redis.stop();
    node = await startNode('down-at-start', redis.url, 'down-at-start:');
    const url = node.url;
    expect((await request(url).get('/health')).status).toBe(200);
    const ready = await request(url).get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.components.store).toEqual({ status: 'down', since: expect.any(String) });

    await redis.start();
    await waitUntil(async () => (await request(url).get('/ready')).status === 200, 20_000);
    const socket = await connect(url);
    await waitUntil(async () => (await emit(socket, 'userOnline', { userId: 'late' })).ok === true, 10_000);
    expect((await request(url).get('/presence/late')).body).toMatchObject({ userId: 'late', status: 'online' });
  });
});
