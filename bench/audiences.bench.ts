/**
 * CONTRACT §9's cost (issue 17): a join storm of 100 tenants × 100 users under a visibility rule against the same
 * users in 100 separate deployments, counted in frames, and the service's own cost per heartbeat with and without
 * audiences. The rule is a helpdesk's: clients see agents, agents see everyone; a tenant has 10 agents, 90 clients.
 */
import jwt from 'jsonwebtoken';
import { ClientFleet } from './cluster-of-clients';
import { eventPathNsPerHeartbeat } from './event-path.bench';
import type { ClientSpec } from './load-worker';
import { cpuSeconds } from './process-usage';
import { metric, ServerProcess } from './server-process';
import { nowMs, round } from './stats';

const RULE = 'client:agent;agent:*';
const AGENTS_PER_TENANT = 10;

interface StormSettings {
  readonly secret: string;
  /** The store's settings (`--store redis`). */
  readonly storeEnv: Record<string, string>;
  readonly tenants: number;
  readonly usersPerTenant: number;
  /** Tenants on (one deployment for all) or off (the figure of one deployment, of one tenant's users). */
  readonly tenantsOn: boolean;
  readonly workers: number;
}

/** A frame per viewer that sees each join: agents are seen by all, a client by the agents and itself. */
export function expectedFrames(usersPerTenant: number): number {
  const clients = usersPerTenant - AGENTS_PER_TENANT;
  return AGENTS_PER_TENANT * usersPerTenant + clients * (AGENTS_PER_TENANT + 1);
}

async function storm(settings: StormSettings) {
  const { secret, tenants, usersPerTenant, tenantsOn } = settings;
  // Each storm a Redis prefix of its own (under the run's, which the run deletes), so that one starts empty.
  const prefix = settings.storeEnv['REDIS_KEY_PREFIX'];
  const server = ServerProcess.service({
    ...settings.storeEnv,
    ...(prefix !== undefined && { REDIS_KEY_PREFIX: `${prefix}${tenantsOn ? 'tenants' : 'one'}:` }),
    JWT_ACCESS_SECRET: secret,
    PRESENCE_VISIBILITY: RULE,
    PRESENCE_EVENT_RATE: '1000',
    ...(tenantsOn && { JWT_TENANT_CLAIM: 'org' }),
  });
  const url = await server.url();
  const fleet = new ClientFleet(settings.workers);
  try {
    const specs: ClientSpec[] = [];
    for (let t = 0; t < tenants; t++) {
      for (let i = 0; i < usersPerTenant; i++) {
        const userId = t * usersPerTenant + i + 1;
        const userType = i < AGENTS_PER_TENANT ? 'agent' : 'client';
        const claims = { sub: userId, user_type: userType, ...(tenantsOn && { org: `tenant-${t}` }) };
        specs.push({ userId, token: jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: '1h' }), scope: null, expected: 0, userType });
      }
    }
    await fleet.connect(url, specs, 'none');
    const framesBefore = await metric(url, 'presence_frames_total', 'event="userStatusChanged"');
    const cpuBefore = cpuSeconds(server.pid);
    const started = nowMs();
    await fleet.ask({ cmd: 'online' });
    const expected = tenants * expectedFrames(usersPerTenant);
    let frames = 0;
    for (let waited = 0; waited < 60_000 && frames < expected; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      frames = (await metric(url, 'presence_frames_total', 'event="userStatusChanged"')) - framesBefore;
    }
    return {
      users: tenants * usersPerTenant,
      frames,
      expectedFrames: expected,
      stormMs: round(nowMs() - started),
      serverCpuSeconds: round(cpuSeconds(server.pid) - cpuBefore),
      tenantsOnline: await metric(url, 'presence_tenants_online'),
    };
  } finally {
    await fleet.close();
    await server.stop();
  }
}

export async function audiencesBenchmark(options: { secret: string; quick: boolean; workers: number; storeEnv: Record<string, string> }) {
  const tenants = options.quick ? 20 : 100;
  const shared = await storm({ ...options, tenants, usersPerTenant: 100, tenantsOn: true });
  const single = await storm({ ...options, tenants: 1, usersPerTenant: 100, tenantsOn: false });
  return {
    rule: RULE,
    tenants,
    oneDeployment: shared,
    separateDeployments: { deployments: tenants, frames: single.frames * tenants, framesOfOne: single.frames, serverCpuSecondsOfOne: single.serverCpuSeconds },
    withoutAudiences: { frames: (tenants * 100) ** 2, note: 'every join to every client (§1 with no tenants nor rules): N² frames' },
    // The service's own cost per heartbeat, each the best of three rounds, in turn twice so that drift shows.
    heartbeatNs: await heartbeatCosts(),
  };
}

async function heartbeatCosts(): Promise<{ token: number[]; audiences: number[] }> {
  const costs = { token: [] as number[], audiences: [] as number[] };
  for (let turn = 0; turn < 2; turn++) {
    costs.token.push(await eventPathNsPerHeartbeat(2_000, 200_000, 'token'));
    costs.audiences.push(await eventPathNsPerHeartbeat(2_000, 200_000, 'audiences'));
  }
  return costs;
}
