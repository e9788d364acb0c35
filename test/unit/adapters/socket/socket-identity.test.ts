import { ConnectionLimits } from '../../../../src/adapters/socket/connection-limits';
import { SocketIdentity } from '../../../../src/adapters/socket/socket-identity';
import { SocketRefusal } from '../../../../src/adapters/socket/socket-refusal.mapper';
import { PresenceError } from '../../../../src/domain/presence.errors';
import { StandInSocket } from '../../../support/stand-in-socket';

/** What a call threw, to compare with its class, code and message; nothing thrown fails the test. */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

const limited = () => {
  const limits = new ConnectionLimits({ perUser: 1, perAddress: 0 });
  return { limits, identity: new SocketIdentity(limits) };
};

describe('SocketIdentity', () => {
  it('applies the identity rule to the connection’s token', () => {
    const { identity } = limited();
    const open = new StandInSocket('s1');
    const authenticated = new StandInSocket('s2', { authUserId: 7 });
    expect(identity.speakerOf(open.socket, 'bob')).toBe('bob');
    expect(identity.speakerOf(authenticated.socket, undefined)).toBe(7);
    expect(identity.speakerOf(authenticated.socket, '7')).toBe('7');
    const forbidden = thrown(() => identity.speakerOf(authenticated.socket, 'bob'));
    expect(forbidden).toBeInstanceOf(PresenceError);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', message: 'userId is not the authenticated user' });
    expect(thrown(() => identity.speakerOf(open.socket, undefined))).toMatchObject({ code: 'INVALID_PAYLOAD', message: 'userId: is required' });
  });

  it('names the user announced before that has to end, by the connection’s announced user', () => {
    const { identity } = limited();
    const client = new StandInSocket('s1', { userId: 'alice' });
    expect(identity.userToEnd(client.socket, 'bob')).toBe('alice');
    expect(identity.userToEnd(client.socket, 'alice')).toBeUndefined();
    expect(identity.userToEnd(new StandInSocket('s2').socket, 'bob')).toBeUndefined();
  });

  it('without a token, counts the connection against the user it announces, once, and refuses one over the limit', () => {
    const { identity } = limited();
    const first = new StandInSocket('s1');
    identity.admit(first.socket, 7);
    identity.admit(first.socket, '7');
    expect(first.data.countedUserId).toBe(7);
    expect(() => identity.admit(new StandInSocket('s2').socket, 'alice')).not.toThrow();
    const refused = thrown(() => identity.admit(new StandInSocket('s3').socket, 7));
    expect(refused).toBeInstanceOf(SocketRefusal);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', message: 'more than 1 connections for one user' });
  });

  it('moves the count when the connection announces another user, and gives it back on release', () => {
    const { identity, limits } = limited();
    const client = new StandInSocket('s1');
    identity.admit(client.socket, 'alice');
    identity.admit(client.socket, 'bob');
    expect(limits.admitUser({ userId: 'alice' })).toBeUndefined();
    identity.release(client.socket);
    expect(limits.admitUser({ userId: 'bob' })).toBeUndefined();
  });

  it('leaves an authenticated connection’s count to its handshake', () => {
    const { identity } = limited();
    const client = new StandInSocket('s1', { authUserId: 'alice' });
    identity.admit(client.socket, 'alice');
    identity.admit(new StandInSocket('s2', { authUserId: 'alice' }).socket, 'alice');
    expect(client.data.countedUserId).toBeUndefined();
  });
});
