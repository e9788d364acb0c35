import request from 'supertest';
import { startNode, type ClusterNode } from '../../support/cluster';
import { DisposableRedisServer } from '../../support/redis-server';
import { closeAllSockets, connect, request as emit, StatusLog } from '../../support/socket-client';
import { signToken, TEST_SECRET } from '../../support/tokens';
import { waitUntil } from '../../support/wait-until';

jest.setTimeout(60_000);

/** CONTRACT §9 across nodes and a Redis that comes back empty: each tenant's presence is rebuilt as its own. */
describe('audiences across a Redis restart', () => {
  const redis = new DisposableRedisServer();
  let nodes: ClusterNode[] = [];
  const env = { JWT_ACCESS_SECRET: TEST_SECRET, JWT_TENANT_CLAIM: 'org', PRESENCE_VISIBILITY: 'client:agent;agent:*' };
  const token = (org: string, sub: string, userType?: string, scope?: string) =>
    signToken({ sub, org, ...(userType && { user_type: userType }), ...(scope && { scope }) });
  const backend = (org: string) => ({ Authorization: `Bearer ${token(org, 'ops', undefined, 'presence:read:all')}` });

  beforeAll(async () => {
    await redis.start();
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name, redis.url, 'tenant-outage:', env)));
  });

  afterAll(async () => {
    closeAllSockets();
    for (const node of nodes) node.process.kill('SIGKILL');
    await redis.stop();
  });

  it('rebuilds each tenant from its own connections, and tells no tenant of another', async () => {
    const [a, b] = nodes as [ClusterNode, ClusterNode];
    // The log listens before the user goes online: its own online comes through Redis's stream, a moment later.
    const online = async (url: string, org: string, sub: string, userType: string) => {
      const socket = await connect(url, { auth: { token: token(org, sub, userType) } });
      const log = new StatusLog(socket);
      expect(await emit(socket, 'userOnline', {})).toMatchObject({ ok: true });
      return { socket, log };
    };
    const acmeClient = (await online(a.url, 'acme', 'c1', 'client')).log;
    const globexAgent = (await online(b.url, 'globex', 'g-agent', 'agent')).log;
    await online(b.url, 'acme', 'agent-1', 'agent');
    await online(a.url, 'globex', 'agent-1', 'agent');
    const leaving = (await online(b.url, 'acme', 'agent-2', 'agent')).socket;
    await acmeClient.waitFor((cs) => cs.filter((c) => c.status === 'online').length === 3);
    await globexAgent.waitFor((cs) => cs.some((c) => c.userId === 'agent-1'));

    await redis.stop();
    await waitUntil(async () => (await request(a.url).get('/ready')).status === 503);
    leaving.disconnect();
    await redis.start();
    await waitUntil(async () => (await request(a.url).get('/ready')).status === 200);

    const truth = { acme: ['agent-1', 'c1'], globex: ['agent-1', 'g-agent'] };
    for (const node of nodes) {
      for (const [org, ids] of Object.entries(truth)) {
        await waitUntil(async () => {
          const res = await request(node.url).get('/presence').set(backend(org));
          return JSON.stringify(res.body.users.map((u: { userId: string }) => u.userId).sort()) === JSON.stringify(ids);
        }, 15_000);
      }
    }
    expect((await request(a.url).get('/metrics')).text).toMatch(/^presence_tenants_online 2$/m);
    await acmeClient.waitFor((cs) => cs.some((c) => c.userId === 'agent-2' && c.status === 'offline'), 15_000);
    // The client of acme saw itself and acme's agents only, never globex's agent-1 (same id) nor g-agent.
    const told = acmeClient.changes.map((c) => `${String(c.userId)} ${c.status}`);
    expect(told.filter((line) => !line.startsWith('c1 '))).toEqual(['agent-1 online', 'agent-2 online', 'agent-2 offline']);
    expect(told.filter((line) => line.startsWith('c1 '))).toEqual(['c1 online']);
    expect(globexAgent.changes.every((c) => c.userId === 'agent-1' || c.userId === 'g-agent')).toBe(true);
  });
});
