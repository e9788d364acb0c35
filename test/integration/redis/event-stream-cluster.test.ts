import { startNode, type ClusterNode } from '../../support/cluster';
import { closeAllStreams, EventStreamLog } from '../../support/event-stream-log';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { closeAllSockets, connect, request as emit } from '../../support/socket-client';

jest.setTimeout(60_000);

/** CONTRACT §10 on a cluster: every node streams every change, numbered alike, and a consumer resumes on another node. */
describe('the event stream across nodes', () => {
  const { prefix, cleanup } = testRedisPrefix();
  let nodes: ClusterNode[] = [];

  beforeAll(async () => {
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(name, REDIS_URL, prefix)));
  });

  afterAll(async () => {
    closeAllStreams();
    closeAllSockets();
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.process.exited()));
    await cleanup();
  });

  const node = (i: number): ClusterNode => nodes[i] as ClusterNode;

  it('tells a change made on one node on the other with the same seq, and resumes there from a cursor of the first', async () => {
    const streams = nodes.map((n) => new EventStreamLog(`${n.url}/presence-events`));
    await Promise.all(streams.map((s) => s.waitFor((l) => l.events.length >= 1, 15_000)));
    const agent = await connect(node(0).url);
    await emit(agent, 'userOnline', { userId: 'agent' });
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy' });
    await Promise.all(streams.map((s) => s.waitFor((l) => l.summary().length >= 2, 15_000)));
    const [onA, onB] = streams as [EventStreamLog, EventStreamLog];
    expect(onB.summary()).toEqual(['agent online online available', 'agent online set busy']);
    const ids = (log: EventStreamLog) => log.events.filter((e) => e.type === 'presence').map((e) => e.id);
    expect(ids(onB)).toEqual(ids(onA));
    const cursor = ids(onA)[0] as string;
    onA.close();
    // Resumed on the other node: what came after the cursor, from its replay, not a snapshot.
    const resumed = new EventStreamLog(`${node(1).url}/presence-events?since=${cursor}`);
    await resumed.waitFor((l) => l.events.length >= 1, 15_000);
    expect(resumed.events.map((e) => [e.type, e.id])).toEqual([['presence', ids(onB)[1]]]);
  });
});
