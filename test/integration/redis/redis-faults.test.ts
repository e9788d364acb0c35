import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { FaultyProxy } from '../../support/faulty-proxy';
import { sample } from '../../support/metrics-text';
import { promtoolCheckMetrics } from '../../support/promtool';
import { testRedisPrefix } from '../../support/redis';
import { closeAllSockets, connect, request as emit, type TestSocket } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';

jest.setTimeout(60_000);

const TIMEOUT_MS = 300;
/** What a busy machine may add to the command timeout before the refusal reaches the client. */
const SLACK_MS = 1_000;

const REFUSED = { ok: false, error: { code: 'INTERNAL' } };

/** Replies no Redis sends: an error then a null with no command waiting for it, a negative array, a bad length, noise. */
const GARBAGE: ReadonlyArray<string | (() => Buffer)> = ['*-7\r\n', '$abc\r\n', '*3\r\n:1\r\n', '%\r\n', noise(7), ':1\r\n:2\r\n'];

/** Bytes that look random but are the same on every run. */
function noise(seed: number): () => Buffer {
  let x = seed;
  return () => Buffer.from(Array.from({ length: 48 }, () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) & 0xff));
}

describe('Redis that hangs or answers garbage (CONTRACT §11)', () => {
  const proxy = new FaultyProxy('127.0.0.1', 6379);
  const redis = testRedisPrefix();
  let node: ClusterNode;

  const status = async (path: string): Promise<number> => (await request(node.url).get(path)).status;
  const timed = async (socket: TestSocket, event: string, payload: object): Promise<{ ack: unknown; ms: number }> => {
    const started = Date.now();
    const ack: unknown = await emit(socket, event, payload);
    return { ack, ms: Date.now() - started };
  };
  /**
   * Forwarding again: the node is ready and takes events within a few reconnects. On a fresh connection, so that the
   * proof is one update within the 300 ms limit (a connection that announced another user would need two), and with
   * room for a machine that other tests keep busy.
   */
  const recovered = async (userId: string): Promise<void> => {
    proxy.forward();
    await waitUntil(async () => (await status('/ready')) === 200, 15_000, 50);
    const fresh = await connect(node.url);
    await waitUntil(async () => (await emit(fresh, 'userOnline', { userId })).ok === true, 20_000, 50);
    expect((await request(node.url).get(`/presence/${userId}`)).body).toMatchObject({ userId, status: 'online' });
  };

  beforeEach(async () => {
    proxy.forward();
    await proxy.start();
    node = await startNode('faults', `redis://127.0.0.1:${proxy.port}`, redis.prefix, { REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS) });
  });

  afterEach(async () => {
    closeAllSockets();
    node.process.kill('SIGKILL');
    await proxy.close();
    await redis.cleanup();
  });

  it('refuses an event INTERNAL within REDIS_COMMAND_TIMEOUT_MS while Redis hangs, answers /health meanwhile, and recovers', async () => {
    const socket = await connect(node.url);
    const other = await connect(node.url);
    expect((await emit(socket, 'userOnline', { userId: 'h1' })).ok).toBe(true);

    proxy.hang();
    const refused = timed(socket, 'userHeartbeat', { userId: 'h1' });
    expect(await status('/health')).toBe(200);
    const { ack, ms } = await refused;
    expect(ack).toMatchObject(REFUSED);
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // Another connection's event waits for its own command only, not behind the first.
    const second = await timed(other, 'userOnline', { userId: 'h2' });
    expect(second.ack).toMatchObject(REFUSED);
    expect(second.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    await waitUntil(async () => (await status('/ready')) === 503, 10_000, 50);

    await recovered('h2');
    expect(node.process.child.exitCode).toBeNull();
  });

  it('refuses an event INTERNAL within REDIS_COMMAND_TIMEOUT_MS when Redis answers each command, but too slowly', async () => {
    const socket = await connect(node.url);
    expect((await emit(socket, 'userOnline', { userId: 's1' })).ok).toBe(true);
    // Each command answers within the timeout (so no command times out, nor the socket), but an update is two.
    proxy.slow(TIMEOUT_MS * 0.6);
    const { ack, ms } = await timed(socket, 'userOnline', { userId: 's2' });
    expect(ack).toMatchObject(REFUSED);
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    await recovered('s3');
  });

  it('survives garbage replies: refuses events INTERNAL, answers /health, counts them, and recovers once Redis answers', async () => {
    const socket = await connect(node.url);
    expect((await emit(socket, 'userOnline', { userId: 'g1' })).ok).toBe(true);

    // On a ready connection: ioredis meets a null reply no command waits for, which used to end the process.
    proxy.garble('-ERR\r\n$-5\r\n');
    expect(await emit(socket, 'userHeartbeat', { userId: 'g1' })).toMatchObject(REFUSED);
    expect(await status('/health')).toBe(200);
    await recovered('g2');

    // On a ready connection: a reply of the wrong shape, which our decoding refuses.
    proxy.garble('*-7\r\n');
    expect(await emit(socket, 'userHeartbeat', { userId: 'g2' })).toMatchObject(REFUSED);

    // Whatever else the connections (reconnecting, reading the streams) meet.
    for (const garbage of GARBAGE) {
      const sent = proxy.garbageSent;
      proxy.garble(garbage);
      await waitUntil(async () => proxy.garbageSent > sent + 2, 10_000, 20);
      expect(await emit(socket, 'userHeartbeat', { userId: 'g2' })).toMatchObject(REFUSED);
      expect(await status('/health')).toBe(200);
    }
    expect(node.process.child.exitCode).toBeNull();
    const metrics = (await request(node.url).get('/metrics')).text;
    expect(sample(metrics, 'presence_process_errors_total{kind="malformed_reply",source="redis"}')).toBeGreaterThanOrEqual(2);
    expect(await promtoolCheckMetrics(metrics)).toEqual({ exitCode: 0, output: '' });

    await recovered('g3');
    expect(node.process.output).not.toContain('TypeError');
  });
});
