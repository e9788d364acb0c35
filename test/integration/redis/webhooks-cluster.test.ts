import { Redis } from 'ioredis';
import { startNode, type ClusterNode } from '../../support/cluster';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { closeAllSockets, connect, request as emit, type TestSocket } from '../../support/socket-client';
import { WebhookReceiver } from '../../support/webhook-receiver';

jest.setTimeout(90_000);

const WEBHOOKS = { WEBHOOK_SECRET: 'webhook-secret-that-is-long-enough-32', WEBHOOK_BATCH_MS: '50', WEBHOOK_TIMEOUT_MS: '500' };

/** Every seq from the first to the last, once each and ascending: none lost, none out of order. */
function expectContiguous(seqs: readonly number[]): void {
  const first = seqs[0] as number;
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => first + i));
}

/**
 * CONTRACT §10's webhooks on three nodes sharing one Redis: the transitions stream is the outbox and one node
 * delivers it; when that node is killed, another resumes after the last acknowledged seq.
 */
describe('webhooks across nodes', () => {
  const { prefix, cleanup } = testRedisPrefix();
  const redis = new Redis(REDIS_URL);
  const receiver = new WebhookReceiver();
  let nodes: ClusterNode[] = [];

  beforeAll(async () => {
    await receiver.start();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(name, REDIS_URL, prefix, { ...WEBHOOKS, WEBHOOK_URLS: receiver.url })));
  });

  afterAll(async () => {
    closeAllSockets();
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.process.exited()));
    await receiver.stop();
    redis.disconnect();
    await cleanup();
  });

  const deliveringNode = async (): Promise<ClusterNode> => {
    const holder = await redis.get(`${prefix}webhooks:lease`);
    const node = nodes.find((n) => holder?.startsWith(`${n.name}-`));
    if (node === undefined) throw new Error(`no node holds the webhook lease (${holder})`);
    return node;
  };
  const told = () => receiver.events().map((e) => `${e['userId']} ${e['status']} ${e['reason']}`);
  const seqs = () => receiver.events().map((e) => e['seq'] as number);

  it('delivers each change made on any node once, in seq order, from one node; after that node is killed -9, the next resumes with none lost', async () => {
    const sockets = await Promise.all(nodes.map((n) => connect(n.url)));
    for (const [i, socket] of sockets.entries()) {
      await emit(socket, 'userOnline', { userId: `on-${i}` });
      await emit(socket, 'userStatusSet', { userId: `on-${i}`, availability: 'busy' });
    }
    await emit(sockets[1] as TestSocket, 'userOffline', { userId: 'on-1' });
    await receiver.waitFor(() => told().length >= 7, 20_000);
    expect(told()).toEqual(['on-0 online online', 'on-0 online set', 'on-1 online online', 'on-1 online set', 'on-2 online online', 'on-2 online set', 'on-1 offline explicit']);
    // The steady state: one node delivers, so no event arrived twice.
    const everyDelivery = receiver.accepted.flatMap((b) => b.events.map((e) => e['seq']));
    expect(everyDelivery).toEqual(seqs());
    expectContiguous(seqs());

    // The receiver fails while the delivering node dies: what it had not acknowledged is delivered by another.
    const victim = await deliveringNode();
    const victimIndex = nodes.indexOf(victim);
    receiver.mode = 'fail';
    const failedBefore = receiver.attempts;
    const survivorUrl = (nodes[(victimIndex + 1) % 3] as ClusterNode).url;
    await emit(await connect(victim.url), 'userOnline', { userId: 'only-on-victim', userType: 'agent', userName: 'Vic' });
    await emit(await connect(survivorUrl), 'userOnline', { userId: 'before-kill' });
    await receiver.waitFor((r) => r.attempts >= failedBefore + 2, 20_000);
    victim.process.kill('SIGKILL');
    await victim.process.exited();
    await emit(await connect(survivorUrl), 'userOnline', { userId: 'after-kill' });
    receiver.mode = 'ok';
    // The victim's users go as node_lost once its node lease lapses; then every change is there.
    await receiver.waitFor(() => told().includes('only-on-victim offline node_lost') && told().includes('after-kill online online'), 30_000);
    expect(await deliveringNode()).not.toBe(victim);
    expect(told().slice(7)).toEqual(
      expect.arrayContaining(['only-on-victim online online', 'before-kill online online', 'after-kill online online', 'only-on-victim offline node_lost']),
    );
    // The node that delivers the leave was told nothing of the user: the stream's entry names them.
    const leave = receiver.events().find((e) => e['userId'] === 'only-on-victim' && e['status'] === 'offline');
    expect(leave).toMatchObject({ userType: 'agent', userName: 'Vic', availability: null });
    // Only the victim's users went offline (on-1 left earlier, by itself).
    const victimUsers = ['only-on-victim', ...(victimIndex === 1 ? [] : [`on-${victimIndex}`])];
    const lost = told().filter((t) => t.endsWith('node_lost')).sort();
    expect(lost).toEqual(victimUsers.map((u) => `${u} offline node_lost`).sort());
    expect(told().filter((t) => t.includes(' offline '))).toHaveLength(1 + victimUsers.length);
    expectContiguous(seqs());
  });
});
