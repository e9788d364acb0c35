import { audienceClaimsOf, BACKEND_SCOPE, InvalidAudienceClaim } from '../../../../src/adapters/auth/audience-claims';

const named = { tenant: 'org', userType: 'user_type' };

describe('audienceClaimsOf', () => {
  it('reads the tenant, the type and the backend scope of a token', () => {
    expect(audienceClaimsOf({ org: 'acme', user_type: 'agent', scope: `openid ${BACKEND_SCOPE}` }, named)).toEqual({
      tenant: 'acme',
      userType: 'agent',
      backend: true,
    });
    // No type claim: a user of no type. A scope that only contains the words elsewhere is not a backend's.
    expect(audienceClaimsOf({ org: 'acme', scope: `${BACKEND_SCOPE}x read` }, named)).toEqual({ tenant: 'acme', userType: null, backend: false });
  });

  it('reads nothing of claims the deployment does not name', () => {
    expect(audienceClaimsOf({ org: 'acme', user_type: 'agent' }, { tenant: null, userType: null })).toEqual({ tenant: null, userType: null, backend: false });
  });

  it.each([
    [{}, 'missing'],
    [{ org: '' }, 'missing'],
    [{ org: 7 }, 'missing'],
    [{ org: 'x'.repeat(129) }, 'missing'],
    [{ org: '\ud800' }, 'missing'],
    [{ org: 'acme', user_type: 7 }, 'not a user type'],
    [{ org: 'acme', user_type: '' }, 'not a user type'],
  ])('refuses %j: a tenant must be there and valid, a type valid when there', (claims, reason) => {
    expect(() => audienceClaimsOf(claims, named)).toThrow(InvalidAudienceClaim);
    expect(() => audienceClaimsOf(claims, named)).toThrow(reason);
  });
});
