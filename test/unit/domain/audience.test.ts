import fc from 'fast-check';
import { ALL_VIEWERS, audiencesOf, maySee, sightChanges, tenantUserKey, type ShownUser, type Viewer } from '../../../src/domain/audience';
import { InvalidVisibilityRules, VisibilityRules } from '../../../src/domain/visibility-rules';

const helpdesk = { visibility: VisibilityRules.parse('client:agent;agent:*') };
const open = { visibility: null };

const user = (key: string, userType: string | null, tenant: string | null = 'acme'): ShownUser => ({ tenant, key, userType });
const viewer = (key: string | null, userType: string | null, tenant: string | null = 'acme'): Viewer => ({ kind: 'user', tenant, key, userType });
const backend = (tenant: string | null = 'acme'): Viewer => ({ kind: 'backend', tenant });

describe('VisibilityRules', () => {
  it('reads viewer:type,type;viewer:* with spaces anywhere, and writes itself back in one order', () => {
    expect(VisibilityRules.parse(' agent : * ; client: agent , bot ;').toString()).toBe('agent:*;client:agent,bot');
    expect(VisibilityRules.parse('client:agent,*').toString()).toBe('client:*');
  });

  it.each([
    ['', 'names no rule'],
    [' ; ', 'names no rule'],
    ['client', 'is not viewer:type,type'],
    ['client:agent:bot', 'is not viewer:type,type'],
    ['client:agent;client:bot', 'two rules'],
    [':agent', 'is not a user type'],
    ['client:', 'is not a user type'],
    ['client:agent,,bot', 'is not a user type'],
    ['*:agent', 'is not a user type'],
    [`client:${'x'.repeat(129)}`, 'is not a user type'],
  ])('refuses %j: %s', (text, reason) => {
    expect(() => VisibilityRules.parse(text)).toThrow(InvalidVisibilityRules);
    expect(() => VisibilityRules.parse(text)).toThrow(reason);
  });

  it('lets a viewer type see the types its rule names, or all with *, users of no type only with *', () => {
    const rules = VisibilityRules.parse('client:agent;agent:*');
    expect(rules.allows('client', 'agent')).toBe(true);
    expect(rules.allows('client', 'client')).toBe(false);
    expect(rules.allows('client', null)).toBe(false);
    expect(rules.allows('agent', 'client')).toBe(true);
    expect(rules.allows('agent', null)).toBe(true);
    // A type with no rule, and a viewer of no type, see no one by type.
    expect(rules.allows('bot', 'agent')).toBe(false);
    expect(rules.allows(null, 'agent')).toBe(false);
  });
});

describe('maySee', () => {
  it('never shows a user of another tenant, to users or backends', () => {
    expect(maySee(open, viewer('a', 'agent', 'acme'), user('b', 'agent', 'globex'))).toBe(false);
    expect(maySee(helpdesk, backend('acme'), user('b', 'agent', 'globex'))).toBe(false);
    // Tenants off: one partition.
    expect(maySee(open, viewer('a', null, null), user('b', null, null))).toBe(true);
  });

  it('shows a backend its whole tenant, a user itself whatever its type, and what the rules allow', () => {
    expect(maySee(helpdesk, backend(), user('c2', 'client'))).toBe(true);
    expect(maySee(helpdesk, backend(), user('x', null))).toBe(true);
    expect(maySee(helpdesk, viewer('c1', 'client'), user('c1', 'client'))).toBe(true);
    expect(maySee(helpdesk, viewer('c1', 'client'), user('c2', 'client'))).toBe(false);
    expect(maySee(helpdesk, viewer('c1', 'client'), user('a1', 'agent'))).toBe(true);
    expect(maySee(helpdesk, viewer('a1', 'agent'), user('x', null))).toBe(true);
    // A viewer not announced as anyone yet (no key) sees only what its type allows.
    expect(maySee(helpdesk, viewer(null, 'client'), user('c1', 'client'))).toBe(false);
  });

  const types = fc.constantFrom('agent', 'client', 'bot', 'admin');
  const maybeType = fc.option(types, { nil: null });
  const tenants = fc.option(fc.constantFrom('acme', 'globex'), { nil: null });
  const ruleSets = fc.dictionary(types, fc.oneof(fc.constant('*' as const), fc.uniqueArray(types, { minLength: 1 })), { minKeys: 1 });
  const textOf = (rules: Record<string, '*' | string[]>): string =>
    Object.entries(rules)
      .map(([v, seen]) => `${v}:${seen === '*' ? '*' : seen.join(',')}`)
      .join(';');

  it('agrees with a model of who sees whom, and sends a change exactly to the audiences that may see it', () => {
    fc.assert(
      fc.property(ruleSets, fc.boolean(), tenants, tenants, fc.constantFrom('u1', 'u2'), fc.constantFrom('u1', 'u2'), maybeType, maybeType, (written, on, viewerTenant, userTenant, viewerKey, userKey, viewerType, userType) => {
        const rules = { visibility: on ? VisibilityRules.parse(textOf(written)) : null };
        const seen = written[viewerType ?? ''];
        const byType = !on || (seen !== undefined && (seen === '*' || (userType !== null && seen.includes(userType))));
        const expected = viewerTenant === userTenant && (viewerKey === userKey || byType);
        const shown = user(userKey, userType, userTenant);
        const looking = viewer(viewerKey, viewerType, viewerTenant);
        expect(maySee(rules, looking, shown)).toBe(expected);
        // The audiences of the change are the same judgement, made once per audience instead of per viewer.
        const audiences = audiencesOf(rules, shown);
        const reached =
          audiences.tenant === viewerTenant &&
          (audiences.self === viewerKey || audiences.viewerTypes.includes(ALL_VIEWERS) || (viewerType !== null && audiences.viewerTypes.includes(viewerType)));
        expect(reached).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('tenantUserKey', () => {
  it('keeps a user’s key when tenants are off, and makes one key per (tenant, user) pair when on', () => {
    expect(tenantUserKey(null, '7')).toBe('7');
    const pairs = fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(pairs, pairs, ([t1, k1], [t2, k2]) => {
        const same = tenantUserKey(t1, k1) === tenantUserKey(t2, k2);
        expect(same).toBe(t1 === t2 && k1 === k2);
      }),
      { numRuns: 5_000, examples: [[['a:1', 'x'], ['a', '1:x']], [['ab', 'c'], ['a', 'bc']]] },
    );
  });
});

describe('sightChanges', () => {
  it('tells the viewer types that lose or gain sight of a user whose type changes, and no one else', () => {
    const rules = { visibility: VisibilityRules.parse('client:agent;agent:*;supervisor:agent,client') };
    expect(sightChanges(rules, user('u', 'client'), 'agent')).toEqual({ lose: [], gain: ['client'] });
    expect(sightChanges(rules, user('u', 'agent'), null)).toEqual({ lose: ['client', 'supervisor'], gain: [] });
    expect(sightChanges(open, user('u', 'agent'), 'client')).toEqual({ lose: [], gain: [] });
  });
});
