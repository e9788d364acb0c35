/**
 * `npm run soak [-- --minutes 2 --users 300]`: a bounded soak of the built service. Clients connect, announce,
 * heartbeat, go silent (and expire), drop (and wait out the grace), go offline, reconnect and poll HTTP, at random,
 * for the given minutes. Every second it samples the service's heap and RSS; every ten seconds it has the service
 * (started with `--inspect` on loopback) collect all its garbage and reads the heap left, which is what is really
 * alive and what a leak would raise. At the end every user still heartbeating must be online (no lost user), and
 * once every client has gone, nobody may be (no ghost).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { InspectorClient } from './inspector-client';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const minutes = option('--minutes', 2);
const users = option('--users', 300);
/** The service's replay buffer: it fills during the first minute at the default 10,000, which looks like growth. */
const replaySize = option('--replay-size', 10_000);
const TTL = 3_000;
const SWEEP = 100;
const GRACE = 200;

interface Sample {
  atSeconds: number;
  heapUsedMiB: number;
  rssMiB: number;
  online: number;
}

interface LiveHeapSample {
  atSeconds: number;
  /** The heap right after a full collection. */
  liveHeapMiB: number;
}

const LIVE_HEAP_EVERY_MS = 10_000;
const mib = (bytes: number): number => +(bytes / 2 ** 20).toFixed(2);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = (n: number) => Math.floor(Math.random() * n);

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? NaN);
  return { heap: value('nodejs_heap_size_used_bytes'), rss: value('process_resident_memory_bytes'), online: value('presence_online_users') };
}

async function onlineUsers(url: string): Promise<Set<string>> {
  const body = (await (await fetch(`${url}/presence?limit=10000`)).json()) as { users: Array<{ userId: string }> };
  return new Set(body.users.map((u) => String(u.userId)));
}

/** One simulated user: one connection at a time, doing one random thing at a time. */
class SimulatedUser {
  socket: Socket | undefined;
  heartbeating = false;
  lastHeartbeat = 0;

  constructor(
    readonly id: string,
    private readonly url: string,
  ) {}

  async act(): Promise<void> {
    const roll = random(100);
    if (this.socket === undefined || !this.socket.connected) {
      await this.connectAndAnnounce();
    } else if (roll < 70) {
      if (this.heartbeating) await this.beat();
    } else if (roll < 78) {
      this.heartbeating = false; // goes silent: the service must expire it
    } else if (roll < 86) {
      this.drop();
    } else if (roll < 92) {
      await this.socket.timeout(5_000).emitWithAck('userOffline', { userId: this.id }).catch(() => undefined);
      this.heartbeating = false;
    } else {
      await this.connectAndAnnounce();
    }
  }

  /** Keeps heartbeating, whatever happens: the users that must be online at the end. */
  async beat(): Promise<void> {
    if (!this.socket?.connected) return;
    const answer = (await this.socket.timeout(5_000).emitWithAck('userHeartbeat', { userId: this.id }).catch(() => undefined)) as { ok?: boolean } | undefined;
    if (answer?.ok) this.lastHeartbeat = Date.now();
  }

  async connectAndAnnounce(): Promise<void> {
    this.drop();
    const socket = io(this.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket = socket;
    await new Promise<void>((r) => {
      socket.once('connect', () => r());
      socket.once('connect_error', () => r());
    });
    if (!socket.connected) return;
    await socket.timeout(5_000).emitWithAck('userOnline', { userId: this.id, userType: 'soak' }).catch(() => undefined);
    this.heartbeating = true;
    this.lastHeartbeat = Date.now();
  }

  drop(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.heartbeating = false;
  }
}

async function main(): Promise<void> {
  // Open mode (no secret), so it runs as development; logs stay JSON because stdout is not a terminal.
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', resolve(__dirname, '../dist/main.js')], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      LOG_LEVEL: 'info',
      PRESENCE_TTL_MS: String(TTL),
      PRESENCE_SWEEP_INTERVAL_MS: String(SWEEP),
      PRESENCE_DISCONNECT_GRACE_MS: String(GRACE),
      PERSIST_FLUSH_INTERVAL_MS: '500',
      PRESENCE_EVENT_RATE: '1000',
      PRESENCE_REPLAY_SIZE: String(replaySize),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let diagnostics = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => {
    diagnostics += c.toString();
    process.stderr.write(c);
  });
  let port: string | undefined;
  while (!(port = /"port":(\d+)/.exec(output)?.[1])) await sleep(50);
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(diagnostics)?.[1];
  if (inspectorUrl === undefined) throw new Error(`the service did not open its inspector:\n${diagnostics}`);
  const inspector = await InspectorClient.connect(inspectorUrl);
  const url = `http://127.0.0.1:${port}`;
  process.stdout.write(`soak: ${minutes} min, ${users} users, TTL ${TTL} ms, against ${url}\n`);

  const population = Array.from({ length: users }, (_, i) => new SimulatedUser(`soak-${i}`, url));
  // A tenth of the users never stop: at the end they must all be online.
  const steady = population.slice(0, Math.ceil(users / 10));
  const churning = population.slice(steady.length);
  for (const user of steady) await user.connectAndAnnounce();

  const samples: Sample[] = [];
  const liveHeap: LiveHeapSample[] = [];
  const started = Date.now();
  let nextLiveHeap = started;
  const endAt = started + minutes * 60_000;
  let actions = 0;
  let polls = 0;
  let nextSample = started;
  while (Date.now() < endAt) {
    await Promise.all(churning.slice(0).sort(() => Math.random() - 0.5).slice(0, 20).map((u) => u.act().then(() => (actions += 1))));
    if (Date.now() - (steady[0]?.lastHeartbeat ?? 0) > TTL / 3) await Promise.all(steady.map((u) => u.beat()));
    await fetch(`${url}/presence?limit=500`).then(() => (polls += 1));
    if (Date.now() >= nextSample) {
      const m = await metrics(url);
      samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), heapUsedMiB: +(m['heap']! / 2 ** 20).toFixed(1), rssMiB: +(m['rss']! / 2 ** 20).toFixed(1), online: m['online']! });
      nextSample += 1_000;
    }
    if (Date.now() >= nextLiveHeap) {
      liveHeap.push({ atSeconds: Math.round((Date.now() - started) / 1000), liveHeapMiB: mib(await inspector.liveHeapBytes()) });
      nextLiveHeap += LIVE_HEAP_EVERY_MS;
    }
    await sleep(20);
  }

  // Lost users: steady users, heartbeating all along, that are not online.
  await Promise.all(steady.map((u) => u.beat()));
  const onlineNow = await onlineUsers(url);
  const lost = steady.filter((u) => !onlineNow.has(u.id)).map((u) => u.id);
  // Ghosts: once every client has gone and the grace and a sweep have passed, anyone still online.
  for (const user of population) user.drop();
  await sleep(GRACE + SWEEP * 3 + 500);
  const ghosts = [...(await onlineUsers(url))];

  // Warm-up is the first third: connections, buffers and JIT code reach their working size. After it, the heap left
  // by a full collection must stay where it was.
  const warm = liveHeap.slice(Math.floor(liveHeap.length / 3));
  const afterWarmUp = warm[0]?.liveHeapMiB ?? NaN;
  const atEnd = Math.min(...warm.slice(-3).map((s) => s.liveHeapMiB));
  const report = {
    minutes,
    users,
    actions,
    httpPolls: polls,
    samples,
    liveHeap,
    liveHeapAfterWarmUpMiB: afterWarmUp,
    liveHeapAtEndMiB: atEnd,
    liveHeapGrowthAfterWarmUpPercent: +(((atEnd - afterWarmUp) / afterWarmUp) * 100).toFixed(1),
    lostUsers: lost,
    ghosts,
  };
  inspector.close();
  child.kill('SIGTERM');
  mkdirSync(resolve(__dirname, '../bench/results'), { recursive: true });
  writeFileSync(resolve(__dirname, '../bench/results/soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write('seconds | heap used MiB | RSS MiB | online\n');
  for (const s of samples.filter((_, i) => i % 10 === 0)) process.stdout.write(`${s.atSeconds} | ${s.heapUsedMiB} | ${s.rssMiB} | ${s.online}\n`);
  process.stdout.write(`live heap after a full collection (MiB): ${liveHeap.map((s) => `${s.atSeconds}s ${s.liveHeapMiB}`).join(', ')}\n`);
  process.stdout.write(
    `actions ${actions}, HTTP polls ${polls}; live heap after warm-up ${afterWarmUp} MiB, at the end ${atEnd} MiB ` +
      `(${report.liveHeapGrowthAfterWarmUpPercent} %)\nlost users: ${lost.length}; ghosts: ${ghosts.length}\nwrote bench/results/soak.json\n`,
  );
  process.exit(lost.length === 0 && ghosts.length === 0 ? 0 : 1);
}

void main();
