import { closeRedis, createRedis, whenReady, type PresenceRedis } from '../../../src/adapters/redis/redis-client';
import { RedisKeys } from '../../../src/adapters/redis/redis-keys';
import { RedisWebhookFeed } from '../../../src/adapters/redis/redis-webhook.feed';
import { encodeTransition } from '../../../src/adapters/redis/stored-transition.codec';
import { freshDetails, OFFLINE, onlineState } from '../../../src/domain/presence-state';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { waitUntil } from '../../support/wait-until';

const LEASE_MS = 600;

/** The Redis outbox of CONTRACT §10 read directly: the lease, the cursors under it, and what it drops and counts. */
describe('the webhook feed on Redis', () => {
  const { prefix, cleanup } = testRedisPrefix();
  const keys = new RedisKeys(prefix);
  let redis: PresenceRedis;
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  let dropped = 0;
  const feeds: RedisWebhookFeed[] = [];
  let seq = 0;

  const feed = (nodeId: string, maxAgeMs = 60_000): RedisWebhookFeed => {
    const made = new RedisWebhookFeed(redis, keys, { nodeId, leaseMs: LEASE_MS, maxAgeMs, replayKept: 100 }, { dropped: (n) => (dropped += n), leaseFailed: () => undefined }, now, () => seq);
    feeds.push(made);
    return made;
  };
  /** Appends a user coming online as the commit script does, skipping `skip` seqs first (trimmed away). */
  const commit = async (userId: string, skip = 0): Promise<number> => {
    seq += 1 + skip;
    const json = encodeTransition({ type: 'UserPresenceChanged', userId, lastSeen: 1_000, from: OFFLINE, to: onlineState('agent', userId, freshDetails(1_000)), reason: 'online' });
    await redis.multi().set(keys.seq, seq).xadd(keys.transitions, '*', 'seq', seq, 'transition', json).exec();
    return seq;
  };
  const cursorSeq = async () => Number((await redis.hget(keys.webhookCursors, 'e'))?.split(' ')[1]);
  const seqsOf = (events: ReadonlyArray<{ seq: number }> | undefined) => events?.map((e) => e.seq);

  beforeAll(async () => {
    redis = createRedis(REDIS_URL);
    await whenReady(redis, 5_000);
  });

  // Each test's nodes stop renewing, so that the next test's node is the only one to take the lease.
  afterEach(async () => {
    for (const f of feeds.splice(0)) await f.stop();
  });

  afterAll(async () => {
    closeRedis(redis);
    await cleanup();
  });

  it('gives batches to the lease holder only, from the cursor in Redis; what is already in the stream is not sent to a new endpoint', async () => {
    await commit('before-start');
    const a = feed('a');
    await a.start(['e']);
    await waitUntil(async () => a.holdsLease, 5_000, 10);
    const b = feed('b');
    await b.start(['e']);
    expect(await b.next('e', 10)).toBeUndefined();
    const [one, two, three] = [await commit('u1'), await commit('u2'), await commit('u3')];
    const batch = await a.next('e', 2);
    expect(seqsOf(batch)).toEqual([one, two]);
    expect(batch?.[0]?.event).toMatchObject({ seq: one, userId: 'u1', userType: 'agent', status: 'online', reason: 'online' });
    expect(a.pending).toBe(3);
    await a.acknowledge('e', two);
    expect(await cursorSeq()).toBe(two);
    expect(seqsOf(await a.next('e', 10))).toEqual([three]);
    expect(a.lagMs).toBeGreaterThanOrEqual(0);

    // The lease went to b (as if a had paused past it): a can no longer move the cursor, b resumes after the last
    // acknowledged seq.
    await redis.set(keys.webhookLease, 'b', 'PX', LEASE_MS);
    await waitUntil(async () => b.holdsLease, 5_000, 10);
    await a.acknowledge('e', three);
    expect(await cursorSeq()).toBe(two);
    expect(a.holdsLease).toBe(false);
    expect(seqsOf(await b.next('e', 10))).toEqual([three]);
    await b.acknowledge('e', three);

    // A stop lets go of the lease, and another node takes it at its next renewal, not a lease later.
    await b.stop();
    await waitUntil(async () => a.holdsLease, LEASE_MS / 2, 10);
  });

  it('counts events trimmed from the stream before they were sent, and events too old, as dropped, moving past them', async () => {
    const c = feed('c', 1_000);
    await c.start(['e']);
    await waitUntil(async () => c.holdsLease, 5_000, 10);
    const acknowledged = await cursorSeq();
    dropped = 0;
    const after = await commit('after-gap', 5);
    expect(seqsOf(await c.next('e', 10))).toEqual([after]);
    expect(after - acknowledged - 1).toBe(5);
    expect(dropped).toBe(5);
    // The endpoint failed: the same batch is read again, and the loss is not counted again.
    expect(seqsOf(await c.next('e', 10))).toEqual([after]);
    expect(dropped).toBe(5);
    await c.acknowledge('e', after);

    // An entry that cannot be read (Redis mangled it) is skipped and counted, not retried for ever.
    dropped = 0;
    seq += 1;
    await redis.multi().set(keys.seq, seq).xadd(keys.transitions, '*', 'seq', seq, 'transition', '{"type":"UserWentOnline",').exec();
    const readable = await commit('after-mangled');
    expect(seqsOf(await c.next('e', 10))).toEqual([readable]);
    expect(dropped).toBe(1);
    await c.acknowledge('e', readable);

    dropped = 0;
    for (let i = 0; i < 3; i += 1) await commit(`old-${i}`);
    // The clock moves past the maximum age; the lease is held by the new clock at the next renewal.
    clockOffset = 2_000;
    await waitUntil(async () => c.holdsLease, 5_000, 10);
    expect(await c.next('e', 2)).toEqual([]);
    expect(dropped).toBe(3);
    expect(await cursorSeq()).toBe(seq);
  });

  it('keeps in the stream what an endpoint has not acknowledged, past what the replay keeps, trims it once acknowledged, and sends what came after a loss of data', async () => {
    clockOffset = 0;
    const d = feed('d');
    await d.start(['e']);
    await waitUntil(async () => d.holdsLease, 5_000, 10);
    await redis.xtrim(keys.transitions, 'MAXLEN', 0);
    for (let i = 0; i < 500; i += 1) await commit(`many-${i}`);
    const first = await d.next('e', 50);
    await d.acknowledge('e', first?.at(-1)?.seq as number);
    // 450 entries not acknowledged: none trimmed, though the replay keeps 100.
    expect(await redis.xlen(keys.transitions)).toBeGreaterThanOrEqual(450);
    let batch = await d.next('e', 1_000);
    expect(batch).toHaveLength(450);
    await d.acknowledge('e', seq);
    // Trimmed by whole stream nodes (`~`): about the 100 the replay keeps.
    const left = await redis.xlen(keys.transitions);
    expect(left).toBeGreaterThanOrEqual(100);
    expect(left).toBeLessThan(300);
    batch = await d.next('e', 10);
    expect(batch).toEqual([]);

    // Redis lost its data (the cursors and the stream with them): what the stream holds since is all sent.
    await redis.del(keys.webhookCursors, keys.transitions);
    const sinceLoss = [await commit('since-loss-1'), await commit('since-loss-2')];
    expect(seqsOf(await d.next('e', 10))).toEqual(sinceLoss);
  });
});
