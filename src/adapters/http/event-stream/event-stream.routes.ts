import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AudienceReads } from '../../../domain/audience-reads';
import type { Viewer } from '../../../domain/audience';
import type { PresenceReset, PresenceSnapshot } from '../../../protocol/presence-events';
import { HttpError, invalidRequest } from '../http-error';
import { toUserBody, type RestAccess } from '../presence.routes';
import type { ReadAllowance } from '../read-allowance';
import { restViewerOf } from '../rest-viewer';
import { EventStreamClient, type EventStreamLimits } from './event-stream-client';
import type { EventStreamHub } from './event-stream-hub';
import { sseFrame } from './sse-frame';

export interface EventStreamDeps {
  readonly hub: EventStreamHub;
  readonly reads: AudienceReads;
  readonly access: RestAccess | null;
  readonly allowance: ReadAllowance;
  readonly limits: EventStreamLimits;
  /** The store started empty with this node (in memory): a cursor from before it gets a `reset` before its snapshot. */
  readonly startedEmpty: boolean;
  /** Streams one reader (a token's user, or an address) may hold open at once: each costs a write per transition. */
  readonly maxStreamsPerReader: number;
}

/** A cursor, from `?since=` or the `Last-Event-ID` an EventSource sends when it reconnects (the query wins). */
function cursorOf(ctx: Context): number | undefined {
  const raw = ctx.query['since'] ?? (ctx.get('Last-Event-ID') || undefined);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw invalidRequest('since (or Last-Event-ID): must be a seq, a whole number from 0');
  }
  return Number(raw);
}

/**
 * `GET /presence-events` (CONTRACT §10): Server-Sent Events of every transition the token may see, after a snapshot,
 * or resumed from a cursor the replay still holds. Not under `/presence/`, where it would hide a user named `events`.
 */
export function eventStreamRoutes(deps: EventStreamDeps): Router {
  const router = new Router();
  const guard: Middleware[] = deps.access === null ? [] : [deps.access.authenticate];
  const claims = deps.access?.claims ?? null;
  const open = new Map<string, number>();

  router.get('/presence-events', ...guard, (ctx) => {
    const unknown = Object.keys(ctx.query).filter((name) => name !== 'since');
    if (unknown.length > 0) throw invalidRequest(`unknown parameter ${unknown.join(', ')}; known: since`);
    const since = cursorOf(ctx);
    const viewer = restViewerOf(ctx, claims);
    const reader = deps.allowance.readerOf(ctx);
    if ((open.get(reader) ?? 0) >= deps.maxStreamsPerReader) {
      throw new HttpError(429, 'RATE_LIMITED', `at most ${deps.maxStreamsPerReader} open event streams per reader`);
    }
    const listed = deps.allowance.take(ctx, 1);
    open.set(reader, (open.get(reader) ?? 0) + 1);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    const body = new PassThrough();
    ctx.body = body;
    const client = new EventStreamClient(viewer, body, deps.limits, (ended) => {
      deps.hub.remove(ended);
      const left = (open.get(reader) ?? 1) - 1;
      if (left > 0) open.set(reader, left);
      else open.delete(reader);
    });
    deps.hub.add(client);
    const exp = (ctx.state as { accessToken?: { exp?: unknown } }).accessToken?.exp;
    if (typeof exp === 'number') client.endAt(exp * 1000);
    void start(deps, client, viewer, since).then(listed, () => client.end());
  });
  return router;
}

/**
 * What the stream starts with: the events after the cursor, when the replay holds them all; else a snapshot (after a
 * `reset`, for a cursor from before this node's empty start). The consumer is registered first, so that whatever is
 * delivered meanwhile waits for the start and follows it, never missed.
 */
async function start(deps: EventStreamDeps, client: EventStreamClient, viewer: Viewer, since: number | undefined): Promise<number> {
  const { hub } = deps;
  if (since !== undefined) {
    const replay = hub.replayFor(viewer, since);
    if (replay !== undefined) {
      client.started(replay, hub.seq);
      return 1;
    }
  }
  const seq = hub.seq;
  const users = await deps.reads.listOnline(viewer);
  const reset: PresenceReset = { type: 'reset', seq };
  const snapshot: PresenceSnapshot = { seq, users: users.map((user) => toUserBody({ ...user, status: 'online' })) as PresenceSnapshot['users'] };
  const before = since !== undefined && deps.startedEmpty && since < hub.startSeq ? sseFrame(seq, 'reset', reset) : '';
  client.started(before + sseFrame(seq, 'snapshot', snapshot), seq);
  return users.length;
}
