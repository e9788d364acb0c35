import { createHash } from 'node:crypto';
import { typesSeenBy, type AudienceRules, type Viewer } from '../../../domain/audience';
import type { Tenant, TenantUser, UserId, UserKey } from '../../../domain/presence.types';
import { keyOfUser, tenantOf, tenantUserKey, userKeyOf } from '../../../domain/presence.types';

/**
 * What a subscriber may see (CONTRACT §9): the user types its viewer type sees (`*`: all), and its own user where
 * its type does not show it. Part of a scope's key, so that connections share a group only with those that see
 * the same; the own user is only in it where it has to be, so that subscribers of a type share one group.
 */
export interface ScopeSight {
  /** The viewer's tenant: a subscription never covers a user of another. */
  readonly tenant: Tenant;
  readonly types: '*' | ReadonlySet<string>;
  readonly self: UserKey | null;
  /** The same for equal tenants and type sets. */
  readonly typesKey: string;
  /** The same for equal sights. */
  readonly key: string;
}

export const SEES_ALL: ScopeSight = { tenant: null, types: '*', self: null, typesKey: '*', key: '' };

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
    this.ids = new Set((userIds ?? []).map((id) => tenantUserKey(sight.tenant, userKeyOf(id))));
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

  /** The keys of the users listed by id (in the sight's tenant). */
  get idKeys(): ReadonlySet<UserKey> {
    return this.ids;
  }

  get typeSet(): ReadonlySet<string> {
    return this.types;
  }

  /** The users listed by id, as named: the sight's tenant's. */
  get listedIds(): readonly UserId[] {
    return this.userIds ?? [];
  }

  /** Whether the scope holds the user, shown with this type (an offline user's type may not be known: null). */
  covers(user: TenantUser, userType: string | null): boolean {
    if (tenantOf(user) !== this.sight.tenant) return false;
    const key = keyOfUser(user);
    const inScope = this.everyone || this.ids.has(key) || (userType !== null && this.types.has(userType));
    return inScope && this.sees(key, userType);
  }

  /** Whether the sight lets a user of its tenant, of this key and type, be shown. */
  private sees(key: UserKey, userType: string | null): boolean {
    const { types, self } = this.sight;
    return types === '*' || (userType !== null && types.has(userType)) || key === self;
  }
}

/**
 * The sight of a viewer subscribing to `userIds`/`userTypes`. Its own user is part of it only where the scope could
 * hold the user in a type the sight does not show (the user may be shown with another type than the viewer's token
 * says, announced by another of its connections): everyone, its own id, or a type the sight leaves out. A subscriber
 * by types its type sees (a client subscribing to agents) shares its group with every viewer of its type.
 */
export function sightOf(rules: AudienceRules, viewer: Viewer, userIds: readonly UserId[] | undefined, userTypes: readonly string[] | undefined): ScopeSight {
  const types = typesSeenBy(rules, viewer);
  const { tenant } = viewer;
  if (types === '*') return tenant === null ? SEES_ALL : { tenant, types, self: null, typesKey: JSON.stringify([tenant, '*']), key: JSON.stringify([tenant]) };
  const ownKey = viewer.kind === 'user' ? viewer.key : null;
  const couldHoldSelfUnseen =
    ownKey !== null &&
    ((userIds === undefined && userTypes === undefined) ||
      (userIds ?? []).some((id) => userKeyOf(id) === ownKey) ||
      (userTypes ?? []).some((type) => !types.has(type)));
  const self = couldHoldSelfUnseen ? tenantUserKey(tenant, ownKey) : null;
  const typesKey = JSON.stringify([tenant, [...types].sort()]);
  return { tenant, types, self, typesKey, key: JSON.stringify([typesKey, self]) };
}
