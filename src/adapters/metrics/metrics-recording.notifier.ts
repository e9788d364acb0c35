import type { Clock } from '../../domain/ports/clock.port';
import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import { availabilityChange } from '../../domain/availability';
import { availabilityChanged, cameOnline, changedWhileOnline, wentOffline, type PresenceEvent } from '../../domain/presence.events';
import { keyOfUser } from '../../domain/presence.types';
import { FlapDetector } from './flap-detector';
import type { PresenceMetrics } from './presence-metrics';

const FLAP_WINDOW_MS = 60_000;

/** Counts what the domain publishes, then passes it on: how metrics observe the domain without it knowing. */
export class MetricsRecordingNotifier implements PresenceNotifier {
  private readonly flaps = new FlapDetector(FLAP_WINDOW_MS);

  constructor(
    private readonly inner: PresenceNotifier,
    private readonly metrics: PresenceMetrics,
    private readonly clock: Clock,
  ) {}

  publish(event: PresenceEvent): void {
    if (event.type !== 'UserHeartbeatReceived') {
      const now = this.clock.now();
      const key = keyOfUser(event);
      if (cameOnline(event)) {
        this.metrics.statusChanges.inc({ status: 'online', reason: event.reason });
        if (this.flaps.online(key, now)) this.metrics.flaps.inc();
      } else if (wentOffline(event)) {
        this.metrics.statusChanges.inc({ status: 'offline', reason: event.reason });
        this.metrics.offlineDelay.observe({ reason: event.reason }, Math.max(0, now - event.lastSeen) / 1000);
        this.flaps.offline(key, now);
      } else if (changedWhileOnline(event)) {
        const reason = availabilityChanged(event) ? event.reason : availabilityChange(event.from, event.to, false);
        if (reason !== null) this.metrics.availabilityChanges.inc({ availability: event.to.availability, reason });
      }
    }
    this.inner.publish(event);
  }
}
