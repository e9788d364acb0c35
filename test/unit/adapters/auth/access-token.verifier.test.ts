import { AccessTokenVerifier, InvalidAccessToken } from '../../../../src/adapters/auth/access-token.verifier';
import { signToken, TEST_SECRET } from '../../../support/tokens';

const now = () => Date.now();

describe('AccessTokenVerifier', () => {
  it('names the user and, by default, no audience: tenants and types are not read', () => {
    const verifier = new AccessTokenVerifier(TEST_SECRET, 'sub', now);
    expect(verifier.verify(signToken({ sub: 7, org: 'acme', user_type: 'agent' }))).toEqual({
      userId: 7,
      expiresAt: expect.any(Number),
      audience: { tenant: null, userType: null, backend: false },
    });
  });

  it('reads the tenant and type claims it is given, and refuses a token without the tenant like a bad one', () => {
    const verifier = new AccessTokenVerifier(TEST_SECRET, 'sub', now, { tenant: 'org', userType: 'user_type' });
    expect(verifier.verify(signToken({ sub: 'ada', org: 'acme', user_type: 'agent' })).audience).toEqual({ tenant: 'acme', userType: 'agent', backend: false });
    expect(() => verifier.verify(signToken({ sub: 'ada' }))).toThrow(InvalidAccessToken);
    expect(() => verifier.verify(signToken({ sub: 'ada', org: 'acme', user_type: ['agent'] }))).toThrow(InvalidAccessToken);
    try {
      verifier.verify(signToken({ sub: 'ada' }));
    } catch (error) {
      // The client is told `unauthorized` only; the reason is for the log.
      expect((error as InvalidAccessToken).message).toBe('unauthorized');
      expect((error as InvalidAccessToken).reason).toBe('claim org is missing or not a tenant');
    }
  });
});
