import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { PresenceLog } from '../../support/presence-log';
import { PresenceMirror } from '../../support/presence-mirror';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { closeAllSockets, connect, request as emit } from '../../support/socket-client';

jest.setTimeout(60_000);

/** CONTRACT §8 across two nodes on one Redis: one decision per change, told once, in order, on every node. */
describe('availability across nodes', () => {
  const { prefix, cleanup } = testRedisPrefix();
  let nodes: ClusterNode[] = [];

  beforeAll(async () => {
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name, REDIS_URL, prefix, { PRESENCE_IDLE_MS: '400', PRESENCE_STATUS_RATE: '100' })));
  });

  afterEach(() => closeAllSockets());

  afterAll(async () => {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.process.exited()));
    await cleanup();
  });

  const node = (i: number): ClusterNode => nodes[i] as ClusterNode;

  it('tells a choice made on one node to the clients of every node, after the online and before the offline, once', async () => {
    const logs = await Promise.all(nodes.map(async (n) => new PresenceLog(await connect(n.url))));
    const agent = await connect(node(0).url);
    await emit(agent, 'userOnline', { userId: 'agent' });
    await Promise.all(logs.map((log) => log.waitForTail('agent', ['online online'], 15_000)));
    expect(await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy', statusText: 'call' })).toMatchObject({ ok: true, availability: 'busy' });
    await Promise.all(logs.map((log) => log.waitForTail('agent', ['busy set'], 15_000)));
    const rest = await request(node(1).url).get('/presence?availability=busy');
    expect(rest.body).toMatchObject({ total: 1, users: [{ userId: 'agent', availability: 'busy', statusText: 'call' }] });
    await emit(agent, 'userOffline', { userId: 'agent' });
    await Promise.all(logs.map((log) => log.waitForTail('agent', ['offline explicit'], 15_000)));
    for (const log of logs) expect(log.of('agent')).toEqual(['online online', 'busy set', 'offline explicit']);
    const seqs = logs.map((log) => log.availabilityChanges('agent').map((c) => c.seq));
    expect(seqs[0]).toEqual(seqs[1]);
  });

  it('decides the availability of a user with tabs on two nodes from all its connections, and sends idle by time once', async () => {
    const logs = await Promise.all(nodes.map(async (n) => new PresenceLog(await connect(n.url))));
    const tabA = await connect(node(0).url);
    const tabB = await connect(node(1).url);
    await emit(tabA, 'userOnline', { userId: 'two-tabs' });
    await emit(tabB, 'userOnline', { userId: 'two-tabs' });
    await emit(tabA, 'userActivity', { userId: 'two-tabs', idle: true });
    // One tab is idle, the other an old client's: available. Then the other reports activity and goes quiet.
    await emit(tabB, 'userActivity', { userId: 'two-tabs', idle: false });
    await Promise.all(logs.map((log) => log.waitForTail('two-tabs', ['away idle'], 15_000)));
    await emit(tabB, 'userActivity', { userId: 'two-tabs', idle: false });
    await Promise.all(logs.map((log) => log.waitForTail('two-tabs', ['away idle', 'available active'], 15_000)));
    // Both nodes sweep: the idle deadline is one change, told once on each node.
    for (const log of logs) expect(log.of('two-tabs').slice(0, 3)).toEqual(['online online', 'away idle', 'available active']);
  });

  it('gives a §7 subscriber on another node the updates', async () => {
    const agent = await connect(node(0).url);
    await emit(agent, 'userOnline', { userId: 'subscribed-agent' });
    const client = await connect(node(1).url);
    const mirror = new PresenceMirror(client);
    await emit(client, 'presenceSubscribe', { userIds: ['subscribed-agent'] });
    await mirror.waitFor(() => mirror.users.get('subscribed-agent')?.status === 'online', 15_000);
    await emit(agent, 'userStatusSet', { userId: 'subscribed-agent', availability: 'away', statusText: 'lunch' });
    await mirror.waitFor(() => mirror.users.get('subscribed-agent')?.statusText === 'lunch', 15_000);
    expect(mirror.users.get('subscribed-agent')).toMatchObject({ availability: 'away' });
    expect(mirror.problems).toEqual([]);
  });
});
