import type { PresenceNotifier } from '../../src/domain/ports/presence-notifier.port';
import type { PresenceEvent } from '../../src/domain/presence.events';

export class RecordingNotifier implements PresenceNotifier {
  readonly events: PresenceEvent[] = [];

  publish(event: PresenceEvent): void {
    this.events.push(event);
  }

  /** `online`/`offline` and the reason, per event: the shape the tests reason about. */
  summary(): string[] {
    return this.events.map((e) => `${String(e.userId)} ${e.type === 'UserHeartbeatReceived' ? 'heartbeat' : e.to.status} ${e.reason}`);
  }

  clear(): void {
    this.events.length = 0;
  }
}
