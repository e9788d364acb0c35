import { InMemoryLastSeenRepository } from '../../src/adapters/memory/in-memory-last-seen.repository';
import { InMemoryNodeRegistry } from '../../src/adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from '../../src/adapters/memory/in-memory-presence.store';
import type { PresenceStore } from '../../src/domain/ports/presence-store.port';
import { PresenceService } from '../../src/domain/presence.service';
import type { PresenceSettings } from '../../src/domain/presence.settings';
import { FakeClock } from './fake-clock';
import { RecordingNotifier } from './recording-notifier';

export const testSettings: PresenceSettings = {
  ttlMs: 60_000,
  disconnectGraceMs: 5_000,
  idleMs: 600_000,
  broadcastHeartbeats: false,
  sweepBatchSize: 100,
  nodeId: 'node-a',
  nodeRecoveryClaimMs: 30_000,
};

/** The domain on a fake clock with in-memory adapters, built by hand: no container. */
export function buildDomain(settings: Partial<PresenceSettings> = {}, store: PresenceStore = new InMemoryPresenceStore()) {
  const clock = new FakeClock();
  const notifier = new RecordingNotifier();
  const lastSeen = new InMemoryLastSeenRepository();
  const nodes = new InMemoryNodeRegistry();
  const service = new PresenceService({ clock, store, notifier, lastSeen, nodes, settings: { ...testSettings, ...settings } });
  return { clock, notifier, lastSeen, store, nodes, service };
}

export const on = (
  connectionId: string,
  userId: string | number,
  extra: { userType?: string; userName?: string; nodeId?: string } = {},
) => ({ connectionId, userId, nodeId: 'node-a', ...extra });
