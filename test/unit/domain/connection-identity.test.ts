import fc from 'fast-check';
import { sameUser, speakerOf, userToEnd } from '../../../src/domain/connection-identity';
import { PresenceError } from '../../../src/domain/presence.errors';
import type { UserId } from '../../../src/domain/presence.types';

/** What the rule makes of an event: the user it speaks for, or the code it is refused with. */
function outcome(tokenUser: UserId | null, named: UserId | undefined): { speaks: UserId } | { refused: string } {
  try {
    return { speaks: speakerOf(tokenUser, named) };
  } catch (error) {
    if (!(error instanceof PresenceError)) throw error;
    return { refused: error.code };
  }
}

/** Ids that collide often: small integers, their decimal strings, and strings that only look like them. */
const userIds: fc.Arbitrary<UserId> = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.integer({ min: -3, max: 12 }).map(String),
  fc.constantFrom('07', '7.0', ' 7', '', 'alice', 'Alice'),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.string({ minLength: 1, maxLength: 8 }),
);

describe('the identity rule', () => {
  describe('without a token', () => {
    it('trusts the user the event names, as named', () => {
      expect(speakerOf(null, 'alice')).toBe('alice');
      expect(speakerOf(null, 7)).toBe(7);
    });

    it('refuses an event that names no user as INVALID_PAYLOAD', () => {
      expect(() => speakerOf(null, undefined)).toThrow(new PresenceError('INVALID_PAYLOAD', 'userId: is required'));
      expect(outcome(null, undefined)).toEqual({ refused: 'INVALID_PAYLOAD' });
    });
  });

  describe('with a token', () => {
    it('speaks for the token’s user when the event names none', () => {
      expect(speakerOf('alice', undefined)).toBe('alice');
      expect(speakerOf(7, undefined)).toBe(7);
    });

    it('speaks for the token’s user when the event names it, 7 and "7" alike, keeping the JSON type named', () => {
      expect(speakerOf('alice', 'alice')).toBe('alice');
      expect(speakerOf(7, '7')).toBe('7');
      expect(speakerOf('7', 7)).toBe(7);
    });

    it('refuses an event that names another user as FORBIDDEN, "07" and 7 included', () => {
      expect(() => speakerOf('alice', 'bob')).toThrow(new PresenceError('FORBIDDEN', 'userId is not the authenticated user'));
      expect(outcome(7, '07')).toEqual({ refused: 'FORBIDDEN' });
      expect(outcome('alice', 'Alice')).toEqual({ refused: 'FORBIDDEN' });
    });

    it('never lets an event speak for anyone but the token’s user (property)', () => {
      fc.assert(
        fc.property(userIds, fc.option(userIds, { nil: undefined }), (token, named) => {
          const result = outcome(token, named);
          if (named !== undefined && String(named) !== String(token)) expect(result).toEqual({ refused: 'FORBIDDEN' });
          else expect(result).toEqual({ speaks: named ?? token });
          if ('speaks' in result) expect(String(result.speaks)).toBe(String(token));
        }),
        { numRuns: 2_000 },
      );
    });
  });

  it('takes a safe integer and its decimal string as one user, and no other string (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.string(), (n, other) => {
        expect(sameUser(n, String(n))).toBe(true);
        expect(sameUser(String(n), n)).toBe(true);
        expect(sameUser(n, other)).toBe(other === String(n));
      }),
    );
    expect(sameUser(7, '07')).toBe(false);
  });
});

describe('one user per connection', () => {
  it('ends nothing on a first announcement, or on announcing the same user again', () => {
    expect(userToEnd(undefined, 'alice')).toBeUndefined();
    expect(userToEnd('alice', 'alice')).toBeUndefined();
    expect(userToEnd(7, '7')).toBeUndefined();
  });

  it('ends the user announced before when another is announced', () => {
    expect(userToEnd('alice', 'bob')).toBe('alice');
    expect(userToEnd(7, '07')).toBe(7);
  });

  it('keeps a connection speaking for at most one user, the last announced, whatever it announces (property)', () => {
    fc.assert(
      fc.property(fc.array(userIds, { maxLength: 30 }), (announcements) => {
        // What the connection holds online: each announcement first ends what `userToEnd` says, then adds its user.
        const online: UserId[] = [];
        let announced: UserId | undefined;
        for (const user of announcements) {
          const ended = userToEnd(announced, user);
          if (ended !== undefined) {
            const at = online.findIndex((u) => sameUser(u, ended));
            expect(at).toBeGreaterThanOrEqual(0);
            online.splice(at, 1);
          }
          if (!online.some((u) => sameUser(u, user))) online.push(user);
          announced = user;
        }
        expect(online.length).toBe(announcements.length === 0 ? 0 : 1);
        if (announced !== undefined) expect(sameUser(online[0] as UserId, announced)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
