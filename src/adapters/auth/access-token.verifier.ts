import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { UserId } from '../../domain/presence.types';
import { parseUserId } from '../validation/user-id.schema';
import { hmacKey } from './hmac-key';

export class InvalidAccessToken extends Error {
  constructor(readonly reason: string) {
    super('unauthorized');
    this.name = 'InvalidAccessToken';
  }
}

/**
 * Checks an HS256 access token and names its user. Every other algorithm, `none` included, is refused. Expiry is
 * judged by the service's clock, the one that later closes the connection when the token runs out.
 */
export class AccessTokenVerifier {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly userClaim: string,
    private readonly now: () => number,
  ) {
    this.key = hmacKey(secret);
  }

  verify(token: string): { userId: UserId; expiresAt: number | null } {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], clockTimestamp: Math.floor(this.now() / 1000) });
    } catch (error) {
      throw new InvalidAccessToken(error instanceof Error ? error.name : 'invalid token');
    }
    if (typeof claims === 'string') throw new InvalidAccessToken('payload is not a JSON object');
    const userId = parseUserId(claims[this.userClaim]);
    if (userId === undefined) throw new InvalidAccessToken(`claim ${this.userClaim} is missing or not a user id`);
    return { userId, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
  }
}
