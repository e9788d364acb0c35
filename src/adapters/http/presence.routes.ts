import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AudienceReads } from '../../domain/audience-reads';
import type { PresencePage, UserStatus } from '../../domain/presence.service';
import type { components } from './generated/openapi.types';
import { isoOrNull } from '../presence-events/iso-time';
import { notFound } from './http-error';
import { encodeCursor } from './presence-cursor';
import { parsePresenceListQuery, parseUserIdParam } from './presence-query.schema';
import type { ReadAllowance } from './read-allowance';
import { restViewerOf, type RestViewerClaims } from './rest-viewer';

type PresenceUserBody = components['schemas']['PresenceUser'];
type PresencePageBody = components['schemas']['PresencePage'];


export const toUserBody = (user: UserStatus): PresenceUserBody => ({
  userId: user.userId,
  status: user.status,
  lastSeen: isoOrNull(user.lastSeen),
  userType: user.userType,
  userName: user.userName,
  availability: user.availability,
  statusText: user.statusText,
  lastActive: isoOrNull(user.lastActive),
  onlineSince: isoOrNull(user.onlineSince),
});

/** How fresh an answer is: the bounds come from the settings, the time from the clock. */
export interface Freshness {
  now(): number;
  /** The seq of the last transition this node delivered: an answer read after it is current to it (CONTRACT §10). */
  currentSeq(): number;
  readonly maxStalenessMs: number;
  readonly nodeLossBoundMs: number | null;
}

const toPageBody = (page: PresencePage, freshness: Freshness, asOf: number, seq: number): PresencePageBody => ({
  seq,
  users: page.users.map(toUserBody),
  total: page.total,
  nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
  asOf: new Date(asOf).toISOString(),
  maxStalenessMs: freshness.maxStalenessMs,
  nodeLossBoundMs: freshness.nodeLossBoundMs,
});

/** Who may read: koa-jwt's check of the token when the service has a secret, and the claims that name a viewer. */
export interface RestAccess {
  readonly authenticate: Middleware;
  readonly claims: RestViewerClaims;
}

/**
 * `GET /presence` and `GET /presence/{userId}`, behind `authenticate` when the service has a secret, each drawing on
 * its reader's allowance and answering only what its viewer may see (CONTRACT §9).
 */
export function presenceRoutes(reads: AudienceReads, access: RestAccess | null, allowance: ReadAllowance, freshness: Freshness): Router {
  const router = new Router();
  const guard: Middleware[] = access === null ? [] : [access.authenticate];
  const claims = access?.claims ?? null;

  router.get('/presence', ...guard, async (ctx) => {
    const query = parsePresenceListQuery(ctx.query);
    const viewer = restViewerOf(ctx, claims);
    // Named users are each looked up (and read from the database when offline), whatever the page shows of them.
    const listed = allowance.take(ctx, query.userIds?.length ?? query.limit);
    const asOf = freshness.now();
    const seq = freshness.currentSeq();
    const page =
      query.userIds === undefined ? await reads.pageOnline(viewer, query) : await reads.pageOf(viewer, query.userIds, query);
    listed(query.userIds?.length ?? page.users.length);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Presence-Seq', String(seq));
    ctx.body = toPageBody(page, freshness, asOf, seq);
  });

  router.get('/presence/:userId', ...guard, async (ctx) => {
    const userId = parseUserIdParam(ctx.params['userId']);
    const viewer = restViewerOf(ctx, claims);
    allowance.take(ctx, 1);
    const seq = freshness.currentSeq();
    // One the viewer may not see is answered exactly like one never seen.
    const status = await reads.status(viewer, userId);
    if (status === undefined) throw notFound(`user ${userId} has never been seen`);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Presence-Seq', String(seq));
    ctx.body = toUserBody(status);
  });

  return router;
}
