import { maySee, typesSeenBy, type AudienceRules, type ShownUser, type Viewer } from './audience';
import type { Tenant } from './presence.types';
import { inTenant, tenantKeyPrefix, tenantUserKey } from './presence.types';
import type { PresencePage, PresencePageQuery, PresenceService, UserStatus } from './presence.service';
import type { OnlineUser, UserId } from './presence.types';
import { userKeyOf } from './presence.types';

/** What the audience's reads ask of the presence service. */
export type PresenceReads = Pick<PresenceService, 'pageOnline' | 'pageOf' | 'listOnline'>;

const EMPTY_PAGE: PresencePage = { users: [], total: 0, nextAfter: null };


/** A page whose cursor is the last user's own key, without its tenant. */
function withOwnKeys(page: PresencePage, tenant: Tenant): PresencePage {
  if (tenant === null || page.nextAfter === null) return page;
  return { ...page, nextAfter: page.nextAfter.slice(tenantKeyPrefix(tenant).length) };
}

/**
 * A user as an audience judges it: by the type it is shown with, which for an offline user is the one persistence
 * kept beside its last_seen (tenants' persistence only: without it, none, and it is seen as a user of no type).
 */
export function shownAs(user: UserStatus | OnlineUser, tenant: Viewer['tenant']): ShownUser {
  return { tenant, key: userKeyOf(user.userId), userType: user.userType };
}

/**
 * The service's reads as one viewer may see them (CONTRACT §9): every list, page, count and lookup holds only the
 * users the viewer may see, so that `total` counts those and a user it may not see is absent exactly like one never
 * seen. A viewer that sees some types pages through the store's indexes of those types, and sees itself besides.
 */
export class AudienceReads {
  constructor(
    private readonly service: PresenceReads,
    private readonly rules: AudienceRules,
  ) {}

  /**
   * A page of the online users the viewer may see. Keys and cursors are the users' own keys: the tenant is the
   * viewer's, added here and taken off again, so that no cursor a client sends can reach into another tenant.
   */
  async pageOnline(viewer: Viewer, query: PresencePageQuery): Promise<PresencePage> {
    const { tenant } = viewer;
    const tenantQuery = { ...query, ...inTenant(tenant), ...(query.after !== undefined && { after: tenantUserKey(tenant, query.after) }) };
    const seen = typesSeenBy(this.rules, viewer);
    if (seen === '*') return withOwnKeys(await this.service.pageOnline(tenantQuery), tenant);
    const asked = query.userTypes?.length ? query.userTypes : undefined;
    const types = asked === undefined ? [...seen] : asked.filter((type) => seen.has(type));
    // No type left must not reach the store: there, no type filter means every type.
    const page = types.length > 0 ? withOwnKeys(await this.service.pageOnline({ ...tenantQuery, userTypes: types }), tenant) : EMPTY_PAGE;
    if (viewer.kind !== 'user' || viewer.key === null) return page;
    const filters = { ...(asked && { userTypes: asked }), ...(query.availabilities && { availabilities: query.availabilities }) };
    const self = (await this.service.pageOf([viewer.key], { limit: 1, ...inTenant(viewer.tenant), ...filters })).users[0];
    if (self?.status !== 'online' || (self.userType !== null && seen.has(self.userType))) return page;
    return withSelf(page, self, query);
  }

  /** The named users the viewer may see, paged here: the store's page would count the others too. */
  async pageOf(viewer: Viewer, userIds: readonly UserId[], query: PresencePageQuery): Promise<PresencePage> {
    const all = await this.service.pageOf(userIds, { ...query, ...inTenant(viewer.tenant), after: undefined, limit: Math.max(1, userIds.length) });
    const visible = all.users.filter((user) => maySee(this.rules, viewer, shownAs(user, viewer.tenant)));
    const rest = query.after === undefined ? visible : visible.filter((u) => userKeyOf(u.userId) > (query.after as string));
    const users = rest.slice(0, query.limit);
    const last = users[users.length - 1];
    return { users, total: visible.length, nextAfter: rest.length > users.length && last ? userKeyOf(last.userId) : null };
  }

  /** A user the viewer may see, online or offline; `undefined` for one never seen or not to be seen. */
  async status(viewer: Viewer, userId: UserId): Promise<UserStatus | undefined> {
    return (await this.pageOf(viewer, [userId], { limit: 1 })).users[0];
  }

  /** Every online user the viewer may see. */
  async listOnline(viewer: Viewer): Promise<OnlineUser[]> {
    const users = await this.service.listOnline(viewer.tenant);
    if (typesSeenBy(this.rules, viewer) === '*') return users;
    return users.filter((user) => maySee(this.rules, viewer, shownAs(user, viewer.tenant)));
  }
}

/** The viewer's own online user, merged into a page of the types it sees, in key order and counted. */
function withSelf(page: PresencePage, self: UserStatus, query: PresencePageQuery): PresencePage {
  const key = userKeyOf(self.userId);
  const total = page.total + 1;
  if (query.after !== undefined && key <= query.after) return { ...page, total };
  // On a later page: the page after this one's last user takes it.
  if (page.nextAfter !== null && key > page.nextAfter) return { ...page, total };
  const users = [...page.users];
  const at = users.findIndex((u) => userKeyOf(u.userId) > key);
  users.splice(at === -1 ? users.length : at, 0, self);
  if (users.length <= query.limit) return { users, total, nextAfter: page.nextAfter };
  users.pop();
  return { users, total, nextAfter: userKeyOf((users[users.length - 1] as UserStatus).userId) };
}
