import { createHash } from 'node:crypto';
import { typesSeenBy, type AudienceRules, type Viewer } from '../../../domain/audience';
import type { UserId, UserKey } from '../../../domain/presence.types';
import { userKeyOf } from '../../../domain/presence.types';

/**
 * What a subscriber may see (CONTRACT §9): the user types its viewer type sees (`*`: all), and its own user where
 * its type does not show it. Part of a scope's key, so that connections share a group only with those that see
 * the same; the own user is only in it where it has to be, so that subscribers of a type share one group.
 */
export interface ScopeSight {
  readonly types: '*' | ReadonlySet<string>;
  readonly self: UserKey | null;
  /** The same for equal type sets. */
  readonly typesKey: string;
  /** The same for equal sights. */
  readonly key: string;
}

export const SEES_ALL: ScopeSight = { types: '*', self: null, typesKey: '*', key: '' };

/** Which users a subscription covers: all (no filter given), or those listed and those of the listed types. */
export class PresenceScope {
  /** The same for every subscription that covers the same users: connections with equal keys share payloads. */
  readonly key: string;
  private readonly ids: ReadonlySet<UserKey>;
  private readonly types: ReadonlySet<string>;
  private readonly everyone: boolean;

  constructor(
    readonly userIds: readonly UserId[] | undefined,
    readonly userTypes: readonly string[] | undefined,
    readonly sight: ScopeSight = SEES_ALL,
  ) {
    this.ids = new Set((userIds ?? []).map(userKeyOf));
    this.types = new Set(userTypes ?? []);
    this.everyone = userIds === undefined && userTypes === undefined;
    const base = this.everyone
      ? 'all'
      : createHash('sha1')
          .update(JSON.stringify([[...this.ids].sort(), [...this.types].sort()]))
          .digest('base64url');
    this.key = sight.key === '' ? base : `${base}|${sight.key}`;
  }

  /** Every user the sight allows, whatever its id or type: what the scope index keeps apart. */
  get all(): boolean {
    return this.everyone;
  }

  /** The keys of the users listed by id. */
  get idKeys(): ReadonlySet<UserKey> {
    return this.ids;
  }

  get typeSet(): ReadonlySet<string> {
    return this.types;
  }

  /** The users listed by id that the sight lets be listed offline (a type not known: seen by `*` sights only). */
  get listedIds(): readonly UserId[] {
    return (this.userIds ?? []).filter((id) => this.sees(userKeyOf(id), null));
  }

  covers(userId: UserId, userType: string | null): boolean {
    const key = userKeyOf(userId);
    const inScope = this.everyone || this.ids.has(key) || (userType !== null && this.types.has(userType));
    return inScope && this.sees(key, userType);
  }

  /** Whether the sight lets a user of this key and type be shown. */
  sees(key: UserKey, userType: string | null): boolean {
    const { types, self } = this.sight;
    return types === '*' || (userType !== null && types.has(userType)) || key === self;
  }
}

/**
 * The sight of a viewer subscribing to `userIds`/`userTypes`: its own user is part of it only where its type does
 * not see its own type and the scope could hold it (everyone, its id, or its type).
 */
export function sightOf(rules: AudienceRules, viewer: Viewer, userIds: readonly UserId[] | undefined, userTypes: readonly string[] | undefined): ScopeSight {
  const types = typesSeenBy(rules, viewer);
  if (types === '*') return SEES_ALL;
  const own = viewer.kind === 'user' ? viewer : undefined;
  const ownType = own?.userType ?? null;
  const seesOwnType = ownType !== null && types.has(ownType);
  const couldHoldSelf =
    own?.key !== null &&
    own?.key !== undefined &&
    ((userIds === undefined && userTypes === undefined) ||
      (userIds ?? []).some((id) => userKeyOf(id) === own.key) ||
      (ownType !== null && (userTypes ?? []).includes(ownType)));
  const self = !seesOwnType && couldHoldSelf ? (own?.key ?? null) : null;
  const typesKey = JSON.stringify([...types].sort());
  return { types, self, typesKey, key: JSON.stringify([typesKey, self]) };
}
