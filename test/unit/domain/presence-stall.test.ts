import { buildDomain, on } from '../../support/build-domain';

const TTL = 60_000;
const GRACE = 5_000;

describe('expiry while the node itself was stalled', () => {
  it('expires exactly at the deadline when the node did not stall', async () => {
    const { service, notifier, clock } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    clock.advance(TTL - 1);
    expect(await service.sweep({ stallMs: 0 })).toMatchObject({ transitions: 0, deferred: 0 });
    clock.advance(1);
    expect(await service.sweep({ stallMs: 0 })).toMatchObject({ transitions: 1, deferred: 0 });
    expect(notifier.summary()).toEqual(['u online online', 'u offline expired']);
  });

  it('defers a deadline that passed within the stall, and expires it once the allowance no longer covers it', async () => {
    const { service, notifier, clock } = buildDomain();
    const start = clock.now();
    await service.goOnline(on('c1', 'u'));
    clock.advance(TTL + 500);
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ transitions: 0, deferred: 1 });
    clock.advance(400);
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ transitions: 0 });
    expect(notifier.summary()).toEqual(['u online online']);
    clock.advance(100);
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ transitions: 1 });
    expect(notifier.events[1]).toMatchObject({ reason: 'expired', lastSeen: start });
  });

  it('keeps a user online, with no offline and online again, when its heartbeat arrives while deferred', async () => {
    const { service, notifier, clock } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    clock.advance(TTL + 2_000);
    expect(await service.sweep({ stallMs: 3_000 })).toMatchObject({ transitions: 0, deferred: 1 });
    await service.heartbeat(on('c1', 'u'));
    clock.advance(1_000);
    expect(await service.sweep({ stallMs: 0 })).toMatchObject({ transitions: 0, deferred: 0 });
    expect(notifier.summary()).toEqual(['u online online']);
    expect(await service.countOnline()).toBe(1);
  });

  it("defers a dropped connection's grace the same way: the stall held its reconnect up too", async () => {
    const { service, notifier, clock } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    await service.disconnect({ connectionId: 'c1', userId: 'u' });
    clock.advance(GRACE + 100);
    expect(await service.sweep({ stallMs: 500 })).toMatchObject({ transitions: 0, deferred: 1 });
    await service.goOnline(on('c2', 'u'));
    clock.advance(1_000);
    await service.sweep({ stallMs: 0 });
    expect(notifier.summary()).toEqual(['u online online']);
  });

  it('expires what went silent before the stall while deferring what went silent within it', async () => {
    const { service, notifier, clock } = buildDomain();
    await service.goOnline(on('a1', 'a'));
    await service.goOnline(on('b1', 'b'));
    clock.advance(1_000);
    await service.goOnline(on('b2', 'b'));
    await service.goOnline(on('c1', 'c'));
    clock.advance(TTL + 500);
    // a's only and b's first connection passed their deadline 1.5 s ago; b's second and c's, 0.5 s ago.
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ transitions: 1, deferred: 2 });
    expect(notifier.summary()).toEqual(['a online online', 'b online online', 'c online online', 'a offline expired']);
    expect((await service.listOnline()).map((u) => u.userId).sort()).toEqual(['b', 'c']);
  });

  it('counts a deferred user once, not at every sweep that keeps deferring it', async () => {
    const { service, clock } = buildDomain();
    await service.goOnline(on('c1', 'early'));
    clock.advance(500);
    await service.goOnline(on('c2', 'late'));
    clock.advance(TTL);
    expect(await service.sweep({ stallMs: 10_000 })).toMatchObject({ deferred: 2 });
    clock.advance(1_000);
    expect(await service.sweep({ stallMs: 10_000 })).toMatchObject({ deferred: 0 });
    await service.goOnline(on('c3', 'fresh'));
    clock.advance(TTL);
    expect(await service.sweep({ stallMs: 10_000 })).toMatchObject({ deferred: 1 });
  });

  it('takes a negative allowance for none', async () => {
    const { service, clock } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    clock.advance(TTL - 1);
    expect(await service.sweep({ stallMs: -5_000 })).toMatchObject({ transitions: 0, deferred: 0 });
    expect(await service.countOnline()).toBe(1);
  });
});
