import type { PresenceDiffPayload, PresenceStatePayload, UserStatusChanged, WirePresenceUser } from '../../src/protocol/socket-events';
import { sees, type ModelViewer, type PopulationUser } from './audience-model';
import type { ConnectionSpec, Scenario } from './audience-scenario';
import { get } from './http-client';
import { PresenceMirror } from './presence-mirror';
import { connect, request as emit, type TestSocket } from './socket-client';
import { signToken } from './tokens';
import { waitUntil } from './wait-until';

const ALL_IDS = ['u1', 'u2', 'u3'];

/** Everything one connection was sent, kept to be held to the model afterwards. */
interface Client {
  readonly spec: ConnectionSpec;
  readonly user: PopulationUser;
  readonly viewer: ModelViewer;
  readonly token: string;
  readonly socket: TestSocket;
  readonly statuses: UserStatusChanged[];
  readonly states: PresenceStatePayload[];
  readonly diffs: PresenceDiffPayload[];
  readonly mirror: PresenceMirror;
  closed: boolean;
}

const keyOf = (user: { tenant: string | null; userId: string }): string => `${String(user.tenant)}/${user.userId}`;

/**
 * Runs a scenario on the nodes and throws on the first thing any viewer was shown that it may not see (an event, a
 * list entry, a state, a diff, a count, a REST answer), or on a view that never settles to what the model says.
 */
export async function runScenario(scenario: Scenario, urls: readonly string[], secret: string): Promise<void> {
  const { rules } = scenario;
  // The service reads a token's type only with visibility on; without it, types decide nothing and are not kept.
  const typeOf = (spec: ConnectionSpec): string | null => (rules === null ? null : spec.type);
  const online = new Set<number>();
  const currentType = new Map<string, string | null>();
  const typesHad = new Map<string, Set<string | null>>();
  const seen = new Set<string>();

  const clients: Client[] = [];
  for (const spec of scenario.connections) {
    const user = scenario.users[spec.user] as PopulationUser;
    const claims = { sub: user.userId, ...(user.tenant !== null && { org: user.tenant }), ...(spec.type !== null && { user_type: spec.type }) };
    const token = signToken(claims, {}, secret);
    const socket = await connect(urls[spec.node] as string, { auth: { token } });
    const client: Client = {
      spec,
      user,
      viewer: { backend: false, tenant: user.tenant, userId: user.userId, userType: typeOf(spec) },
      token,
      socket,
      statuses: [],
      states: [],
      diffs: [],
      mirror: new PresenceMirror(socket),
      closed: false,
    };
    socket.on('userStatusChanged', (change) => client.statuses.push(change));
    socket.on('presenceState', (state) => client.states.push(state));
    socket.on('presenceDiff', (diff) => client.diffs.push(diff));
    if (spec.mode.kind === 'subscribe') await emit(socket, 'presenceSubscribe', { userIds: spec.mode.userIds, userTypes: spec.mode.userTypes });
    clients.push(client);
  }

  const isOnline = (user: PopulationUser) => [...online].some((i) => keyOf((clients[i] as Client).user) === keyOf(user));
  const backendToken = (tenant: string | null) =>
    signToken({ sub: 'backend', scope: 'presence:read:all', ...(tenant !== null && { org: tenant }) }, {}, secret);
  /** Each user's states in the order the actions made them: what every §1 viewer is told, as it may see them. */
  const history = new Map<string, Array<{ readonly online: boolean; readonly type: string | null }>>();
  const record = (user: PopulationUser) => {
    const states = history.get(keyOf(user)) ?? [];
    const last = states[states.length - 1] ?? { online: false, type: null };
    const now = { online: isOnline(user), type: currentType.get(keyOf(user)) ?? null };
    if (now.online !== last.online || (now.online && now.type !== last.type)) states.push(now);
    history.set(keyOf(user), states);
  };
  for (const action of scenario.actions) {
    const client = clients[action.connection] as Client;
    if (client.closed) continue;
    const key = keyOf(client.user);
    if (action.kind === 'online') {
      if (!client.spec.announces) continue;
      const ack = await emit(client.socket, 'userOnline', { userName: key });
      if (!ack.ok) throw new Error(`userOnline refused: ${JSON.stringify(ack)}`);
      currentType.set(key, typeOf(client.spec));
      if (!typesHad.has(key)) typesHad.set(key, new Set());
      typesHad.get(key)?.add(typeOf(client.spec));
      seen.add(key);
      online.add(action.connection);
      record(client.user);
      continue;
    }
    if (action.kind === 'offline') await emit(client.socket, 'userOffline', {});
    else {
      client.socket.disconnect();
      client.closed = true;
    }
    online.delete(action.connection);
    if (!isOnline(client.user)) currentType.delete(key);
    record(client.user);
    if (action.kind === 'close' && !isOnline(client.user)) {
      // The server ends a closed connection a moment later: the next action must come after, as the model says.
      const auth = { Authorization: `Bearer ${backendToken(client.user.tenant)}` };
      await waitUntil(async () => (await get(urls[0] as string, '/presence/{userId}', `/presence/${client.user.userId}`, auth)).body?.status !== 'online', 3_000, 5);
    }
  }

  const onlineUsers = scenario.users.filter(isOnline);
  const typeNow = (user: PopulationUser) => currentType.get(keyOf(user)) ?? null;
  const visibleNow = (viewer: ModelViewer) => onlineUsers.filter((u) => sees(rules, viewer, u, typeNow(u))).map((u) => u.userId).sort();
  const visibleEver = (viewer: ModelViewer, user: PopulationUser) =>
    [...(typesHad.get(keyOf(user)) ?? []), null].some((type) => sees(rules, viewer, user, type));
  const inScope = (client: Client, userId: string) => {
    const { spec } = client;
    if (spec.mode.kind !== 'subscribe') return true;
    const user = onlineUsers.find((u) => u.tenant === client.user.tenant && u.userId === userId);
    const { userIds, userTypes } = spec.mode;
    if (userIds === undefined && userTypes === undefined) return true;
    return (userIds ?? []).includes(userId) || (user !== undefined && (userTypes ?? []).includes(typeNow(user) as string));
  };
  const expectedView = (client: Client) => visibleNow(client.viewer).filter((id) => inScope(client, id));
  /**
   * What a §1 viewer is told, per user, in order: `online` when it comes to see the user, `offline` when it stops
   * (the user went offline, or its type changed out of sight), from each user's states as the actions made them.
   */
  const toldOf = (client: Client): Map<string, string[]> => {
    const told = new Map<string, string[]>();
    for (const user of scenario.users.filter((u) => u.tenant === client.user.tenant)) {
      let visible = false;
      const events: string[] = [];
      for (const state of history.get(keyOf(user)) ?? []) {
        const now = state.online && sees(rules, client.viewer, user, state.type);
        if (now !== visible) events.push(now ? 'online' : 'offline');
        visible = now;
      }
      if (events.length > 0) told.set(user.userId, events);
    }
    return told;
  };
  const receivedBy = (client: Client): Map<string, string[]> => {
    const received = new Map<string, string[]>();
    for (const change of client.statuses) received.set(String(change.userId), [...(received.get(String(change.userId)) ?? []), change.status]);
    return received;
  };
  /** A §1 viewer was told exactly what the model says (a closed one, the first part of it); a subscriber holds its view. */
  const inOrder = (client: Client): boolean => {
    // A closed subscriber's view stopped where it closed; what it was sent is still held to the model below.
    if (client.spec.mode.kind === 'subscribe') return client.closed || JSON.stringify(client.mirror.online()) === JSON.stringify(expectedView(client));
    const expected = toldOf(client);
    const received = receivedBy(client);
    const ids = new Set([...expected.keys(), ...received.keys()]);
    return [...ids].every((id) => {
      const want = expected.get(id) ?? [];
      const got = received.get(id) ?? [];
      return client.closed ? JSON.stringify(got) === JSON.stringify(want.slice(0, got.length)) : JSON.stringify(got) === JSON.stringify(want);
    });
  };
  const describeView = (client: Client): string =>
    client.spec.mode.kind === 'subscribe'
      ? `saw ${JSON.stringify(client.mirror.online())}, expected ${JSON.stringify(expectedView(client))}`
      : `was told ${JSON.stringify([...receivedBy(client)])}, expected ${JSON.stringify([...toldOf(client)])}`;

  const open = clients.filter((c) => !c.closed);
  const settled = (c: Client) => inOrder(c);
  const leaks: string[] = [];
  // Closed connections end on the server a moment later: every tenant's backend view says when they have.
  const tenantsOf = scenario.tenantsOn ? ['t1', 't2'] : [null];
  const backendSettled = async () => {
    for (const tenant of tenantsOf) {
      const res = await get(urls[0] as string, '/presence', '/presence?limit=1000', { Authorization: `Bearer ${backendToken(tenant)}` });
      const ids = (res.body as { users: WirePresenceUser[] }).users.map((u) => String(u.userId)).sort();
      const expected = onlineUsers.filter((u) => u.tenant === tenant).map((u) => u.userId).sort();
      if (JSON.stringify(ids) !== JSON.stringify(expected)) return false;
    }
    return true;
  };
  // Where a view never settles, what was shown is still held to the model below: a leak says more than a wrong view.
  await waitUntil(async () => open.every(settled) && (await backendSettled()), 3_000, 10).catch(() => {
    for (const c of open.filter((client) => !settled(client))) {
      leaks.push(`${keyOf(c.user)} as ${String(c.viewer.userType)} (${c.spec.mode.kind}): ${describeView(c)}`);
    }
  });
  for (const c of clients.filter((client) => client.closed && !inOrder(client))) {
    leaks.push(`closed ${keyOf(c.user)} as ${String(c.viewer.userType)}: ${describeView(c)}`);
  }

  const userIn = (tenant: string | null, userId: string) => scenario.users.find((u) => u.tenant === tenant && u.userId === userId);
  /** An entry shown to a viewer: its user must be of the viewer's tenant, seen, and visible to it at some point. */
  const check = (what: string, viewer: ModelViewer, entry: { userId: unknown; userName?: string | null }): void => {
    const user = userIn(viewer.tenant, String(entry.userId));
    if (user === undefined || !seen.has(keyOf(user))) leaks.push(`${what}: ${String(entry.userId)}, never seen in ${String(viewer.tenant)}`);
    else if (!viewer.backend && !visibleEver(viewer, user)) leaks.push(`${what}: ${keyOf(user)} to ${JSON.stringify(viewer)}`);
    else if (entry.userName != null && entry.userName !== keyOf(user)) leaks.push(`${what}: ${entry.userName} shown to ${String(viewer.tenant)}`);
  };
  for (const client of clients) {
    const who = `${keyOf(client.user)}#${clients.indexOf(client)}`;
    for (const change of client.statuses) check(`${who} userStatusChanged`, client.viewer, change);
    for (const state of client.states) for (const user of state.users) check(`${who} presenceState`, client.viewer, user);
    for (const diff of client.diffs) {
      for (const join of diff.joins) check(`${who} presenceDiff join`, client.viewer, join);
      for (const leave of diff.leaves) check(`${who} presenceDiff leave`, client.viewer, leave);
    }
  }
  for (const client of open) {
    const listed = ((await emit(client.socket, 'getOnlineUsers')).users as WirePresenceUser[]).map((u) => (check('onlineUsersList', client.viewer, u), String(u.userId)));
    if (JSON.stringify(listed.sort()) !== JSON.stringify(visibleNow(client.viewer))) leaks.push(`onlineUsersList of ${keyOf(client.user)}: ${JSON.stringify(listed)}`);
  }
  const tenants = scenario.tenantsOn ? ['t1', 't2', 't3'] : [null];
  const readers = [
    ...clients.map((c) => ({ viewer: c.viewer, token: c.token })),
    ...tenants.map((tenant) => ({
      viewer: { backend: true, tenant, userId: null, userType: null },
      token: backendToken(tenant),
    })),
  ];
  for (const [i, { viewer, token }] of readers.entries()) {
    const url = urls[i % urls.length] as string;
    const auth = { Authorization: `Bearer ${token}` };
    const page = (await get(url, '/presence', '/presence?limit=1000', auth)).body as { users: WirePresenceUser[]; total: number };
    for (const user of page.users) check('GET /presence', viewer, user);
    const expected = visibleNow(viewer);
    if (JSON.stringify(page.users.map((u) => String(u.userId)).sort()) !== JSON.stringify(expected) || page.total !== expected.length) {
      leaks.push(`GET /presence as ${JSON.stringify(viewer)}: ${JSON.stringify(page)}, expected ${JSON.stringify(expected)}`);
    }
    const named = (await get(url, '/presence', `/presence?${ALL_IDS.map((id) => `userId=${id}`).join('&')}`, auth)).body as { users: WirePresenceUser[]; total: number };
    for (const user of named.users) check('GET /presence?userId', viewer, user);
    if (named.total !== named.users.length) leaks.push(`GET /presence?userId total ${named.total} for ${named.users.length} users`);
    for (const id of ALL_IDS) {
      const res = await get(url, '/presence/{userId}', `/presence/${id}`, auth);
      if (res.status === 200) check(`GET /presence/${id}`, viewer, res.body as WirePresenceUser);
      else if (expected.includes(id)) leaks.push(`GET /presence/${id} as ${JSON.stringify(viewer)}: ${res.status}, but it is online and visible`);
    }
  }
  if (leaks.length > 0) throw new Error(`what was shown that may not be:\n${leaks.join('\n')}`);
}
