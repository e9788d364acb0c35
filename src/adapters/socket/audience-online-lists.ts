import { typesSeenBy, type AudienceRules, type Viewer } from '../../domain/audience';
import type { OnlineUser, Tenant, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import { EncodedJson } from './shared-encoding';
import type { SharedOnlineList } from './shared-online-list';
import { toWireOnlineUser } from './wire';

/** One read of who is online, shared by every audience's list of that moment. */
export class OnlineSnapshot {
  private byKey: Map<UserKey, OnlineUser> | undefined;
  /** Each audience's list, encoded once from this read. */
  readonly encoded = new Map<string, EncodedJson>();

  constructor(readonly users: readonly OnlineUser[]) {}

  get(key: UserKey): OnlineUser | undefined {
    this.byKey ??= new Map(this.users.map((user) => [userKeyOf(user.userId), user]));
    return this.byKey.get(key);
  }
}

/**
 * §1's `onlineUsersList` as each viewer may see it (CONTRACT §9), encoded once per audience (the viewers of a type
 * in a tenant) from one shared read of the tenant's users. A viewer whose type does not see its own user gets that audience's encoding with itself
 * spliced in front, a copy of the text and not a new encoding.
 */
export class AudienceOnlineLists {
  /** By tenant (`''` for none: a tenant's name is never empty). */
  private readonly byTenant = new Map<string, SharedOnlineList<OnlineSnapshot>>();

  constructor(
    /** Reads of one tenant's online users (of all users with tenants off), shared by every request of a moment. */
    private readonly sharedReadOf: (tenant: Tenant) => SharedOnlineList<OnlineSnapshot>,
    private readonly rules: AudienceRules,
  ) {}

  async get(viewer: Extract<Viewer, { kind: 'user' }>): Promise<EncodedJson> {
    const snapshot = await this.sharedOf(viewer.tenant).get();
    const seen = typesSeenBy(this.rules, viewer);
    const audience = seen === '*' ? '*' : JSON.stringify([viewer.userType]);
    let list = snapshot.encoded.get(audience);
    if (list === undefined) {
      const users = seen === '*' ? snapshot.users : snapshot.users.filter((u) => u.userType !== null && seen.has(u.userType));
      list = EncodedJson.ofList(users.map(toWireOnlineUser));
      snapshot.encoded.set(audience, list);
    }
    if (seen === '*' || viewer.key === null) return list;
    const self = snapshot.get(viewer.key);
    if (self === undefined || (self.userType !== null && seen.has(self.userType))) return list;
    const own = JSON.stringify(toWireOnlineUser(self));
    return new EncodedJson(list.items === 0 ? `[${own}]` : `[${own},${list.text.slice(1)}`, list.items + 1);
  }

  private sharedOf(tenant: Tenant): SharedOnlineList<OnlineSnapshot> {
    let shared = this.byTenant.get(tenant ?? '');
    if (shared === undefined) {
      shared = this.sharedReadOf(tenant);
      this.byTenant.set(tenant ?? '', shared);
    }
    return shared;
  }
}
