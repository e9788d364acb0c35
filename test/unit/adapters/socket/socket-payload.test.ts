import fc from 'fast-check';
import { PresenceError } from '../../../../src/domain/presence.errors';
import { MAX_ID_LENGTH } from '../../../../src/adapters/validation/user-id.schema';
import { parsePayload, parseUserPayload, userPayload } from '../../../../src/adapters/socket/socket-payload.schema';

/** What a reader makes of a payload: the value, or the refusal's message. */
function outcome(read: () => unknown): { value: unknown } | { refused: string } {
  try {
    return { value: read() };
  } catch (error) {
    if (!(error instanceof PresenceError)) throw error;
    return { refused: error.message };
  }
}

const userIds = fc.oneof(
  fc.string({ minLength: MAX_ID_LENGTH - 2, maxLength: MAX_ID_LENGTH + 2, unit: 'binary' }),
  fc.string({ maxLength: 4, unit: 'binary' }),
  fc.string({ maxLength: MAX_ID_LENGTH + 2, size: 'max' }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\ud83d\ude00', 'a'), minLength: 1, maxLength: 4 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 1, -0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.jsonValue(),
);
/** Payloads as Socket.IO hands them over: anything JSON, and objects with and without a user id of any kind. */
const payloads = fc.oneof(
  fc.jsonValue(),
  fc.record({ userId: userIds }, { requiredKeys: [] }),
  fc.record({ userId: userIds, other: fc.jsonValue() }),
  fc.constant(undefined),
);

describe('parseUserPayload', () => {
  it('reads every payload exactly as the userPayload schema does, refusals and their messages included', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        expect(outcome(() => parseUserPayload(payload))).toEqual(outcome(() => parsePayload(userPayload, payload)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps only the user id', () => {
    expect(parseUserPayload({ userId: 7, extra: 'x' })).toEqual({ userId: 7 });
    expect(parseUserPayload({})).toEqual({});
    expect(() => parseUserPayload({ userId: '' })).toThrow('userId: userId must not be empty');
  });
});
