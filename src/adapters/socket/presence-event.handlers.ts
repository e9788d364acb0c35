import { sameUser } from '../../domain/connection-identity';
import type { PresenceService } from '../../domain/presence.service';
import type { UserId } from '../../domain/presence.types';
import type { SocketIdentity } from './socket-identity';
import {
  parsePayload,
  parseUserPayload,
  presenceSubscribePayload,
  userActivityPayload,
  userOnlinePayload,
  userStatusSetPayload,
} from './socket-payload.schema';
import { LaterAnswer, type EventHandlers } from './socket-event.router';
import type { AudienceOnlineLists } from './audience-online-lists';
import type { SocketAudience } from './socket-audience';
import type { StatusAllowance } from './status-allowance';
import { PresenceScope, sightOf } from './subscriptions/presence-scope';
import type { SubscriptionHub } from './subscriptions/subscription-hub';
import type { PresenceSocket } from './socket.types';
import { isoOf } from '../presence-events/iso-time';

/** What the handlers ask of the subscription hub. */
export type Subscriptions = Pick<SubscriptionHub, 'subscribe' | 'unsubscribe'>;

/**
 * The client events of the protocol, each read from its payload, checked against the connection's identity and
 * run as a use case; what each returns is its ack's answer. A handler that throws changes nothing.
 */
export class PresenceEventHandlers {
  constructor(
    private readonly service: PresenceService,
    private readonly subscriptions: Subscriptions,
    private readonly identity: SocketIdentity,
    private readonly nodeId: string,
    private readonly onlineLists: AudienceOnlineLists,
    private readonly statuses: StatusAllowance,
    private readonly audience: SocketAudience,
  ) {}

  /** The handlers by event name, as the router calls them. */
  byEvent(): EventHandlers {
    return {
      userOnline: (socket, payload) => this.userOnline(socket, payload),
      userHeartbeat: (socket, payload) => this.userHeartbeat(socket, payload),
      userOffline: (socket, payload) => this.userOffline(socket, payload),
      getOnlineUsers: (socket) => this.getOnlineUsers(socket),
      userStatusSet: (socket, payload) => this.userStatusSet(socket, payload),
      userActivity: (socket, payload) => this.userActivity(socket, payload),
      presenceSubscribe: (socket, payload) => this.presenceSubscribe(socket, payload),
      presenceUnsubscribe: (socket) => this.presenceUnsubscribe(socket),
    };
  }

  async userOnline(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parsePayload(userOnlinePayload, raw);
    const userId = this.identity.speakerOf(socket, payload.userId);
    const userType = this.audience.typeToAnnounce(socket, payload.userType);
    const user = this.identity.userOf(socket, userId);
    this.identity.admit(socket, userId);
    this.statuses.take(user);
    const previous = this.identity.userToEnd(socket, userId);
    if (previous !== undefined) await this.leaveUser(socket, previous);
    const { userName } = payload;
    const online = await this.service.goOnline({ ...user, connectionId: socket.id, nodeId: this.nodeId, userType, userName });
    socket.data.userId = userId;
    if (userType !== undefined) socket.data.userType = userType;
    if (userName !== undefined) socket.data.userName = userName;
    this.audience.announced(socket);
    const { availability, statusText } = online;
    return { userId, status: 'online', availability, statusText, onlineSince: isoOf(online.onlineSince), idleMs: this.service.idleMs };
  }

  /** Not `async`, like the service's heartbeat: the event every client sends all the time keeps to one promise chain. */
  userHeartbeat(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parseUserPayload(raw);
    const userId = this.identity.speakerOf(socket, payload.userId);
    this.identity.admit(socket, userId);
    const previous = this.identity.userToEnd(socket, userId);
    if (previous !== undefined) return this.leaveUser(socket, previous).then(() => this.heartbeatAs(socket, userId));
    return this.heartbeatAs(socket, userId);
  }

  async userOffline(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parseUserPayload(raw);
    const userId = this.identity.speakerOf(socket, payload.userId);
    const user = this.identity.userOf(socket, userId);
    this.statuses.take(user);
    await this.service.goOffline({ ...user, connectionId: socket.id });
    const announced = socket.data.userId;
    if (announced !== undefined && sameUser(announced, userId)) delete socket.data.userId;
    return { userId, status: 'offline' };
  }

  /** CONTRACT §8: a change the whole audience is told of, so within the user's status allowance, like userOnline. */
  async userStatusSet(socket: PresenceSocket, raw: unknown): Promise<object> {
    const { userId: asked, availability, statusText } = parsePayload(userStatusSetPayload, raw);
    const userId = this.identity.speakerOf(socket, asked);
    const user = this.identity.userOf(socket, userId);
    this.statuses.take(user);
    const shown = await this.service.setStatus({ ...user, connectionId: socket.id }, { availability, statusText });
    return { userId, availability: shown.availability, statusText: shown.statusText };
  }

  /** Going idle again takes the status allowance: a client toggling idle and active would otherwise broadcast at the event rate. */
  async userActivity(socket: PresenceSocket, raw: unknown): Promise<object> {
    const { userId: asked, idle } = parsePayload(userActivityPayload, raw);
    const userId = this.identity.speakerOf(socket, asked);
    const user = this.identity.userOf(socket, userId);
    // A connection's first report is not a toggle: it is not charged, so that a reconnect wave's reports all land.
    if (idle && socket.data.reportedIdle !== undefined) this.statuses.take(user);
    await this.service.reportActivity({ ...user, connectionId: socket.id }, idle);
    socket.data.reportedIdle = idle;
    return { userId };
  }

  /**
   * The list of what the connection may see, encoded once for the event and the ack, and for every other connection
   * of its audience asking at that moment.
   */
  async getOnlineUsers(socket: PresenceSocket): Promise<object> {
    const users = await this.onlineLists.get(this.audience.viewerOf(socket));
    socket.emit('onlineUsersList', users);
    return { users };
  }

  /** Acked when its state is sent; the connection's next events do not wait for that (a later subscribe replaces it). */
  presenceSubscribe(socket: PresenceSocket, raw: unknown): Promise<LaterAnswer> {
    const payload = parsePayload(presenceSubscribePayload, raw);
    const { userIds, userTypes } = payload;
    const scope = new PresenceScope(userIds, userTypes, sightOf(this.audience.rules, this.audience.viewerOf(socket), userIds, userTypes));
    return Promise.resolve(new LaterAnswer(this.subscriptions.subscribe(socket, scope, payload.since)));
  }

  presenceUnsubscribe(socket: PresenceSocket): Promise<object> {
    this.subscriptions.unsubscribe(socket);
    return Promise.resolve({});
  }

  /** A closed connection: out of its subscription and the per-user limit, its presence dropped (the grace starts). */
  async disconnected(socket: PresenceSocket): Promise<void> {
    this.subscriptions.unsubscribe(socket);
    this.identity.release(socket);
    const userId = socket.data.userId;
    if (userId !== undefined) await this.service.disconnect({ ...this.identity.userOf(socket, userId), connectionId: socket.id });
  }

  /** Heartbeats the user this connection announced, if any, as it was announced: after the store lost state. */
  async reannounce(socket: PresenceSocket): Promise<void> {
    const { userId, userType, userName, reportedIdle: idle } = socket.data;
    if (userId === undefined) return;
    await this.service.heartbeat({ ...this.identity.userOf(socket, userId), connectionId: socket.id, nodeId: this.nodeId, userType, userName, idle });
  }

  private heartbeatAs(socket: PresenceSocket, userId: UserId): Promise<object> {
    const { tenant, userType, userName, reportedIdle: idle } = socket.data;
    const key = this.identity.keyOf(socket, userId);
    // One object per heartbeat, as before tenants: `tenant` may be undefined, which the rules read as none.
    const announcement = { tenant, key, userId, connectionId: socket.id, nodeId: this.nodeId, userType, userName, idle };
    return this.service.heartbeat(announcement).then((revived) => {
      const first = socket.data.userId === undefined;
      socket.data.userId = userId;
      if (first) this.audience.announced(socket);
      // Brought back: what the service forgot with the connection (a chosen status, with its online period) the client may tell again.
      return revived ? { userId, revived: true } : { userId };
    });
  }

  /** A connection speaks for one user at a time: announcing another user ends the previous one. */
  private async leaveUser(socket: PresenceSocket, previous: UserId): Promise<void> {
    await this.service.goOffline({ ...this.identity.userOf(socket, previous), connectionId: socket.id });
    delete socket.data.userId;
    delete socket.data.userType;
    delete socket.data.userName;
  }
}
