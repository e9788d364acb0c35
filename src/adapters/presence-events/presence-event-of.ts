import { isOnline, type OnlineState, type PresenceState } from '../../domain/presence-state';
import type { CommittedTransition } from '../../domain/presence.events';
import { isoOf, isoOrNull } from './iso-time';
import type { PresenceStreamEvent } from '../../protocol/presence-events';

/**
 * A transition as an event of CONTRACT §10, told as the state the viewer is told the user went to: a type change a
 * viewer loses sight by is, to it, the user going offline (`to` given as OFFLINE), as on the sockets.
 */
export function streamEventOf(transition: CommittedTransition, to: PresenceState = transition.to): PresenceStreamEvent {
  const { seq, userId, reason } = transition;
  // The user as it was shown: online, as it is; offline, as it was before.
  const shown: OnlineState | undefined = isOnline(to) ? to : isOnline(transition.from) ? transition.from : undefined;
  return {
    seq,
    userId,
    userType: shown?.userType ?? null,
    userName: shown?.userName ?? null,
    status: to.status,
    availability: isOnline(to) ? to.availability : null,
    statusText: isOnline(to) ? to.statusText : null,
    lastSeen: isoOf(transition.lastSeen),
    lastActive: isoOrNull(shown?.lastActive ?? null),
    reason,
  };
}

/** A transition as a webhook's event: as on the stream, with the user's tenant when tenants are on. */
export function webhookEventOf(transition: CommittedTransition): PresenceStreamEvent {
  const event = streamEventOf(transition);
  return transition.tenant === undefined ? event : { ...event, tenant: transition.tenant };
}
