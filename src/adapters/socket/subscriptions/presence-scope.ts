import { createHash } from 'node:crypto';
import type { UserId, UserKey } from '../../../domain/presence.types';
import { userKeyOf } from '../../../domain/presence.types';

/** Which users a subscription covers: all (no filter given), or those listed and those of the listed types. */
export class PresenceScope {
  /** The same for every subscription that covers the same users: connections with equal keys share payloads. */
  readonly key: string;
  private readonly ids: ReadonlySet<UserKey>;
  private readonly types: ReadonlySet<string>;

  constructor(
    readonly userIds: readonly UserId[] | undefined,
    readonly userTypes: readonly string[] | undefined,
  ) {
    this.ids = new Set((userIds ?? []).map(userKeyOf));
    this.types = new Set(userTypes ?? []);
    const all = userIds === undefined && userTypes === undefined;
    this.key = all
      ? 'all'
      : createHash('sha1')
          .update(JSON.stringify([[...this.ids].sort(), [...this.types].sort()]))
          .digest('base64url');
  }

  get all(): boolean {
    return this.key === 'all';
  }

  /** The keys of the users listed by id. */
  get idKeys(): ReadonlySet<UserKey> {
    return this.ids;
  }

  get typeSet(): ReadonlySet<string> {
    return this.types;
  }

  /** The users listed by id: offline ones are part of a state too. */
  get listedIds(): readonly UserId[] {
    return this.userIds ?? [];
  }

  covers(userId: UserId, userType: string | null): boolean {
    return this.all || this.ids.has(userKeyOf(userId)) || (userType !== null && this.types.has(userType));
  }
}
