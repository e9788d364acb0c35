/** The attacks of the abuse benchmark (issue 16): one user with a valid token, within the documented limits. */
import type { Attack, StageSizes, Surroundings } from './attack-stage';
import { IDS } from './attack-stage';
import { HangingProxy } from './hanging-proxy';
import { createThrowawayDatabase } from './throwaway-database';

/** PRESENCE_MAX_CONNECTIONS_PER_USER's default: the attacker holds every connection one user may. */
const CONNECTIONS = 20;
/** Under PRESENCE_EVENT_RATE's default of 20 a second per connection. */
const RATE = 19;

export interface AttackDurations {
  readonly readFloodMs: number;
  readonly subscribeFloodMs: number;
  readonly hangMs: number;
}

/** The real PostgreSQL behind a proxy that hangs for the attack, with sys_user rows for every user of the stage. */
async function hungDatabase(sizes: StageSizes, offlineIds: number): Promise<Surroundings> {
  const database = await createThrowawayDatabase([
    [1, sizes.users],
    [IDS.bystanders, sizes.bystanders],
    [IDS.churners, sizes.churners],
    [IDS.attacker, 1],
    [IDS.offline, offlineIds],
  ]);
  const proxy = new HangingProxy('127.0.0.1', 5432);
  try {
    const port = await proxy.listen();
    return {
      env: { PERSISTENCE: 'postgres', DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/${database.name}` },
      onAttackStart: () => proxy.hang(),
      onAttackStop: () => proxy.release(),
      async close() {
        await proxy.close();
        await database.drop();
      },
    };
  } catch (error) {
    await proxy.close().catch(() => undefined);
    await database.drop();
    throw error;
  }
}

export function attacks(sizes: StageSizes, d: AttackDurations): Attack[] {
  const offlineIds = 20_000;
  return [
    {
      name: 'control',
      title: `no attack: ${CONNECTIONS} connections of one user that send nothing for ${d.readFloodMs / 1000} s (how the figures drift by themselves)`,
      connections: CONNECTIONS,
      plan: { event: 'getOnlineUsers', perConnectionRate: 0, durationMs: d.readFloodMs, stopReading: false },
    },
    {
      name: 'getOnlineUsers',
      title: `getOnlineUsers flood: ${CONNECTIONS} connections of one user, ${RATE}/s each, ${d.readFloodMs / 1000} s`,
      connections: CONNECTIONS,
      plan: { event: 'getOnlineUsers', perConnectionRate: RATE, durationMs: d.readFloodMs, stopReading: false },
    },
    {
      name: 'getOnlineUsersUnread',
      title: `the same, the attacker's sockets not reading (TCP paused)`,
      connections: CONNECTIONS,
      plan: { event: 'getOnlineUsers', perConnectionRate: RATE, durationMs: d.readFloodMs, stopReading: true },
    },
    {
      name: 'subscribeFlood',
      title: `presenceSubscribe flood: ${CONNECTIONS} connections, 2,600 ids each (new sets every time), ${RATE}/s each, ${d.subscribeFloodMs / 1000} s`,
      connections: CONNECTIONS,
      plan: {
        event: 'presenceSubscribe',
        perConnectionRate: RATE,
        durationMs: d.subscribeFloodMs,
        stopReading: false,
        ids: { count: 2_600, base: 1, span: CONNECTIONS * 2_600 },
      },
    },
    {
      name: 'hungDatabase',
      title: `hung database (${d.hangMs / 1000} s): ${CONNECTIONS} connections subscribing to 1,000 offline ids every 2 s`,
      connections: CONNECTIONS,
      // At 0.5 a second each, 2 tokens a subscribe: the user's whole read allowance, and no more.
      plan: { event: 'presenceSubscribe', perConnectionRate: 0.5, durationMs: d.hangMs, stopReading: false, ids: { count: 1_000, base: IDS.offline, span: offlineIds } },
      surroundings: () => hungDatabase(sizes, offlineIds),
    },
  ];
}
