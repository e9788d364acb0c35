/**
 * A presence client for frontends (and Node): connects with a token, announces its user, heartbeats, and keeps a
 * live map of the users in scope from `presenceState` and `presenceDiff`, resuming after every reconnect from the
 * last `seq` it applied, so that nothing missed while away leaves a ghost or a gap. Against a server without
 * subscriptions it falls back to `userStatusChanged` and `getOnlineUsers`.
 */
import { io, type Socket } from 'socket.io-client';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol/socket-events';
import type {
  ClientToServerEvents,
  PresenceDiffPayload,
  PresenceErrorPayload,
  PresenceStatePayload,
  ServerToClientEvents,
  UserStatusChanged,
  WireOnlineUser,
  WirePresenceUser,
  WireUserId,
} from '../protocol/socket-events';

export interface PresenceClientOptions {
  /** The service, e.g. `https://presence.example.com`. */
  readonly url: string;
  /** A fixed access token; or `getToken`, asked at every (re)connect and before the token expires. */
  readonly token?: string;
  readonly getToken?: () => string | Promise<string>;
  /** Who this client is. With a token the id may be left out (the token's user is meant). */
  readonly user?: { readonly userId?: WireUserId; readonly userType?: string; readonly userName?: string };
  /** Which users to follow; all when left out. */
  readonly scope?: { readonly userIds?: readonly WireUserId[]; readonly userTypes?: readonly string[] };
  /** How often to heartbeat [30000]. */
  readonly heartbeatMs?: number;
  /**
   * Stop heartbeating while the page is hidden [false]. Saves the server work for background tabs, at a price: a
   * tab hidden longer than the server's TTL goes offline for everyone until it is shown again.
   */
  readonly pauseWhenHidden?: boolean;
  /** Fetch a new token this long before the current one expires [60000]. */
  readonly refreshBeforeMs?: number;
  /**
   * The service's `PRESENCE_MAX_MESSAGE_BYTES` [65536]. A subscription whose message would be larger is not sent (the
   * service would close the connection, and reconnecting would send it again): `onError` is told instead.
   */
  readonly maxMessageBytes?: number;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface PresenceClient {
  /** Called with every change of the users in scope; returns a function that stops it. */
  onChange(listener: (users: readonly WirePresenceUser[]) => void): () => void;
  onError(listener: (error: PresenceErrorPayload) => void): () => void;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  getOnlineUsers(): WirePresenceUser[];
  isOnline(userId: WireUserId): boolean;
  readonly connectionState: ConnectionState;
  /** Ends this client's presence now (logout); the connection stays, to keep following the others. */
  goOffline(): Promise<void>;
  close(): void;
}

type PresenceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The part of the browser's `document` the client uses; absent in Node. */
declare const document: { visibilityState: string; addEventListener(type: 'visibilitychange', listener: () => void): void };

/** The `exp` of a JWT (ms), read without verifying it: only to know when to ask for a new one. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = typeof atob === 'function' ? atob(payload.replace(/-/g, '+').replace(/_/g, '/')) : Buffer.from(payload, 'base64url').toString();
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** What Socket.IO adds around an event's JSON: the packet type, an ack id, the brackets and the event's name. */
const PACKET_OVERHEAD_BYTES = 32;

/** The refusal a subscription gets when its message would be over the service's limit; undefined when it fits. */
function oversizeRefusal(payload: object, maxBytes: number): PresenceErrorPayload | undefined {
  const bytes = new TextEncoder().encode(JSON.stringify(payload)).length + PACKET_OVERHEAD_BYTES;
  if (bytes <= maxBytes) return undefined;
  return {
    event: 'presenceSubscribe',
    code: 'INVALID_PAYLOAD',
    message: `the subscription is ${bytes} bytes, over the service's ${maxBytes}: name fewer userIds, or follow userTypes`,
  };
}

export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  const users = new Map<string, WirePresenceUser>();
  const changeListeners = new Set<(users: readonly WirePresenceUser[]) => void>();
  const errorListeners = new Set<(error: PresenceErrorPayload) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let seq: number | undefined;
  let legacy = false;
  let announced = true;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let refresh: ReturnType<typeof setTimeout> | undefined;

  const currentToken = async (): Promise<string | undefined> => (options.getToken ? await options.getToken() : options.token);
  const socket: PresenceSocket = io(options.url, {
    withCredentials: true,
    auth: (give) => {
      void currentToken().then(
        (token) => {
          scheduleRefresh(token);
          give(token === undefined ? {} : { token });
        },
        () => give({}),
      );
    },
  });

  const notify = (): void => {
    const list = [...users.values()].filter((u) => u.status === 'online');
    for (const listener of changeListeners) listener(list);
  };
  const setState = (next: ConnectionState): void => {
    state = next;
    for (const listener of stateListeners) listener(next);
  };
  const userPayload = () => (options.user?.userId === undefined ? {} : { userId: options.user.userId });

  function scheduleRefresh(token: string | undefined): void {
    clearTimeout(refresh);
    const expiresAt = token === undefined || options.getToken === undefined ? undefined : expiryOf(token);
    if (expiresAt === undefined) return;
    const wait = Math.max(1_000, expiresAt - Date.now() - (options.refreshBeforeMs ?? 60_000));
    // A fresh token is presented by reconnecting; the server's disconnect grace keeps the user online meanwhile.
    refresh = setTimeout(() => {
      if (state === 'closed') return;
      socket.disconnect();
      socket.connect();
    }, Math.min(wait, 2 ** 31 - 1));
  }

  const beat = (): void => {
    if (announced && socket.connected) socket.emit('userHeartbeat', userPayload());
  };
  const startHeartbeats = (): void => {
    clearInterval(heartbeat);
    heartbeat = setInterval(beat, options.heartbeatMs ?? 30_000);
  };
  const hidden = (): boolean => typeof document !== 'undefined' && document.visibilityState === 'hidden';
  if (options.pauseWhenHidden && typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => {
      if (hidden()) clearInterval(heartbeat);
      else {
        beat();
        startHeartbeats();
      }
    });
  }

  async function subscribe(): Promise<void> {
    const payload = { ...options.scope, ...(seq === undefined ? {} : { since: seq }) };
    const tooLarge = oversizeRefusal(payload, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    if (tooLarge !== undefined) {
      for (const listener of errorListeners) listener(tooLarge);
      return;
    }
    const answer = await socket.timeout(10_000).emitWithAck('presenceSubscribe', payload).catch(() => undefined);
    if (answer !== undefined && answer.ok) return;
    // A server without subscriptions: follow every transition, starting from the full list.
    legacy = true;
    const list = await socket.timeout(10_000).emitWithAck('getOnlineUsers').catch(() => undefined);
    if (list?.ok) {
      users.clear();
      for (const u of list.users as WireOnlineUser[]) users.set(String(u.userId), u);
      notify();
    }
  }

  socket.on('connect', () => {
    setState('connected');
    if (announced) socket.emit('userOnline', { ...userPayload(), userType: options.user?.userType, userName: options.user?.userName });
    if (!hidden() || !options.pauseWhenHidden) startHeartbeats();
    void subscribe();
  });
  socket.on('disconnect', (reason) => {
    clearInterval(heartbeat);
    if (state === 'closed') return;
    setState('disconnected');
    // Socket.IO reconnects by itself after a lost connection, but not when the server closed it (a restart, an
    // expired token): come back after a short, jittered pause, with a token asked for anew.
    if (reason === 'io server disconnect') setTimeout(() => state !== 'closed' && socket.connect(), 500 + Math.random() * 1_000);
  });
  socket.io.on('reconnect_attempt', () => setState('connecting'));

  socket.on('presenceState', (s: PresenceStatePayload) => {
    users.clear();
    for (const u of s.users) users.set(String(u.userId), u);
    seq = s.seq;
    notify();
  });
  socket.on('presenceDiff', (d: PresenceDiffPayload) => {
    for (const u of d.joins) users.set(String(u.userId), u);
    for (const l of d.leaves) users.delete(String(l.userId));
    seq = Math.max(seq ?? 0, d.seq);
    notify();
  });
  socket.on('userStatusChanged', (c: UserStatusChanged) => {
    if (!legacy) return;
    const known = users.get(String(c.userId));
    if (c.status === 'online') users.set(String(c.userId), { userId: c.userId, status: 'online', lastSeen: c.lastSeen, userType: known?.userType ?? null, userName: known?.userName ?? null });
    else users.delete(String(c.userId));
    notify();
  });
  socket.on('presenceError', (e) => {
    for (const listener of errorListeners) listener(e);
  });

  const subscribeTo = <T>(set: Set<T>, listener: T): (() => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };

  return {
    onChange: (listener) => subscribeTo(changeListeners, listener),
    onError: (listener) => subscribeTo(errorListeners, listener),
    onConnectionChange: (listener) => subscribeTo(stateListeners, listener),
    getOnlineUsers: () => [...users.values()].filter((u) => u.status === 'online'),
    isOnline: (userId) => users.get(String(userId))?.status === 'online',
    get connectionState() {
      return state;
    },
    async goOffline() {
      announced = false;
      clearInterval(heartbeat);
      await socket.timeout(10_000).emitWithAck('userOffline', userPayload()).catch(() => undefined);
    },
    close() {
      setState('closed');
      clearInterval(heartbeat);
      clearTimeout(refresh);
      socket.disconnect();
    },
  };
}
