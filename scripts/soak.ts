/**
 * `npm run soak [-- --minutes 2 --users 300]`: a bounded soak of the built service. Clients connect, announce,
 * heartbeat, go silent (and expire), drop (and wait out the grace), go offline, reconnect and poll HTTP, at random,
 * for the given minutes. Every second it samples the service's heap and RSS (the lowest heap in a stretch of samples
 * is what survives garbage collection, which is what a leak would raise). At the end every user still heartbeating
 * must be online (no lost user), and once every client has gone, nobody may be (no ghost).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';

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
  const child = spawn(process.execPath, [resolve(__dirname, '../dist/main.js')], {
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
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  let port: string | undefined;
  while (!(port = /"port":(\d+)/.exec(output)?.[1])) await sleep(50);
  const url = `http://127.0.0.1:${port}`;
  process.stdout.write(`soak: ${minutes} min, ${users} users, TTL ${TTL} ms, against ${url}\n`);

  const population = Array.from({ length: users }, (_, i) => new SimulatedUser(`soak-${i}`, url));
  // A tenth of the users never stop: at the end they must all be online.
  const steady = population.slice(0, Math.ceil(users / 10));
  const churning = population.slice(steady.length);
  for (const user of steady) await user.connectAndAnnounce();

  const samples: Sample[] = [];
  const started = Date.now();
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

  const warm = samples.slice(Math.floor(samples.length / 3));
  const firstWarm = Math.min(...warm.slice(0, Math.max(1, Math.floor(warm.length / 2))).map((s) => s.heapUsedMiB));
  const lastWarm = Math.min(...warm.slice(Math.floor(warm.length / 2)).map((s) => s.heapUsedMiB));
  const report = {
    minutes,
    users,
    actions,
    httpPolls: polls,
    samples,
    heapAfterWarmUpMiB: firstWarm,
    heapAtEndMiB: lastWarm,
    heapGrowthAfterWarmUpPercent: +(((lastWarm - firstWarm) / firstWarm) * 100).toFixed(1),
    lostUsers: lost,
    ghosts,
  };
  child.kill('SIGTERM');
  mkdirSync(resolve(__dirname, '../bench/results'), { recursive: true });
  writeFileSync(resolve(__dirname, '../bench/results/soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write('seconds | heap used MiB | RSS MiB | online\n');
  for (const s of samples.filter((_, i) => i % 10 === 0)) process.stdout.write(`${s.atSeconds} | ${s.heapUsedMiB} | ${s.rssMiB} | ${s.online}\n`);
  process.stdout.write(
    `actions ${actions}, HTTP polls ${polls}; heap (lowest) after warm-up ${firstWarm} MiB, at the end ${lastWarm} MiB (${report.heapGrowthAfterWarmUpPercent} %)\n` +
      `lost users: ${lost.length}; ghosts: ${ghosts.length}\nwrote bench/results/soak.json\n`,
  );
  process.exit(lost.length === 0 && ghosts.length === 0 ? 0 : 1);
}

void main();
