/**
 * Attack 4 of the abuse benchmark: the largest subscription the contract allows (10,000 userIds in one
 * presenceSubscribe), sent by the bundled presence client with its defaults, to a service with its users online.
 */
import { createPresenceClient, type ConnectionState } from '../../src/client/presence-client';
import { ClientFleet } from '../cluster-of-clients';
import { ServerProcess } from '../server-process';
import { nowMs, round } from '../stats';
import { IDS, type StageCommon } from './attack-stage';
import { sleep } from './forked-worker';

const IDS_IN_SCOPE = 10_000;
const WAIT_MS = 15_000;

export interface LargeSubscribeResult {
  readonly users: number;
  readonly userIds: number;
  readonly payloadBytes: number;
  readonly accepted: boolean;
  readonly firstViewMs: number | null;
  readonly usersInView: number;
  readonly errors: string[];
  readonly connectionStates: string[];
}

export async function largeSubscribe(users: number, common: StageCommon): Promise<LargeSubscribeResult> {
  const server = ServerProcess.service(common.env);
  const fleet = new ClientFleet(3);
  try {
    const url = await server.url();
    common.log(`  ${users} users connecting…`);
    const range = Array.from({ length: users }, (_, i) => i + 1);
    await fleet.connect(url, range.map((userId) => ({ userId, token: common.token(userId), scope: { userIds: [] }, expected: 0 })), 'none');
    await fleet.ask({ cmd: 'online' });
    const userIds = Array.from({ length: IDS_IN_SCOPE }, (_, i) => i + 1);
    const errors: string[] = [];
    const states: string[] = [];
    let firstViewAt: number | undefined;
    let usersInView = 0;
    common.log(`  the bundled client subscribes to ${IDS_IN_SCOPE} ids…`);
    const startedAt = nowMs();
    const client = createPresenceClient({ url, token: common.token(IDS.attacker), scope: { userIds } });
    client.onError((e) => errors.push(`${e.code}: ${e.message}`));
    client.onConnectionChange((state: ConnectionState) => states.push(`${state} at ${round(nowMs() - startedAt)} ms`));
    client.onChange((list) => {
      firstViewAt ??= nowMs();
      usersInView = list.length;
    });
    const deadline = nowMs() + WAIT_MS;
    while (nowMs() < deadline && (firstViewAt === undefined || usersInView < Math.min(users, IDS_IN_SCOPE))) await sleep(50);
    // Long enough for a refusal or a closed connection to show.
    await sleep(2_000);
    client.close();
    return {
      users,
      userIds: IDS_IN_SCOPE,
      payloadBytes: Buffer.byteLength(JSON.stringify({ userIds })),
      accepted: firstViewAt !== undefined && errors.length === 0 && !states.some((s) => s.startsWith('disconnected')),
      firstViewMs: firstViewAt === undefined ? null : round(firstViewAt - startedAt),
      usersInView,
      errors,
      connectionStates: states,
    };
  } finally {
    await fleet.close();
    await server.stop();
  }
}
