/** What `createPresenceClient` takes and gives: its options and the client's methods. */
import type { PresenceErrorPayload, WireAvailability, WirePresenceUser, WireUserId } from '../protocol/socket-events';
import type { ShownStatus } from './chosen-status';
import type { InputSource, PageVisibility } from './idle-detector';

export interface IdleOptions {
  /**
   * The service's `PRESENCE_IDLE_MS` [600000]: after this long with no input the user is idle. Set it to the
   * service's value: a larger one lets the service count an active user idle between two reports, a smaller one
   * only costs more reports.
   */
  readonly idleMs?: number;
  /** Where input arrives [`window`]: for hosts without one, and tests. */
  readonly inputs?: InputSource;
  /** What says whether the page is shown [`document`]. */
  readonly page?: PageVisibility;
}

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
  /**
   * Reports the user idle and active (`userActivity`, CONTRACT §8) from the page's input (pointer, keys, wheel,
   * touch, scroll) and its visibility: on by default where `window` and `document` exist, off in Node unless
   * `inputs` is given; `false` turns it off. At most one report every `idleMs`/4 while the user is active, at least
   * one every `idleMs`/2 while input goes on, one on going idle (after `idleMs` with no input; a hidden page too,
   * and a page shown again counts as input), and the current state after every (re)connect.
   */
  readonly idle?: false | IdleOptions;
  /**
   * Re-apply the last status this client set when the service has forgotten it [true]. The service keeps a choice
   * over a reconnect within its disconnect grace, and forgets it when the user's online period ends (a restart of an
   * in-memory node, or offline longer than the grace), where the user comes back `available` with no text. So after
   * every (re)connect, and only when this client has set something, it asks the service (an empty `userStatusSet`,
   * which changes nothing) and sends the choice again only if the service shows nothing chosen; a choice the service
   * still has, this one or one made meanwhile on another connection of the user, is kept and becomes this client's.
   * (A choice of `available` with no text made on another connection while this one was away cannot be told from a
   * forgotten one: this client's older choice then wins.)
   */
  readonly restoreStatus?: boolean;
}

/** What `setStatus` asks for: a field left out keeps its value; `available` clears `away`/`busy`; null clears the text. */
export interface StatusChoice {
  readonly availability?: WireAvailability;
  /** At most 140 code points. */
  readonly statusText?: string | null;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface PresenceClient {
  /** Called with every change of the users in scope (availability and status text included); returns a function that stops it. */
  onChange(listener: (users: readonly WirePresenceUser[]) => void): () => void;
  onError(listener: (error: PresenceErrorPayload) => void): () => void;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** The online users in scope, each with `availability`, `statusText`, `lastActive` and `onlineSince`. */
  getOnlineUsers(): WirePresenceUser[];
  isOnline(userId: WireUserId): boolean;
  /** The user's availability while it is online in scope; null otherwise. */
  availabilityOf(userId: WireUserId): WireAvailability | null;
  /**
   * Sets this user's availability and text, for all its connections, until changed or until the user goes offline
   * (CONTRACT §8). Resolves with what the service shows the user as (`away` when nothing is chosen and every
   * connection is idle); rejects with a `PresenceRefusal` (`code`, `message`) when the service refuses it. Made
   * while the client is not online, it is sent once it is; after `goOffline` or `close` it is refused.
   */
  setStatus(choice: StatusChoice): Promise<ShownStatus>;
  readonly connectionState: ConnectionState;
  /** Ends this client's presence now (logout); the connection stays, to keep following the others. */
  goOffline(): Promise<void>;
  close(): void;
}
