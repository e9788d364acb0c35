import pino from 'pino';
import { createRedis, whenReady, type PresenceRedis } from '../../../../src/adapters/redis/redis-client';
import { StoreRecovery } from '../../../../src/adapters/redis/store-recovery';
import { TransitionFanout } from '../../../../src/application/transition-fanout';
import type { TransitionConsumer } from '../../../../src/domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../../../src/domain/presence.events';
import type { OnlineUser } from '../../../../src/domain/presence.types';
import { FakeClock } from '../../../support/fake-clock';
import { REDIS_URL } from '../../../support/redis';
import { onlineUser } from '../../../support/presence-values';

const alice: OnlineUser = onlineUser('alice', 1_000, 'agent', 'Alice');

/** The recovery on a real Redis connection (the outage is a real reconnect), with the node's parts it drives. */
function setUp(redis: PresenceRedis) {
  const delivery = new TransitionFanout(40);
  const told: string[] = [];
  const consumer: TransitionConsumer = {
    deliver: (t: CommittedTransition) => told.push(`${String(t.userId)} ${t.to.status} ${t.reason} ${t.seq}`),
    missedBefore: () => undefined,
  };
  delivery.subscribe(consumer);
  delivery.seed([onlineUser('ghost', 0)], 41);
  const raised: number[] = [];
  let reannounced = 0;
  let corrected!: () => void;
  const correctedOnce = new Promise<void>((resolve) => (corrected = resolve));
  const recovery = new StoreRecovery({
    redis,
    store: { raiseSeq: async (seq) => void raised.push(seq) },
    delivery,
    connections: { reannounce: async () => ++reannounced },
    presence: {
      listOnline: async () => {
        setImmediate(corrected);
        return [alice];
      },
    },
    clock: new FakeClock(5_000),
    settleMs: 10,
    logger: pino({ level: 'silent' }),
  });
  delivery.subscribe(recovery);
  return { delivery, recovery, told, raised, reannounced: () => reannounced, correctedOnce };
}

describe('StoreRecovery', () => {
  let redis: PresenceRedis;

  beforeEach(async () => {
    redis = createRedis(REDIS_URL, { name: 'recovery-test' });
    await whenReady(redis, 5_000);
  });

  afterEach(() => redis.disconnect());

  it('after Redis comes back: numbering above every seq seen, connections announced again, then the consumers corrected', async () => {
    const { recovery, told, raised, reannounced, correctedOnce } = setUp(redis);
    recovery.attach();
    const back = new Promise((resolve) => redis.once('ready', resolve));
    redis.disconnect(true);
    await back;
    await correctedOnce;
    expect(raised).toEqual([41]);
    expect(reannounced()).toBe(1);
    expect(told).toEqual(['ghost offline expired 41', 'alice online online 41']);
    recovery.stop();
  });

  it('corrects the consumers after gaps in the feed, without touching the numbering', async () => {
    const { delivery, recovery, told, raised, correctedOnce } = setUp(redis);
    delivery.gap(38);
    delivery.gap(39);
    await correctedOnce;
    expect(told).toEqual(['ghost offline expired 41', 'alice online online 41']);
    expect(raised).toEqual([]);
    recovery.stop();
  });
});
