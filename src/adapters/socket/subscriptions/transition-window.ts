import type { CommittedTransition, UserWentOffline, UserWentOnline } from '../../../domain/presence.events';
import type { UserKey } from '../../../domain/presence.types';
import { userKeyOf } from '../../../domain/presence.types';

/** The net change of a run of transitions: who ended up online that was not, who ended up offline that was. */
export interface NetChange {
  readonly joins: UserWentOnline[];
  readonly leaves: Array<UserWentOffline & { readonly userType: string | null }>;
  /** The seq of the last transition in it. */
  readonly seq: number;
}

/**
 * Collects a window of transitions (they alternate per user) and says their net effect. A user who went and came
 * back, ending as before, is not in it. A leave remembers the type the user had, so that scopes by type see it.
 */
export class TransitionWindow {
  private readonly first = new Map<UserKey, CommittedTransition>();
  private readonly last = new Map<UserKey, CommittedTransition>();
  private readonly typeOf = new Map<UserKey, string | null>();
  private lastSeq = 0;

  constructor(private readonly knownType: (key: UserKey) => string | null = () => null) {}

  /** Adds a transition; `typeHint` is the type a leaving user had, when the caller knows it better than the window. */
  add(transition: CommittedTransition, typeHint?: string | null): void {
    const key = userKeyOf(transition.userId);
    if (!this.first.has(key)) {
      this.first.set(key, transition);
      this.typeOf.set(key, transition.type === 'UserWentOnline' ? transition.userType : (typeHint ?? this.knownType(key)));
    }
    if (transition.type === 'UserWentOnline') this.typeOf.set(key, transition.userType);
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
    const joins: UserWentOnline[] = [];
    const leaves: NetChange['leaves'] = [];
    for (const [key, last] of this.last) {
      const wasOnline = (this.first.get(key) as CommittedTransition).type === 'UserWentOffline';
      const isOnline = last.type === 'UserWentOnline';
      if (wasOnline === isOnline) continue;
      if (last.type === 'UserWentOnline') joins.push(last);
      else leaves.push({ ...last, userType: this.typeOf.get(key) ?? null });
    }
    return { joins, leaves, seq: this.lastSeq };
  }

  clear(): void {
    this.first.clear();
    this.last.clear();
    this.typeOf.clear();
  }
}
