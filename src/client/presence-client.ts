/**
 * A presence client for frontends (and Node): connects with a token, announces its user, heartbeats, and keeps a
 * live map of the users in scope from `presenceState` and `presenceDiff`, resuming after every reconnect from the
 * last `seq` it applied, so that nothing missed while away leaves a ghost or a gap. Against a server without
 * subscriptions it falls back to `userStatusChanged` and `getOnlineUsers`. It sets the user's availability and
 * text (CONTRACT §8), and in a browser reports the user idle and active.
 */
import { io, type Socket } from 'socket.io-client';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol/socket-events';
import type {
  ClientToServerEvents,
  PresenceDiffPayload,
  PresenceErrorPayload,
  PresenceStatePayload,
  ServerToClientEvents,
  UserAvailabilityChanged,
  UserStatusChanged,
  WireOnlineUser,
  WirePresenceUser,
} from '../protocol/socket-events';
import { browserPage, idleDetectorFor } from './browser-page';
import { ChosenStatus, PresenceRefusal, type ShownStatus } from './chosen-status';
import { OnlineGate } from './online-gate';
import type { ConnectionState, PresenceClient, PresenceClientOptions, StatusChoice } from './presence-client.types';
import { PresenceView } from './presence-view';
import { oversizeRefusal } from './subscription-size';
import { expiryOf } from './token-expiry';

export type { ConnectionState, IdleOptions, PresenceClient, PresenceClientOptions, StatusChoice } from './presence-client.types';
export type { ShownStatus } from './chosen-status';
export type { InputSource, PageVisibility } from './idle-detector';
export { PresenceRefusal } from './chosen-status';

type PresenceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 10_000;

export function createPresenceClient(options: PresenceClientOptions): PresenceClient {
  const view = new PresenceView();
  const chosen = new ChosenStatus();
  const online = new OnlineGate();
  const changeListeners = new Set<(users: readonly WirePresenceUser[]) => void>();
  const errorListeners = new Set<(error: PresenceErrorPayload) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let legacy = false;
  let announced = true;
  /** Counts connections, so that what an earlier one began (awaiting an ack) does not go on in a later one. */
  let connection = 0;
  /** The connection whose coming online has been followed up. */
  let settled = 0;
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
    const list = view.online();
    for (const listener of changeListeners) listener(list);
  };
  const setState = (next: ConnectionState): void => {
    state = next;
    for (const listener of stateListeners) listener(next);
  };
  const userPayload = () => (options.user?.userId === undefined ? {} : { userId: options.user.userId });
  // Reports are dropped while not online: the detector announces its state again once the client is.
  const detector = idleDetectorFor(options.idle, (idle) => {
    if (online.isOpen && socket.connected) socket.emit('userActivity', { ...userPayload(), idle });
  });

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
    if (!announced || !socket.connected) return;
    const current = connection;
    socket.emit('userHeartbeat', userPayload(), (answer) => {
      if (!answer.ok) return;
      // Brought back by this heartbeat (it had expired, or the service lost it): settle it again, as a new connection.
      if (answer.revived === true && settled === current) settled = -1;
      // A connection whose userOnline was refused comes online with its first heartbeat, too.
      void settleOnline(current);
    });
  };
  const startHeartbeats = (): void => {
    clearInterval(heartbeat);
    heartbeat = setInterval(beat, options.heartbeatMs ?? 30_000);
  };
  const hidden = (): boolean => browserPage.document?.visibilityState === 'hidden';
  if (options.pauseWhenHidden && browserPage.document !== undefined) {
    browserPage.document.addEventListener('visibilitychange', () => {
      if (hidden()) clearInterval(heartbeat);
      else {
        beat();
        startHeartbeats();
      }
    });
  }

  const sendStatus = async (choice: StatusChoice): Promise<ShownStatus> => {
    const payload = { ...userPayload(), availability: choice.availability, statusText: choice.statusText };
    const answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('userStatusSet', payload);
    if (!answer.ok) throw new PresenceRefusal(answer.error);
    return { availability: answer.availability, statusText: answer.statusText };
  };

  /** Announces the user on a new connection. */
  async function comeOnline(current: number): Promise<void> {
    const announcement = { ...userPayload(), userType: options.user?.userType, userName: options.user?.userName };
    const answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('userOnline', announcement).catch(() => undefined);
    // A refusal reaches onError as a presenceError; the next heartbeat then brings the connection online.
    if (!answer?.ok) return;
    // Idle follows the service's PRESENCE_IDLE_MS, unless the options fix it.
    if (typeof answer.idleMs === 'number' && !(options.idle && options.idle.idleMs)) detector?.useIdleMs(answer.idleMs);
    await settleOnline(current);
  }

  /** Once the connection is online: restores a forgotten status, then says whether the user is idle. */
  async function settleOnline(current: number): Promise<void> {
    if (settled === current || current !== connection || !announced) return;
    settled = current;
    if (options.restoreStatus !== false) await chosen.restore(sendStatus).catch(() => undefined);
    if (current !== connection || !announced) return;
    online.open();
    detector?.announce();
  }

  async function subscribe(): Promise<void> {
    const payload = { ...options.scope, ...(view.seq === undefined ? {} : { since: view.seq }) };
    const tooLarge = oversizeRefusal(payload, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    if (tooLarge !== undefined) {
      for (const listener of errorListeners) listener(tooLarge);
      return;
    }
    const answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('presenceSubscribe', payload).catch(() => undefined);
    if (answer !== undefined && answer.ok) {
      legacy = false;
      return;
    }
    // A server without subscriptions: follow every transition, starting from the full list.
    legacy = true;
    const list = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('getOnlineUsers').catch(() => undefined);
    if (list?.ok) {
      view.applyList(list.users as WireOnlineUser[]);
      notify();
    }
  }

  socket.on('connect', () => {
    connection += 1;
    setState('connected');
    if (announced) void comeOnline(connection);
    if (!hidden() || !options.pauseWhenHidden) startHeartbeats();
    void subscribe();
  });
  socket.on('disconnect', (reason) => {
    clearInterval(heartbeat);
    online.close();
    if (state === 'closed') return;
    setState('disconnected');
    // Socket.IO reconnects by itself after a lost connection, but not when the server closed it (a restart, an
    // expired token): come back after a short, jittered pause, with a token asked for anew.
    if (reason === 'io server disconnect') setTimeout(() => state !== 'closed' && socket.connect(), 500 + Math.random() * 1_000);
  });
  socket.io.on('reconnect_attempt', () => setState('connecting'));

  socket.on('presenceState', (s: PresenceStatePayload) => {
    view.applyState(s);
    notify();
  });
  socket.on('presenceDiff', (d: PresenceDiffPayload) => {
    view.applyDiff(d);
    notify();
  });
  socket.on('userStatusChanged', (c: UserStatusChanged) => {
    if (!legacy) return;
    view.applyStatusChange(c);
    notify();
  });
  socket.on('userAvailabilityChanged', (c: UserAvailabilityChanged) => {
    if (legacy && view.applyAvailabilityChange(c)) notify();
  });
  socket.on('presenceError', (e) => {
    for (const listener of errorListeners) listener(e);
  });

  const subscribeTo = <T>(set: Set<T>, listener: T): (() => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };
  const noPresence = (why: string) => new PresenceRefusal({ code: 'INVALID_PAYLOAD', message: `this client is not online: ${why}` });

  return {
    onChange: (listener) => subscribeTo(changeListeners, listener),
    onError: (listener) => subscribeTo(errorListeners, listener),
    onConnectionChange: (listener) => subscribeTo(stateListeners, listener),
    getOnlineUsers: () => view.online(),
    isOnline: (userId) => view.get(userId)?.status === 'online',
    availabilityOf: (userId) => view.availabilityOf(userId),
    async setStatus(choice) {
      if (!announced) throw noPresence('it went offline (goOffline)');
      if (state === 'closed') throw noPresence('it is closed');
      await online.wait();
      const shown = await sendStatus(choice);
      chosen.record(choice);
      return shown;
    },
    get connectionState() {
      return state;
    },
    async goOffline() {
      announced = false;
      clearInterval(heartbeat);
      online.fail(noPresence('it went offline (goOffline)'));
      detector?.stop();
      await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('userOffline', userPayload()).catch(() => undefined);
    },
    close() {
      setState('closed');
      clearInterval(heartbeat);
      clearTimeout(refresh);
      online.fail(noPresence('it is closed'));
      detector?.stop();
      socket.disconnect();
    },
  };
}
