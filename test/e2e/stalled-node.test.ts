import { buildTestApp, type TestApp } from '../support/build-test-app';
import { get } from '../support/http-client';
import { sample } from '../support/metrics-text';
import { closeAllSockets, connect, request, StatusLog } from '../support/socket-client';

const TTL_MS = 300;

/** Holds this process's event loop, the service's included, as an overloaded node's would be held. */
function holdTheLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

async function deferredExpiries(app: TestApp): Promise<number | undefined> {
  return sample((await get(app.url, '/metrics', '/metrics')).text, 'presence_expiries_deferred_total');
}

describe('expiry when the node itself stalled', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: String(TTL_MS), PRESENCE_SWEEP_INTERVAL_MS: '20' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('does not expire a client whose heartbeat sat unread while the node was stalled', async () => {
    const alice = await connect(app.url);
    const aliceLog = new StatusLog(alice);
    await request(alice, 'userOnline', { userId: 'alice' });
    // This runs as the ack is read: the heartbeat is in the server's socket before the server may read it, and the
    // sweep that comes due during the hold-up runs first, with alice's deadline past.
    alice.emit('userHeartbeat', { userId: 'alice' });
    holdTheLoop(1.5 * TTL_MS);
    // Any offline that sweep sent, and the online the queued heartbeat would then send, reach alice before this ack.
    await request(alice, 'userHeartbeat', { userId: 'alice' });
    expect(aliceLog.summary()).toEqual(['alice online online']);
    expect(await deferredExpiries(app)).toBeGreaterThanOrEqual(1);
  });

  it('still ends a client that truly went silent, once the node has caught up', async () => {
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    holdTheLoop(1.5 * TTL_MS);
    const changes = await observer.waitFor((seen) => seen.some((c) => c.status === 'offline'));
    expect(observer.summary()).toEqual(['alice online online', 'alice offline expired']);
    expect(changes[1]?.lastSeen).toBe(changes[0]?.lastSeen);
    expect(await deferredExpiries(app)).toBeGreaterThanOrEqual(1);
  });

  it('ends a silent client by the TTL when the node keeps up', async () => {
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    await observer.waitFor((seen) => seen.some((c) => c.status === 'offline'));
    expect(observer.summary()).toEqual(['alice online online', 'alice offline expired']);
  });
});
