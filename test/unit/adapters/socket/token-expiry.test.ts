import { MAX_TIMER_MS, TokenExpiry } from '../../../../src/adapters/socket/token-expiry';
import { FakeClock } from '../../../support/fake-clock';
import { StandInSocket } from '../../../support/stand-in-socket';

const expired = { event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' };

/** The clock and the timers moved together by hand, as time passes for the process. */
function passing(clock: FakeClock) {
  return (ms: number): void => {
    clock.advance(ms);
    jest.advanceTimersByTime(ms);
  };
}

describe('TokenExpiry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tells a connection UNAUTHORIZED when its token expires, and closes it', () => {
    const clock = new FakeClock();
    const pass = passing(clock);
    const client = new StandInSocket('s1', { authUserId: 'alice', tokenExpiresAt: clock.now() + 1_000 });
    new TokenExpiry(clock).watch(client.socket);
    pass(999);
    expect(client.sent).toEqual([]);
    expect(client.connected).toBe(true);
    pass(1);
    expect(client.sent).toEqual([['presenceError', expired]]);
    expect(client.disconnects).toEqual([true]);
  });

  it('closes a connection whose token expired before it was watched at the next turn', () => {
    const clock = new FakeClock();
    const client = new StandInSocket('s1', { authUserId: 'alice', tokenExpiresAt: clock.now() - 1 });
    new TokenExpiry(clock).watch(client.socket);
    expect(client.connected).toBe(true);
    jest.advanceTimersByTime(0);
    expect(client.sent).toEqual([['presenceError', expired]]);
    expect(client.connected).toBe(false);
  });

  it('waits again when its timer fires before the clock says the token expired, as for tokens longer than a timer holds', () => {
    const clock = new FakeClock();
    const pass = passing(clock);
    const client = new StandInSocket('s1', { authUserId: 'alice', tokenExpiresAt: clock.now() + MAX_TIMER_MS + 5_000 });
    const setTimer = jest.spyOn(global, 'setTimeout');
    new TokenExpiry(clock).watch(client.socket);
    // A longer delay would not wait: Node fires it after 1 ms.
    expect(setTimer).toHaveBeenLastCalledWith(expect.any(Function), MAX_TIMER_MS);
    pass(MAX_TIMER_MS);
    expect(client.connected).toBe(true);
    expect(jest.getTimerCount()).toBe(1);
    pass(4_999);
    expect(client.connected).toBe(true);
    pass(1);
    expect(client.sent).toEqual([['presenceError', expired]]);
    expect(client.connected).toBe(false);
  });

  it('goes by the clock, not by the timer alone: a clock behind the timer keeps the connection open', () => {
    const clock = new FakeClock();
    const client = new StandInSocket('s1', { authUserId: 'alice', tokenExpiresAt: clock.now() + 1_000 });
    new TokenExpiry(clock).watch(client.socket);
    jest.advanceTimersByTime(1_000);
    expect(client.connected).toBe(true);
    clock.advance(1_000);
    jest.advanceTimersByTime(1_000);
    expect(client.connected).toBe(false);
  });

  it('sets no timer for a connection whose token does not expire, or that has none', () => {
    const clock = new FakeClock();
    new TokenExpiry(clock).watch(new StandInSocket('s1', { authUserId: 'alice' }).socket);
    new TokenExpiry(clock).watch(new StandInSocket('s2').socket);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('watches every connection under one timer, each closed when its own token expires', () => {
    const clock = new FakeClock();
    const pass = passing(clock);
    const expiry = new TokenExpiry(clock);
    const [late, early, closed] = [3_000, 1_000, 2_000].map((ms, i) => new StandInSocket(`s${i}`, { authUserId: `u${i}`, tokenExpiresAt: clock.now() + ms }));
    for (const client of [late, early, closed]) expiry.watch((client as StandInSocket).socket);
    expect(jest.getTimerCount()).toBe(1);
    (closed as StandInSocket).close();
    pass(1_000);
    expect([late, early].map((c) => (c as StandInSocket).connected)).toEqual([true, false]);
    pass(1_000);
    expect((closed as StandInSocket).sent).toEqual([]);
    expect((late as StandInSocket).connected).toBe(true);
    pass(1_000);
    expect((late as StandInSocket).sent).toEqual([['presenceError', expired]]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops watching a connection that closed', () => {
    const clock = new FakeClock();
    const pass = passing(clock);
    const client = new StandInSocket('s1', { authUserId: 'alice', tokenExpiresAt: clock.now() + 1_000 });
    new TokenExpiry(clock).watch(client.socket);
    client.close();
    expect(jest.getTimerCount()).toBe(0);
    pass(2_000);
    expect(client.sent).toEqual([]);
  });
});
