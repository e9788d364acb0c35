import { audiencesOf, sightChanges, type AudienceRules, type Viewer } from '../../domain/audience';
import { forbidden } from '../../domain/presence.errors';
import type { TenantUser } from '../../domain/presence.types';
import { tenantOf, userKeyOf } from '../../domain/presence.types';
import { roomsOfChange, roomsOfViewer, userRoom, viewersRoom } from './audience-rooms';
import type { PresenceServer, PresenceSocket } from './socket.types';

/** A user whose change is sent: who it is, and the type it is shown with. */
export interface ChangedUser extends TenantUser {
  readonly userType: string | null;
}

/**
 * CONTRACT §9 on the sockets. A connection's viewer type is its token's (`typeFromToken`: visibility on with a
 * secret; a payload type that differs is FORBIDDEN) or the type it announced. Its §1 events come through the rooms
 * of what it may see, joined while it has not subscribed (§7 subscribers get diffs instead): the viewers of its type
 * (of every type when visibility is off) and its own user's. A change goes to its audiences' rooms, encoded once.
 */
export class SocketAudience {
  constructor(
    private readonly io: PresenceServer,
    readonly rules: AudienceRules,
    private readonly typeFromToken: boolean,
  ) {}

  get visibilityOn(): boolean {
    return this.rules.visibility !== null;
  }

  /** Who this connection is as a viewer: its token's user (or the one it announced) and its type. */
  viewerOf(socket: PresenceSocket): Extract<Viewer, { kind: 'user' }> {
    const user = socket.data.authUserId ?? socket.data.userId;
    const key = user === undefined ? null : userKeyOf(user);
    return { kind: 'user', tenant: socket.data.tenant ?? null, key, userType: this.viewerTypeOf(socket) };
  }

  /** The type a `userOnline` announces: the payload's, or with a token's type the token's (a differing payload's is refused). */
  typeToAnnounce(socket: PresenceSocket, announced: string | null | undefined): string | null | undefined {
    if (!this.typeFromToken) return announced;
    const tokenType = socket.data.tokenUserType ?? null;
    if (announced !== undefined && announced !== tokenType) throw forbidden('userType is not the authenticated user type');
    return tokenType;
  }

  /** The connection announced a user and type: without a token's type, what it sees follows what it announced. */
  announced(socket: PresenceSocket): void {
    if (socket.data.eventRooms !== undefined) this.joinEvents(socket);
  }

  /** From now on the connection gets §1's events of what it may see. */
  joinEvents(socket: PresenceSocket): void {
    const rooms = roomsOfViewer(this.viewerOf(socket), this.visibilityOn);
    for (const room of socket.data.eventRooms ?? []) if (!rooms.includes(room)) void socket.leave(room);
    for (const room of rooms) void socket.join(room);
    socket.data.eventRooms = rooms;
  }

  /** No more of §1's events (the connection subscribed). */
  leaveEvents(socket: PresenceSocket): void {
    for (const room of socket.data.eventRooms ?? []) void socket.leave(room);
    delete socket.data.eventRooms;
  }

  /** The rooms a change of `user` goes to: one per audience. */
  roomsOf(user: ChangedUser): string[] {
    return roomsOfChange(audiencesOf(this.rules, { tenant: tenantOf(user), key: userKeyOf(user.userId), userType: user.userType }));
  }

  /**
   * A user shown with another type: the rooms of the viewers that lose sight of it and of those that gain it, and its
   * own room, which is told nothing (it sees itself whatever its type).
   */
  sightChangeOf(user: ChangedUser, newType: string | null): { readonly lose: string[]; readonly gain: string[]; readonly own: string } {
    const tenant = tenantOf(user);
    const { lose, gain } = sightChanges(this.rules, { tenant, key: userKeyOf(user.userId), userType: user.userType }, newType);
    const rooms = (types: string[]) => types.map((type) => viewersRoom(tenant, type));
    return { lose: rooms(lose), gain: rooms(gain), own: this.ownRoomOf(user) };
  }

  /** The room of the user's own connections. */
  ownRoomOf(user: ChangedUser): string {
    return userRoom(tenantOf(user), userKeyOf(user.userId));
  }

  /**
   * How many of this node's connections a change sent to `rooms` reaches, each once: the viewers' rooms, with the
   * connections of the `own` room (sent to them too) or without them (sent `except` them). A connection is in one
   * viewers' room at most, and the own room holds a few: they are looked at one by one.
   */
  reach(rooms: readonly string[], own: string, ownToo: boolean): number {
    const byRoom = this.io.of('/').adapter.rooms;
    const viewers = rooms.filter((room) => room !== own);
    let count = 0;
    for (const room of viewers) count += byRoom.get(room)?.size ?? 0;
    for (const id of byRoom.get(own) ?? []) {
      const asViewer = viewers.some((room) => byRoom.get(room)?.has(id));
      if (ownToo && !asViewer) count += 1;
      if (!ownToo && asViewer) count -= 1;
    }
    return count;
  }

  private viewerTypeOf(socket: PresenceSocket): string | null {
    if (!this.visibilityOn) return null;
    return (this.typeFromToken ? socket.data.tokenUserType : socket.data.userType) ?? null;
  }
}
