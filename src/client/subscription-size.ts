/** Keeps the client from sending a subscription the service would not read (CONTRACT §1 `PRESENCE_MAX_MESSAGE_BYTES`). */
import type { PresenceErrorPayload } from '../protocol/socket-events';

/** What Socket.IO adds around an event's JSON: the packet type, an ack id, the brackets and the event's name. */
const PACKET_OVERHEAD_BYTES = 32;

/** The refusal a subscription gets when its message would be over the service's limit; undefined when it fits. */
export function oversizeRefusal(payload: object, maxBytes: number): PresenceErrorPayload | undefined {
  const bytes = new TextEncoder().encode(JSON.stringify(payload)).length + PACKET_OVERHEAD_BYTES;
  if (bytes <= maxBytes) return undefined;
  return {
    event: 'presenceSubscribe',
    code: 'INVALID_PAYLOAD',
    message: `the subscription is ${bytes} bytes, over the service's ${maxBytes}: name fewer userIds, or follow userTypes`,
  };
}
