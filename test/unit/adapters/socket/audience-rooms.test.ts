import fc from 'fast-check';
import { roomsOfChange, roomsOfViewer, userRoom, viewersRoom } from '../../../../src/adapters/socket/audience-rooms';
import { audiencesOf, maySee, type ShownUser } from '../../../../src/domain/audience';
import { VisibilityRules } from '../../../../src/domain/visibility-rules';

describe('audience rooms', () => {
  it('names rooms so that no tenant, type or user can pass for another', () => {
    expect(viewersRoom('a","viewers","b', 'c')).not.toBe(viewersRoom('a', 'b","c'));
    expect(userRoom(null, '7')).not.toBe(userRoom('null', '7'));
    expect(viewersRoom('acme', 'agent')).not.toBe(userRoom('acme', 'agent'));
  });

  it('keeps the room of 0.12 for every viewer without tenants or rules, so that broadcasts across nodes reach both versions', () => {
    expect(viewersRoom(null, '*')).toBe('presence:events');
    expect(roomsOfViewer({ kind: 'user', tenant: null, key: '7', userType: null }, false)).toEqual(['presence:events']);
    expect(viewersRoom('acme', '*')).not.toBe('presence:events');
  });

  const types = fc.constantFrom('agent', 'client', 'bot');
  const maybeType = fc.option(types, { nil: null });
  const tenants = fc.option(fc.constantFrom('acme', 'globex', 'null'), { nil: null });
  const keys = fc.constantFrom('1', '2', '3');
  const rules = fc.option(fc.constantFrom('client:agent;agent:*', 'agent:agent,client', 'bot:*;client:client'), { nil: null });

  it('puts a viewer in a room of a change exactly when it may see the changed user', () => {
    fc.assert(
      fc.property(rules, tenants, fc.option(keys, { nil: null }), maybeType, tenants, keys, maybeType, (written, viewerTenant, viewerKey, viewerType, userTenant, userKey, userType) => {
        const audience = { visibility: written === null ? null : VisibilityRules.parse(written) };
        const viewer = { kind: 'user' as const, tenant: viewerTenant, key: viewerKey, userType: viewerType };
        const user: ShownUser = { tenant: userTenant, key: userKey, userType };
        const joined = new Set(roomsOfViewer(viewer, audience.visibility !== null));
        const reached = roomsOfChange(audiencesOf(audience, user)).some((room) => joined.has(room));
        expect(reached).toBe(maySee(audience, viewer, user));
      }),
      { numRuns: 3_000 },
    );
  });
});
