/**
 * Issue 20's §1 fan-out pair: N §1 clients each announcing once (a join storm of N² frames), against the service
 * and against a bare Socket.IO server that only broadcasts each announcement to everyone, with the server pinned to
 * one core and the clients to the other, so that the server's CPU per delivered frame is its own.
 */
import { ClientFleet } from './cluster-of-clients';
import { waitForArrivals } from './fleet-reports';
import type { ClientSpec } from './load-worker';
import { cpuSeconds, pinToCpu } from './process-usage';
import type { ServerProcess } from './server-process';
import { round } from './stats';

export interface FanoutPairOptions {
  readonly clients: number;
  readonly service: () => ServerProcess;
  readonly bare: () => ServerProcess;
  readonly spec: (userId: number) => ClientSpec;
  readonly log: (line: string) => void;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Server CPU per delivered frame (µs) for one server: every client announces once, and every client hears all. */
async function perFrame(server: ServerProcess, options: FanoutPairOptions) {
  const n = options.clients;
  const url = await server.url();
  pinToCpu(server.pid, 0);
  const fleet = new ClientFleet(3);
  try {
    for (const pid of fleet.pids) pinToCpu(pid, 1);
    await fleet.connect(url, range(1, n).map(options.spec), 'status');
    const before = cpuSeconds(server.pid);
    await fleet.ask({ cmd: 'online' });
    const seen = await waitForArrivals(fleet, n, n);
    const frames = [...seen.seenBy.values()].reduce((sum, count) => sum + count, 0);
    const cpu = cpuSeconds(server.pid) - before;
    return { frames, serverCpuSeconds: round(cpu), microsecondsPerFrame: round((cpu / frames) * 1e6, 2) };
  } finally {
    await fleet.close();
    await server.stop();
  }
}

/** The pair, three times each, alternating, so that the machine's drift falls on both alike. */
export async function fanoutPairBenchmark(options: FanoutPairOptions) {
  const rounds = [];
  for (let i = 0; i < 3; i++) {
    const service = await perFrame(options.service(), options);
    const bare = await perFrame(options.bare(), options);
    const row = { service, bare, ratio: round(service.microsecondsPerFrame / bare.microsecondsPerFrame) };
    options.log(JSON.stringify(row));
    rounds.push(row);
  }
  return { clients: options.clients, rounds };
}
