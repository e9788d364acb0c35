import type { ClientFleet } from './cluster-of-clients';

interface Report {
  arrivals: Array<[number, { first: number; last: number; count: number; status: string }]>;
  emitted: Array<[number, number]>;
  completed: Array<number | null>;
}

/** What every worker saw since the last report: transitions' first and last arrival, and §7 completions. */
export async function reports(fleet: ClientFleet): Promise<{ emitted: Map<number, number>; firstSeen: Map<number, number>; lastSeen: Map<number, number>; seenBy: Map<number, number>; completed: number[] }> {
  const all = await fleet.ask<Report>({ cmd: 'report' });
  const emitted = new Map<number, number>();
  const firstSeen = new Map<number, number>();
  const lastSeen = new Map<number, number>();
  const seenBy = new Map<number, number>();
  const completed: number[] = [];
  for (const r of all) {
    for (const [id, at] of r.emitted) emitted.set(id, at);
    for (const [id, a] of r.arrivals) {
      firstSeen.set(id, Math.min(firstSeen.get(id) ?? Infinity, a.first));
      lastSeen.set(id, Math.max(lastSeen.get(id) ?? 0, a.last));
      seenBy.set(id, (seenBy.get(id) ?? 0) + a.count);
    }
    for (const c of r.completed) if (c !== null) completed.push(c);
  }
  return { emitted, firstSeen, lastSeen, seenBy, completed };
}

/** When each §7 client came to hold its whole scope; polls until all `n` do (or 180 s pass). */
export async function completions(fleet: ClientFleet, n: number): Promise<number[]> {
  let completed: number[] = [];
  const deadline = Date.now() + 180_000;
  while (completed.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    completed = (await reports(fleet)).completed;
  }
  return completed;
}

/** Polls the workers until `users` transitions were each seen by `receivers` clients (or 120 s pass). */
export async function waitForArrivals(fleet: ClientFleet, users: number, receivers: number) {
  const deadline = Date.now() + 120_000;
  const merged = { emitted: new Map<number, number>(), firstSeen: new Map<number, number>(), lastSeen: new Map<number, number>(), seenBy: new Map<number, number>() };
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await reports(fleet);
    for (const [k, v] of r.emitted) merged.emitted.set(k, v);
    for (const [k, v] of r.firstSeen) merged.firstSeen.set(k, Math.min(merged.firstSeen.get(k) ?? Infinity, v));
    for (const [k, v] of r.lastSeen) merged.lastSeen.set(k, Math.max(merged.lastSeen.get(k) ?? 0, v));
    for (const [k, v] of r.seenBy) merged.seenBy.set(k, (merged.seenBy.get(k) ?? 0) + v);
    const done = [...merged.seenBy.values()].filter((count) => count >= receivers).length;
    if (done >= users || Date.now() > deadline) return merged;
  }
}
