import fc from 'fast-check';
import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { ScopeIndex } from '../../../../../src/adapters/socket/subscriptions/scope-index';
import type { NetChange } from '../../../../../src/adapters/socket/subscriptions/transition-window';
import type { OnlineUser } from '../../../../../src/domain/presence.types';
import { netLeave } from '../../../../support/transitions';
import { onlineUser } from '../../../../support/presence-values';

interface Entry {
  readonly name: string;
  readonly scope: PresenceScope;
}
const entry = (name: string, userIds?: Array<string | number>, userTypes?: string[]): Entry => ({
  name,
  scope: new PresenceScope(userIds, userTypes),
});
const join = (userId: string | number, userType: string | null): OnlineUser => onlineUser(userId, 1_000, userType);
const leave = (userId: string | number, userType: string | null): NetChange['leaves'][number] => netLeave(userId, 2_000, 'expired', userType);
const names = (entries: Iterable<Entry>): string[] => [...entries].map((e) => e.name).sort();

describe('ScopeIndex', () => {
  it('finds the entries a user concerns: those listing its id, those listing its type, and those of every user', () => {
    const index = new ScopeIndex<Entry>();
    for (const e of [entry('all'), entry('ids', [7, 'b']), entry('agents', undefined, ['agent']), entry('both', ['c'], ['client'])]) {
      index.add(e);
    }
    expect(names(index.concerned({ userId: '7' }, null))).toEqual(['all', 'ids']);
    expect(names(index.concerned({ userId: 7 }, 'agent'))).toEqual(['agents', 'all', 'ids']);
    expect(names(index.concerned({ userId: 'c' }, null))).toEqual(['all', 'both']);
    expect(names(index.concerned({ userId: 'x' }, 'client'))).toEqual(['all', 'both']);
    expect(names(index.concerned({ userId: 'x' }, null))).toEqual(['all']);
  });

  it('forgets a removed entry, and keeps the others that list the same id or type', () => {
    const index = new ScopeIndex<Entry>();
    const [all, first, second] = [entry('all'), entry('first', ['a'], ['agent']), entry('second', ['a'], ['agent'])];
    for (const e of [all, first, second]) index.add(e);
    index.remove(first);
    index.remove(all);
    expect(names(index.concerned({ userId: 'a' }, 'agent'))).toEqual(['second']);
    index.remove(second);
    expect(names(index.concerned({ userId: 'a' }, 'agent'))).toEqual([]);
  });

  it('splits a net change by the entries it concerns, each part with the change seq, and leaves the others out', () => {
    const index = new ScopeIndex<Entry>();
    const [agents, listed, nobody] = [entry('agents', undefined, ['agent']), entry('listed', ['l']), entry('nobody', ['z'])];
    for (const e of [agents, listed, nobody]) index.add(e);
    const net: NetChange = { joins: [join('a', 'agent'), join('l', 'agent')], leaves: [leave('l2', null), leave('gone', 'agent')], updates: [], seq: 42 };

    const parts = index.split(net);

    expect(parts.has(nobody)).toBe(false);
    expect(parts.get(agents)).toEqual({ joins: [net.joins[0], net.joins[1]], leaves: [net.leaves[1]], updates: [], seq: 42 });
    expect(parts.get(listed)).toEqual({ joins: [net.joins[1]], leaves: [], updates: [], seq: 42 });
  });

  it('splits a change exactly as a pass over every entry with its scope would', () => {
    const ids = fc.constantFrom<string | number>('a', 'b', 'c', 1, '2');
    const types = fc.constantFrom('agent', 'client', 'admin');
    const scope = fc.record({
      userIds: fc.option(fc.uniqueArray(ids, { maxLength: 3 }), { nil: undefined }),
      userTypes: fc.option(fc.uniqueArray(types, { maxLength: 2 }), { nil: undefined }),
    });
    const change = fc.record({ userId: ids, userType: fc.option(types, { nil: null }), joins: fc.boolean() });
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 6 }), fc.array(change, { maxLength: 12 }), fc.nat(5), (scopes, changes, removed) => {
        const index = new ScopeIndex<Entry>();
        const entries = scopes.map((s, i) => entry(`e${i}`, s.userIds, s.userTypes));
        for (const e of entries) index.add(e);
        const gone = entries.slice(0, removed);
        for (const e of gone) index.remove(e);
        const net: NetChange = {
          joins: changes.filter((c) => c.joins).map((c) => join(c.userId, c.userType)),
          leaves: changes.filter((c) => !c.joins).map((c) => leave(c.userId, c.userType)),
          updates: [],
          seq: 9,
        };

        const parts = index.split(net);

        for (const e of entries) {
          const joins = gone.includes(e) ? [] : net.joins.filter((j) => e.scope.covers(j, j.userType));
          const leaves = gone.includes(e) ? [] : net.leaves.filter((l) => e.scope.covers(l, l.userType));
          if (joins.length + leaves.length === 0) expect(parts.has(e)).toBe(false);
          else expect(parts.get(e)).toEqual({ joins, leaves, updates: [], seq: 9 });
        }
      }),
      { numRuns: 300 },
    );
  });
});
