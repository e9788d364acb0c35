import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import type { PresenceEvent } from '../../domain/presence.events';
import type { PresenceServer } from './socket.types';
import { toStatusChanged } from './wire';

/** Every presence event goes to every connected client as `userStatusChanged`. */
export class SocketIoPresenceNotifier implements PresenceNotifier {
  constructor(private readonly io: PresenceServer) {}

  publish(event: PresenceEvent): void {
    this.io.emit('userStatusChanged', toStatusChanged(event));
  }
}
