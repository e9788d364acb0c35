import { sameView, type AvailabilityView } from '../../../domain/availability';
import { isOnline, OFFLINE, type OfflineState } from '../../../domain/presence-state';
import {
  endsOnline,
  onlineUserOf,
  typeChanged,
  wentOffline,
  type CommittedTransition,
} from '../../../domain/presence.events';
import type { OfflineReason, OnlineUser, UserKey } from '../../../domain/presence.types';
import { keyOfUser } from '../../../domain/presence.types';

/**
 * A user who ended up offline, or out of the scopes of the type it had: the last transition that took it there (a
 * type change, for the latter), with the type it had then (a leave has none of its own).
 */
export type NetLeave = CommittedTransition & {
  readonly to: OfflineState;
  readonly reason: OfflineReason | 'type_changed';
  readonly userType: string | null;
};

/**
 * The net change of a run of transitions: who ended up online that was not, who ended up offline that was, and who
 * was online before and after but ended up shown with another availability or text (CONTRACT §8). A user is in one
 * of them at most (a type change is a leave and a join, each for the scopes of one type).
 */
export interface NetChange {
  /** Each as its last transition online brought it. */
  readonly joins: OnlineUser[];
  readonly leaves: NetLeave[];
  /** Each as its last transition brought it. */
  readonly updates: OnlineUser[];
  /** The seq of the last transition in it. */
  readonly seq: number;
}

/**
 * Collects a window of transitions (they alternate per user, with changes while online between) and says their net
 * effect. A user who went and came back, or went away and came back, ending as before, is not in it. A leave remembers the type the user had, so that scopes by type see it.
 */
export class TransitionWindow {
  private readonly first = new Map<UserKey, CommittedTransition>();
  private readonly last = new Map<UserKey, CommittedTransition>();
  private readonly typeOf = new Map<UserKey, string | null>();
  /** For users online before the window: the type the scopes were told then, which their leaves go by. */
  private readonly typeBefore = new Map<UserKey, string | null>();
  /** For users online before the window: what they were shown as then (their first transition's `from`, if known). */
  private readonly viewBefore = new Map<UserKey, AvailabilityView>();
  private lastSeq = 0;

  constructor(private readonly knownType: (key: UserKey) => string | null = () => null) {}

  /** Adds a transition; `typeHint` is the type a leaving user had, when the caller knows it better than the window. */
  add(transition: CommittedTransition, typeHint?: string | null): void {
    const key = keyOfUser(transition);
    const { to } = transition;
    if (!this.first.has(key)) {
      this.first.set(key, transition);
      const before = typeChanged(transition) ? transition.from.userType : (typeHint ?? this.knownType(key));
      this.typeOf.set(key, isOnline(to) ? to.userType : before);
      if (isOnline(transition.from)) {
        this.typeBefore.set(key, before);
        this.viewBefore.set(key, transition.from);
      }
    }
    if (isOnline(to)) this.typeOf.set(key, to.userType);
    this.last.set(key, transition);
    this.lastSeq = Math.max(this.lastSeq, transition.seq);
  }

  /** The type the window knows for a user, if it has seen the user. */
  typeKnown(key: UserKey): string | null | undefined {
    return this.typeOf.get(key);
  }

  get size(): number {
    return this.last.size;
  }

  get seq(): number {
    return this.lastSeq;
  }

  net(): NetChange {
    const joins: OnlineUser[] = [];
    const leaves: NetLeave[] = [];
    const updates: OnlineUser[] = [];
    for (const [key, last] of this.last) {
      const wasOnline = this.typeBefore.has(key);
      const before = this.typeBefore.get(key) ?? null;
      if (!wasOnline && endsOnline(last)) joins.push(onlineUserOf(last));
      else if (wasOnline && wentOffline(last)) leaves.push({ ...last, userType: before });
      else if (wasOnline && endsOnline(last) && before !== last.to.userType) {
        // Back, or still, online with another type than the scopes were told (its type changed, or it came back with
        // another): out of the scopes of the old type, into those of the new (a scope of both drops the pair).
        leaves.push({ ...last, to: OFFLINE, reason: 'type_changed', userType: before });
        joins.push(onlineUserOf(last));
      } else if (wasOnline && endsOnline(last) && !sameView(this.viewBefore.get(key) ?? last.to, last.to)) {
        updates.push(onlineUserOf(last));
      }
    }
    return { joins, leaves, updates, seq: this.lastSeq };
  }

  clear(): void {
    this.first.clear();
    this.last.clear();
    this.typeOf.clear();
    this.typeBefore.clear();
    this.viewBefore.clear();
  }
}
