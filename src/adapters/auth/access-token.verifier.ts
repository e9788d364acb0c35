import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { UserId } from '../../domain/presence.types';
import { parseUserId } from '../validation/user-id.schema';
import { audienceClaimsOf, InvalidAudienceClaim, type AudienceClaimNames, type AudienceClaims } from './audience-claims';
import { hmacKey } from './hmac-key';

export class InvalidAccessToken extends Error {
  constructor(readonly reason: string) {
    super('unauthorized');
    this.name = 'InvalidAccessToken';
  }
}

/** What a valid token says: its user, when it runs out, and its audience (CONTRACT §9). */
export interface VerifiedToken {
  readonly userId: UserId;
  readonly expiresAt: number | null;
  readonly audience: AudienceClaims;
}

const NO_AUDIENCE_CLAIMS: AudienceClaimNames = { tenant: null, userType: null };

/**
 * Checks an HS256 access token and names its user and audience. Every other algorithm, `none` included, is refused.
 * Expiry is judged by the service's clock, the one that later closes the connection when the token runs out.
 */
export class AccessTokenVerifier {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly userClaim: string,
    private readonly now: () => number,
    private readonly audienceClaims: AudienceClaimNames = NO_AUDIENCE_CLAIMS,
  ) {
    this.key = hmacKey(secret);
  }

  verify(token: string): VerifiedToken {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], clockTimestamp: Math.floor(this.now() / 1000) });
    } catch (error) {
      throw new InvalidAccessToken(error instanceof Error ? error.name : 'invalid token');
    }
    if (typeof claims === 'string') throw new InvalidAccessToken('payload is not a JSON object');
    const userId = parseUserId(claims[this.userClaim]);
    if (userId === undefined) throw new InvalidAccessToken(`claim ${this.userClaim} is missing or not a user id`);
    let audience: AudienceClaims;
    try {
      audience = audienceClaimsOf(claims, this.audienceClaims);
    } catch (error) {
      throw new InvalidAccessToken(error instanceof InvalidAudienceClaim ? error.reason : 'invalid audience claims');
    }
    return { userId, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null, audience };
  }
}
