import type { Context } from 'koa';
import type { Viewer } from '../../domain/audience';
import { userKeyOf } from '../../domain/presence.types';
import { audienceClaimsOf, InvalidAudienceClaim, type AudienceClaimNames } from '../auth/audience-claims';
import { parseUserId } from '../validation/user-id.schema';
import { unauthorized } from './http-error';

/** How REST tells who reads: the claims that name a token's user and audience; `null` when there is no secret. */
export interface RestViewerClaims {
  readonly userClaim: string;
  readonly audience: AudienceClaimNames;
}

const BACKEND_OF_ALL: Viewer = { kind: 'backend', tenant: null };

/**
 * The viewer a REST request reads as (CONTRACT §9): without a secret, a backend; with one, a backend when its token's
 * `scope` says `presence:read:all`, else the token's user with the token's type. Read after koa-jwt verified the
 * token; an audience claim it cannot use refuses the request like a bad token.
 */
export function restViewerOf(ctx: Context, claims: RestViewerClaims | null): Viewer {
  if (claims === null) return BACKEND_OF_ALL;
  const token = (ctx.state as { accessToken?: Record<string, unknown> }).accessToken ?? {};
  let audience;
  try {
    audience = audienceClaimsOf(token, claims.audience);
  } catch (error) {
    if (error instanceof InvalidAudienceClaim) throw unauthorized();
    throw error;
  }
  if (audience.backend) return { kind: 'backend', tenant: audience.tenant };
  const userId = parseUserId(token[claims.userClaim]);
  return { kind: 'user', tenant: audience.tenant, key: userId === undefined ? null : userKeyOf(userId), userType: audience.userType };
}
