import fc from 'fast-check';
import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import type { CommittedTransition } from '../../../../../src/domain/presence.events';
import type { OnlineUser } from '../../../../../src/domain/presence.types';
import type { PresenceDiffPayload, PresenceStatePayload, WirePresenceUser } from '../../../../../src/protocol/socket-events';
import { committed, offlineTransition, onlineTransition } from '../../../../support/transitions';
import { onlineUser } from '../../../../support/presence-values';

/** Random runs of presence for the subscription pieces' properties: users with a type each, toggled in turn. */

export const USERS: ReadonlyArray<{ readonly id: string | number; readonly type: string | null }> = [
  { id: 'a', type: 'agent' },
  { id: 'b', type: 'client' },
  { id: 7, type: null },
  { id: 'd', type: 'agent' },
  { id: 'e', type: null },
];

export type Step = 'flush' | number;

export interface Run {
  readonly initiallyOnline: readonly number[];
  readonly steps: readonly Step[];
}

export const SEED_SEQ = 100;

export const runs: fc.Arbitrary<Run> = fc.record({
  initiallyOnline: fc.subarray(USERS.map((_, i) => i)),
  steps: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant<Step>('flush') }, { weight: 3, arbitrary: fc.nat(USERS.length - 1) }), {
    maxLength: 60,
  }),
});

/** Scopes over those users: every user, some ids (and one never seen), some types, or both. */
export const scopes: fc.Arbitrary<PresenceScope> = fc
  .record({
    userIds: fc.option(fc.subarray([...USERS.map((u) => u.id), 'ghost']), { nil: undefined }),
    userTypes: fc.option(fc.subarray(['agent', 'client', 'admin']), { nil: undefined }),
  })
  .map(({ userIds, userTypes }) => new PresenceScope(userIds, userTypes));

export const seeded = (run: Run): OnlineUser[] =>
  run.initiallyOnline.map((i) => onlineUser(USERS[i]!.id, 0, USERS[i]!.type));

/** Who is online for real, as the transitions a run makes go by. */
export class Truth {
  readonly online = new Map<string, OnlineUser>();
  seq = SEED_SEQ;

  constructor(run: Run) {
    for (const user of seeded(run)) this.online.set(String(user.userId), user);
  }

  /** The next transition of the user: online if offline, offline if online. */
  toggle(index: number): CommittedTransition {
    const { id, type } = USERS[index]!;
    this.seq += 1;
    if (this.online.delete(String(id))) return committed(offlineTransition(id, this.seq * 1_000, 'explicit'), this.seq);
    this.online.set(String(id), onlineUser(id, this.seq * 1_000, type, `n${this.seq}`));
    return committed(onlineTransition(id, this.seq * 1_000, type, `n${this.seq}`), this.seq);
  }

  /** The ids online in the scope, sorted. */
  inScope(scope: PresenceScope, online: ReadonlyMap<string, OnlineUser> = this.online): string[] {
    return [...online.values()].filter((u) => scope.covers(u, u.userType)).map((u) => String(u.userId)).sort();
  }
}

/**
 * What a §7 client holds: the last state with every later diff applied, as test/support/presence-mirror.ts does, but
 * stricter: a diff may only join users the client does not hold as online and only take away those it does.
 */
export class Mirror {
  readonly users = new Map<string, WirePresenceUser>();
  seq = -1;

  state(state: PresenceStatePayload): void {
    this.users.clear();
    for (const u of state.users) this.users.set(String(u.userId), u);
    this.seq = state.seq;
  }

  diff(diff: PresenceDiffPayload): void {
    if (diff.seq < this.seq) throw new Error(`diff seq ${diff.seq} after ${this.seq}`);
    for (const j of diff.joins) {
      if (this.users.get(String(j.userId))?.status === 'online') throw new Error(`join of ${j.userId}, online already`);
      this.users.set(String(j.userId), j);
    }
    for (const l of diff.leaves) {
      if (this.users.get(String(l.userId))?.status !== 'online') throw new Error(`leave of ${l.userId}, not online`);
      this.users.delete(String(l.userId));
    }
    this.seq = diff.seq;
  }

  online(): string[] {
    return [...this.users.values()].filter((u) => u.status === 'online').map((u) => String(u.userId)).sort();
  }
}
