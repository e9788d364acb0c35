/** Which user a connection speaks for (CONTRACT §1, Identity and Authentication). */
import { forbidden, invalidPayload } from './presence.errors';
import type { UserId } from './presence.types';
import { userKeyOf } from './presence.types';

/** `7` and `"7"` are the same user; `"07"` is another. */
export function sameUser(a: UserId, b: UserId): boolean {
  return userKeyOf(a) === userKeyOf(b);
}

/**
 * The user an event speaks for, given the connection's token user (`null`: no authentication) and the user the
 * event names, if any. Without a token the named user is trusted, and required. With one, the event may leave its
 * user out (the token's is meant); a user it names must be the token's, or the event is FORBIDDEN. A named user
 * is returned as named, so that what is sent about it keeps the JSON type it was announced with.
 */
export function speakerOf(tokenUser: UserId | null, named: UserId | undefined): UserId {
  if (tokenUser === null) {
    if (named === undefined) throw invalidPayload('userId: is required');
    return named;
  }
  if (named === undefined) return tokenUser;
  if (!sameUser(named, tokenUser)) throw forbidden('userId is not the authenticated user');
  return named;
}

/**
 * A connection speaks for one user at a time: when it announces a user other than the one it announced before,
 * the previous one's presence on it ends first. That previous user, or `undefined` when nothing has to end.
 * (With a token every announcement is the token's user, so this only ever ends one without.)
 */
export function userToEnd(announced: UserId | undefined, announcing: UserId): UserId | undefined {
  return announced !== undefined && !sameUser(announced, announcing) ? announced : undefined;
}
