import { ALL_VIEWERS, type AudienceNames, type Tenant, type Viewer } from '../../domain/audience';
import type { UserKey } from '../../domain/presence.types';

/**
 * The Socket.IO rooms of CONTRACT §9's audiences. A connection joins the rooms of what it may see (its tenant's
 * viewers of its type, or all of its tenant's viewers when visibility is off, and its own user's); a change goes to
 * the rooms of its audiences, so Socket.IO encodes it once for all of them and each connection gets it once. Names
 * are JSON arrays: a tenant or a type holding the separator of a flat name could otherwise pass for another.
 */
const roomOf = (tenant: Tenant, kind: 'viewers' | 'user', name: string): string => `audience:${JSON.stringify([tenant, kind, name])}`;

/**
 * Every viewer, with tenants and visibility off: the room 0.12 and earlier sent §1 to, kept by name so that
 * heartbeat broadcasts, which cross nodes, reach the clients of both versions during a rolling upgrade.
 */
const EVERY_VIEWER_ROOM = 'presence:events';

export const viewersRoom = (tenant: Tenant, viewerType: string): string =>
  tenant === null && viewerType === ALL_VIEWERS ? EVERY_VIEWER_ROOM : roomOf(tenant, 'viewers', viewerType);
export const userRoom = (tenant: Tenant, key: UserKey): string => roomOf(tenant, 'user', key);

/**
 * The rooms a user's connection joins. A connection not yet announced as anyone (no key) sees no one as itself; a
 * backend opens no socket (REST and the event stream serve it).
 */
export function roomsOfViewer(viewer: Extract<Viewer, { kind: 'user' }>, visibilityOn: boolean): string[] {
  // Every viewer of the tenant sees every user, itself included: one room is enough.
  if (!visibilityOn) return [viewersRoom(viewer.tenant, ALL_VIEWERS)];
  const rooms: string[] = [];
  if (viewer.userType !== null) rooms.push(viewersRoom(viewer.tenant, viewer.userType));
  if (viewer.key !== null) rooms.push(userRoom(viewer.tenant, viewer.key));
  return rooms;
}

/** The rooms one change goes to, each once. */
export function roomsOfChange(audiences: AudienceNames): string[] {
  if (audiences.viewerTypes.includes(ALL_VIEWERS)) return [viewersRoom(audiences.tenant, ALL_VIEWERS)];
  return [...audiences.viewerTypes.map((type) => viewersRoom(audiences.tenant, type)), userRoom(audiences.tenant, audiences.self)];
}
