import { connectionBucketOf, noUsersByConnections, type UsersByConnections } from '../../domain/connection-buckets';
import { availabilities, availabilityOf, noUsersByAvailability, type UsersByAvailability } from '../../domain/availability';
import { lexRangeOf, misindexed, pageIndexesOf } from './redis-page-indexes';
import { onlinePageFilter } from '../../domain/online-page-filter';
import { nextDeadline } from '../../domain/presence';
import type {
  CommittedDecision,
  OnlinePage,
  OnlinePageQuery,
  PresenceDecision,
  PresenceStore,
} from '../../domain/ports/presence-store.port';
import type { Instant, UserKey, UserPresence } from '../../domain/presence.types';
import type { PresenceRedis } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { checked, decoded } from './redis-reply.guard';
import { commitOutcome, count, fieldValues, firstScore, optionalString, pipelineReplies, pong, stringList } from './redis-replies';
import { connectionCountOf, decodePresence, encodePresence } from './stored-presence';
import { encodeTransition } from './stored-transition.codec';
import { RedisUpdateTimedOut, type RedisStoreSettings } from './redis-store-settings';


const nodesOf = (user: UserPresence | undefined): Set<string> => new Set(user?.connections.map((c) => c.nodeId));

const READ_CHUNK = 1_000;

const versionAndPresence = fieldValues(2);
const zrangeKeys = stringList('ZRANGE');
const zrangebylexKeys = stringList('ZRANGEBYLEX');
const smembersKeys = stringList('SMEMBERS');
const dueKeys = stringList('ZRANGEBYSCORE');
const zcard = count('ZCARD');
const zcount = count('ZCOUNT');
const zlexcount = count('ZLEXCOUNT');
const hlen = count('HLEN');

/**
 * Presence shared by every node, in Redis. A rule runs on the presence read with its version, and the result is
 * committed by a script only if the version is unchanged (optimistic concurrency); otherwise it is read and
 * decided again. The script also keeps the indexes, numbers the transition and appends it to the transitions
 * stream, so that a transition, its seq and its place in every node's delivery order are one atomic step.
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: PresenceRedis,
    private readonly keys: RedisKeys,
    private readonly settings: RedisStoreSettings,
  ) {}

  update(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision> {
    const timeoutMs = this.settings.updateTimeoutMs;
    if (timeoutMs === undefined) return this.commit(key, decide, () => false);
    let late = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        late = true;
        reject(new RedisUpdateTimedOut(timeoutMs));
      }, timeoutMs);
      this.commit(key, decide, () => late).then(
        (committed) => {
          clearTimeout(timer);
          resolve(committed);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Reads, decides and commits until the commit finds the version it read, or `late` says to give up. */
  private async commit(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision, late: () => boolean): Promise<CommittedDecision> {
    const attempts = this.settings.maxAttempts ?? 50;
    for (let attempt = 0; attempt < attempts && !late(); attempt++) {
      const [version, json] = await this.reply(this.redis.hmget(this.keys.user(key), 'v', 'p'), versionAndPresence);
      const current = json ? decodePresence(json) : undefined;
      const { next, transition } = decide(current);
      if (next === current) return { next, transition: null };
      const before = nodesOf(current);
      const after = nodesOf(next);
      const sent = this.redis.commitPresence(
        this.keys.user(key),
        this.keys.deadlines,
        this.keys.users,
        this.keys.seq,
        this.keys.transitions,
        this.keys.versions,
        this.keys.tenants,
        key,
        version ?? '0',
        next === undefined ? '' : encodePresence(next),
        next === undefined ? 0 : (nextDeadline(next) ?? 0),
        current?.userType ?? '',
        next?.userType ?? '',
        this.keys.typePrefix,
        this.keys.nodeUsersPrefix,
        [...after].filter((n) => !before.has(n)).join(','),
        [...before].filter((n) => !after.has(n)).join(','),
        transition === null ? '' : encodeTransition(transition, { namesLeaves: this.settings.namesLeaves ?? false }),
        this.settings.transitionsKept,
        (next ?? current)?.tenant ?? '',
        next === undefined ? '' : availabilityOf(next.chosen, next.connections),
        this.keys.availabilityPrefix,
      );
      const { committed, seq } = await this.reply(sent, commitOutcome);
      if (committed) {
        return { next, transition: transition === null ? null : { ...transition, seq } };
      }
    }
    throw new Error(late() ? 'update given up: past its time' : `user ${key} changed under ${attempts} attempts in a row`);
  }

  async find(key: UserKey): Promise<UserPresence | undefined> {
    const json = await this.reply(this.redis.hget(this.keys.user(key), 'p'), optionalString);
    return json ? decodePresence(json) : undefined;
  }

  async findMany(keys: readonly UserKey[]): Promise<Array<UserPresence | undefined>> {
    const found: Array<UserPresence | undefined> = [];
    for (let i = 0; i < keys.length; i += READ_CHUNK) {
      const chunk = keys.slice(i, i + READ_CHUNK);
      for (const json of await this.presencesOf(chunk)) found.push(json === null ? undefined : decodePresence(json));
    }
    return found;
  }

  async listOnline(tenant?: string): Promise<UserPresence[]> {
    const sent =
      tenant === undefined
        ? this.redis.zrange(this.keys.users, 0, -1)
        : this.redis.zrangebylex(this.keys.users, ...lexRangeOf(tenant));
    const keys = await this.reply(sent, tenant === undefined ? zrangeKeys : zrangebylexKeys);
    return (await this.findMany(keys)).filter((u): u is UserPresence => u !== undefined);
  }

  /** A tenant's page reads its range of each index (its keys sort together), never another tenant's. */
  async pageOnline(query: OnlinePageQuery): Promise<OnlinePage> {
    const [min, max] = query.tenant === undefined ? (['-', '+'] as const) : lexRangeOf(query.tenant);
    const start = query.after === undefined ? min : `(${query.after}`;
    const indexes = pageIndexesOf(this.keys, query);
    const pipeline = this.redis.pipeline();
    for (const index of indexes) {
      pipeline.zrangebylex(index, start, max, 'LIMIT', 0, query.limit + 1);
      if (query.tenant === undefined) pipeline.zcard(index);
      else pipeline.zlexcount(index, min, max);
    }
    const results = await this.reply(pipeline.exec(), pipelineReplies(2 * indexes.length));
    const candidates = new Set<UserKey>();
    let total = 0;
    for (let i = 0; i < results.length; i += 2) {
      for (const key of this.check(results[i], zrangebylexKeys)) candidates.add(key);
      total += this.check(results[i + 1], query.tenant === undefined ? zcard : zlexcount);
    }
    // Redis orders by bytes: so must the merge of several type indexes.
    const ordered = [...candidates].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).slice(0, query.limit + 1);
    const page = ordered.slice(0, query.limit);
    const read = await this.presencesOf(page);
    const found = read.map((json) => (json === null ? undefined : decodePresence(json)));
    // An index may hold a user it should not (one a 0.13 node changed or removed): what is read is checked.
    const matches = onlinePageFilter(query);
    const users = found.filter((u): u is UserPresence => u !== undefined && matches(u));
    const stale = users.length < page.length && query.availabilities?.length ? misindexed(this.keys, page, read, found, indexes) : [];
    if (stale.length > 0) await this.reply(this.redis.pruneAvailability(this.keys.userPrefix, ...stale), count('prune'));
    return { users, total, more: ordered.length > query.limit, lastKey: page[page.length - 1] };
  }

  /** The sizes of the availability indexes: exact once every node runs a version that keeps them (0.14 and later). */
  async usersByAvailability(): Promise<UsersByAvailability> {
    const pipeline = this.redis.pipeline();
    for (const availability of availabilities) pipeline.zcard(this.keys.availability(availability));
    const results = await this.reply(pipeline.exec(), pipelineReplies(availabilities.length));
    const tally = noUsersByAvailability();
    availabilities.forEach((availability, i) => (tally[availability] = this.check(results[i], zcard)));
    return tally;
  }

  countOnline(): Promise<number> {
    return this.reply(this.redis.zcard(this.keys.users), zcard);
  }

  countTenants(): Promise<number> {
    return this.reply(this.redis.hlen(this.keys.tenants), hlen);
  }

  /**
   * Walks the users in key order a chunk at a time (a user who comes or goes meanwhile is counted once at most) and
   * counts each one's connections from its stored JSON, without building its presence.
   */
  async usersByConnections(): Promise<UsersByConnections> {
    const tally = noUsersByConnections();
    let start = '-';
    for (;;) {
      const keys = await this.reply(this.redis.zrangebylex(this.keys.users, start, '+', 'LIMIT', 0, READ_CHUNK), zrangebylexKeys);
      if (keys.length === 0) return tally;
      for (const json of await this.presencesOf(keys)) {
        if (json !== null) tally[connectionBucketOf(connectionCountOf(json))] += 1;
      }
      if (keys.length < READ_CHUNK) return tally;
      start = `(${keys[keys.length - 1] as string}`;
    }
  }

  usersOnNode(nodeId: string): Promise<UserKey[]> {
    return this.reply(this.redis.smembers(this.keys.nodeUsers(nodeId)), smembersKeys);
  }

  dueUsers(now: Instant, limit: number): Promise<UserKey[]> {
    return this.reply(this.redis.zrangebyscore(this.keys.deadlines, '-inf', now, 'LIMIT', 0, limit), dueKeys);
  }

  countDue(after: Instant, until: Instant): Promise<number> {
    return this.reply(this.redis.zcount(this.keys.deadlines, `(${after}`, until), zcount);
  }

  /** The first of the deadlines index (every commit sets a user's score to its real deadline). */
  earliestDeadline(): Promise<Instant | undefined> {
    return this.reply(this.redis.zrange(this.keys.deadlines, 0, 0, 'WITHSCORES'), firstScore);
  }

  /** After Redis lost its data: numbering resumes above every seq already handed out. */
  async raiseSeq(atLeast: number): Promise<void> {
    await this.redis.raiseSeq(this.keys.seq, atLeast);
  }

  ping(): Promise<void> {
    return this.reply(this.redis.ping(), pong);
  }

  /** The stored presence JSON of each key, in one round trip: null for a user not stored. */
  private async presencesOf(keys: readonly UserKey[]): Promise<Array<string | null>> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hget(this.keys.user(key), 'p');
    const replies = await this.reply(pipeline.exec(), pipelineReplies(keys.length));
    return replies.map((json) => this.check(json, optionalString));
  }

  private reply<T>(sent: Promise<unknown>, decode: (reply: unknown) => T): Promise<T> {
    return decoded(this.redis, sent, decode);
  }

  private check<T>(reply: unknown, decode: (reply: unknown) => T): T {
    return checked(this.redis, reply, decode);
  }
}
