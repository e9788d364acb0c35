import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { PresenceMirror } from '../../support/presence-mirror';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { closeAllSockets, connect, request as emit, StatusLog, type TestSocket } from '../../support/socket-client';

jest.setTimeout(60_000);

/** Each user's statuses, as one client saw them, in order. */
function perUser(log: StatusLog): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const c of log.changes) seen.set(String(c.userId), [...(seen.get(String(c.userId)) ?? []), `${c.status} ${c.reason}`]);
  return seen;
}

describe('three nodes on one Redis act as one service', () => {
  const { prefix, cleanup } = testRedisPrefix();
  let nodes: ClusterNode[] = [];
  let observers: StatusLog[] = [];

  beforeAll(async () => {
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(name, REDIS_URL, prefix)));
  });

  beforeEach(async () => {
    observers = await Promise.all(nodes.map(async (node) => new StatusLog(await connect(node.url))));
  });

  afterEach(() => closeAllSockets());

  afterAll(async () => {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.process.exited()));
    await cleanup();
  });

  const everyObserver = (predicate: (log: StatusLog) => boolean) => Promise.all(observers.map((o) => o.waitFor(() => predicate(o), 15_000)));
  const node = (i: number): ClusterNode => nodes[i] as ClusterNode;

  it('shows every client on every node a transition made on one node, once', async () => {
    const alice = await connect(node(0).url);
    await emit(alice, 'userOnline', { userId: 'alice', userType: 'agent' });
    await everyObserver((o) => o.changes.some((c) => c.userId === 'alice'));
    await emit(alice, 'userOffline', { userId: 'alice' });
    await everyObserver((o) => o.changes.filter((c) => c.userId === 'alice').length === 2);
    for (const o of observers) expect(perUser(o).get('alice')).toEqual(['online online', 'offline explicit']);
  });

  it('keeps a user with tabs on two nodes online until the last tab goes, and answers the same on every node', async () => {
    const tabA = await connect(node(0).url);
    const tabB = await connect(node(1).url);
    await emit(tabA, 'userOnline', { userId: 7 });
    await emit(tabB, 'userOnline', { userId: 7 });
    for (const n of nodes) {
      const res = await request(n.url).get('/presence/7');
      expect(res.body).toMatchObject({ userId: 7, status: 'online' });
      expect((await request(n.url).get('/presence')).body).toMatchObject({ maxStalenessMs: 4_050, nodeLossBoundMs: 950 });
      expect((await request(n.url).get('/presence')).body.users.map((u: { userId: unknown }) => u.userId)).toContain(7);
    }
    await emit(tabB, 'userHeartbeat', { userId: 7 });
    await emit(tabB, 'userOffline', { userId: 7 });
    for (const n of nodes) expect((await request(n.url).get('/presence/7')).body.status).toBe('online');
    tabA.disconnect();
    await everyObserver((o) => o.changes.filter((c) => c.userId === 7).length >= 2);
    for (const o of observers) expect(perUser(o).get('7')).toEqual(['online online', 'offline disconnect']);
    expect((await emit(await connect(node(2).url), 'getOnlineUsers')).users.map((u: { userId: unknown }) => u.userId)).not.toContain(7);
  });

  it('keeps every user\u2019s transitions in order on every node through a join and leave storm across nodes', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `storm-${i}`);
    const sockets: TestSocket[] = await Promise.all(users.map((_, i) => connect(node(i % 3).url)));
    await Promise.all(users.map((id, i) => emit(sockets[i] as TestSocket, 'userOnline', { userId: id })));
    await Promise.all(users.map((id, i) => (i % 2 === 0 ? emit(sockets[i] as TestSocket, 'userOffline', { userId: id }) : Promise.resolve(sockets[i]?.disconnect()))));
    await everyObserver((o) => users.every((id) => (perUser(o).get(id) ?? []).length === 2));
    for (const o of observers) {
      const seen = perUser(o);
      for (const [i, id] of users.entries()) {
        expect(seen.get(id)).toEqual(['online online', i % 2 === 0 ? 'offline explicit' : 'offline disconnect']);
      }
    }
    const totals = await Promise.all(nodes.map(async (n) => (await request(n.url).get('/presence?userType=x')).body.total));
    expect(totals).toEqual([0, 0, 0]);
  });

  it('gives §7 clients on any node the cluster view, and resumes one on another node from since', async () => {
    const subscriber = await connect(node(1).url);
    const mirror = new PresenceMirror(subscriber);
    await emit(subscriber, 'presenceSubscribe', {});
    const onA = await connect(node(0).url);
    const onC = await connect(node(2).url);
    await emit(onA, 'userOnline', { userId: 'sub-a', userType: 'agent' });
    await emit(onC, 'userOnline', { userId: 'sub-c' });
    const truth = async () =>
      (await request(node(2).url).get('/presence')).body.users.map((u: { userId: string }) => String(u.userId)).sort();
    await mirror.waitFor(() => mirror.online().includes('sub-a') && mirror.online().includes('sub-c'));
    expect(mirror.online()).toEqual(await truth());
    const seenSeq = mirror.seq;
    subscriber.disconnect();

    await emit(onA, 'userOffline', { userId: 'sub-a' });
    await emit(onC, 'userOnline', { userId: 'sub-c2' });
    const watcherSocket = await connect(node(2).url);
    const watching = new PresenceMirror(watcherSocket);
    await emit(watcherSocket, 'presenceSubscribe', {});
    await watching.waitFor(() => watching.online().includes('sub-c2') && !watching.online().includes('sub-a'));

    const resumed = await connect(node(2).url);
    const resumedMirror = new PresenceMirror(resumed);
    for (const [id, user] of mirror.users) resumedMirror.users.set(id, user);
    resumedMirror.seq = seenSeq;
    const ack = await emit(resumed, 'presenceSubscribe', { since: seenSeq });
    await resumedMirror.waitFor(() => resumedMirror.seq >= ack.seq);
    expect(resumedMirror.states).toBe(0);
    expect(resumedMirror.online()).toEqual(await truth());
    expect(resumedMirror.problems).toEqual([]);
    await emit(onC, 'userOffline', { userId: 'sub-c' });
    await emit(onC, 'userOffline', { userId: 'sub-c2' });
  });

  it('ends the users of a node killed with -9 once each, as node_lost, and nobody else flaps; a restarted node joins cleanly', async () => {
    const victim = node(2);
    const onlyOnVictim = await connect(victim.url);
    const alsoOnA = await connect(victim.url);
    const survivorTab = await connect(node(0).url);
    await emit(onlyOnVictim, 'userOnline', { userId: 'lost-1' });
    await emit(alsoOnA, 'userOnline', { userId: 'both' });
    await emit(survivorTab, 'userOnline', { userId: 'both' });
    const survivors = observers.slice(0, 2);
    await Promise.all(survivors.map((o) => o.waitFor((cs) => cs.some((c) => c.userId === 'lost-1') && cs.some((c) => c.userId === 'both'))));

    const killedAt = Date.now();
    victim.process.kill('SIGKILL');
    await victim.process.exited();
    await Promise.all(survivors.map((o) => o.waitFor((cs) => cs.some((c) => c.userId === 'lost-1' && c.status === 'offline'), 15_000)));
    // Lease (900 ms) plus a sweep, well inside the 4 s TTL.
    expect(Date.now() - killedAt).toBeLessThan(4_000);
    const beating = setInterval(() => survivorTab.emit('userHeartbeat', { userId: 'both' }), 200);
    try {
      nodes[2] = await startNode('c', REDIS_URL, prefix);
      const fresh = new StatusLog(await connect(node(2).url));
      const marker = await connect(node(2).url);
      await emit(marker, 'userOnline', { userId: 'marker' });
      await Promise.all([...survivors, fresh].map((o) => o.waitFor((cs) => cs.some((c) => c.userId === 'marker'))));
    } finally {
      clearInterval(beating);
    }
    for (const o of survivors) {
      expect(perUser(o).get('lost-1')).toEqual(['online online', 'offline node_lost']);
      expect(perUser(o).get('both')).toEqual(['online online']);
    }
    const online = (await request(node(0).url).get('/presence')).body.users.map((u: { userId: unknown }) => u.userId);
    expect(online).toContain('both');
    expect(online).not.toContain('lost-1');
  });
});

describe('heartbeat broadcasts on several nodes', () => {
  const { prefix, cleanup } = testRedisPrefix();
  let nodes: ClusterNode[] = [];

  beforeAll(async () => {
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name, REDIS_URL, prefix, { PRESENCE_BROADCAST_HEARTBEATS: 'true' })));
  });

  afterAll(async () => {
    closeAllSockets();
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.process.exited()));
    await cleanup();
  });

  it('reach the clients of every node when PRESENCE_BROADCAST_HEARTBEATS is on', async () => {
    const observers = await Promise.all(nodes.map(async (node) => new StatusLog(await connect(node.url))));
    const alice = await connect((nodes[0] as ClusterNode).url);
    await emit(alice, 'userOnline', { userId: 'alice' });
    await emit(alice, 'userHeartbeat', { userId: 'alice' });
    await Promise.all(observers.map((o) => o.waitFor((cs) => cs.some((c) => c.reason === 'heartbeat'), 15_000)));
    for (const o of observers) expect(perUser(o).get('alice')).toEqual(['online online', 'online heartbeat']);
  });
});
