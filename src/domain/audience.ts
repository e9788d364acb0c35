import type { Tenant, UserKey } from './presence.types';
import type { VisibilityRules } from './visibility-rules';

export type { Tenant } from './presence.types';
export { tenantUserKey } from './presence.types';

/** A user as an audience judges it: where it lives, who it is, and its type (null: none, or not known). */
export interface ShownUser {
  readonly tenant: Tenant;
  readonly key: UserKey;
  readonly userType: string | null;
}

/**
 * Who is looking (CONTRACT §9): a connection or a token, of a tenant. A backend (a token with `presence:read:all`,
 * or REST without a secret) sees its whole tenant; a user sees itself and what the rules let its type see.
 */
export type Viewer =
  | { readonly kind: 'backend'; readonly tenant: Tenant }
  | { readonly kind: 'user'; readonly tenant: Tenant; readonly key: UserKey | null; readonly userType: string | null };

/** The rules a deployment runs with: `null` visibility is "all see all", as the original backend did. */
export interface AudienceRules {
  readonly visibility: VisibilityRules | null;
}

/** Whether `viewer` may be shown `user` at all: in an event, a list, a count, a diff or an answer. */
export function maySee(rules: AudienceRules, viewer: Viewer, user: ShownUser): boolean {
  if (viewer.tenant !== user.tenant) return false;
  if (viewer.kind === 'backend' || rules.visibility === null) return true;
  if (viewer.key !== null && viewer.key === user.key) return true;
  return rules.visibility.allows(viewer.userType, user.userType);
}

/** The user types a viewer sees besides itself: `*` for all of its tenant's users, else those named. */
export function typesSeenBy(rules: AudienceRules, viewer: Viewer): '*' | ReadonlySet<string> {
  if (viewer.kind === 'backend' || rules.visibility === null) return ALL_VIEWERS;
  return rules.visibility.seenBy(viewer.userType);
}

/**
 * The audiences a change of `user` goes to, each named once: the viewer types of its tenant that see its type (`*`
 * when all see all), and the user itself. A transport keeps one room per audience, so that a change is encoded once
 * per audience, never once per connection.
 */
export interface AudienceNames {
  readonly tenant: Tenant;
  /** Viewer types that see the user; `'*'` alone when visibility is off (every viewer of the tenant). */
  readonly viewerTypes: readonly string[];
  /** The user's own connections, which see it whatever their type. */
  readonly self: UserKey;
}

export const ALL_VIEWERS = '*';

export function audiencesOf(rules: AudienceRules, user: ShownUser): AudienceNames {
  const viewerTypes = rules.visibility === null ? [ALL_VIEWERS] : rules.visibility.viewersOf(user.userType);
  return { tenant: user.tenant, viewerTypes, self: user.key };
}

/**
 * A user whose type changes while online (CONTRACT §9): the viewer types that lose sight of it are to be told it
 * went offline, those that gain sight of it that it came online; the others, and the user itself, are told nothing.
 */
export function sightChanges(rules: AudienceRules, user: ShownUser, newType: string | null): { readonly lose: string[]; readonly gain: string[] } {
  const before = new Set(audiencesOf(rules, user).viewerTypes);
  const after = new Set(audiencesOf(rules, { ...user, userType: newType }).viewerTypes);
  return { lose: [...before].filter((t) => !after.has(t)), gain: [...after].filter((t) => !before.has(t)) };
}
