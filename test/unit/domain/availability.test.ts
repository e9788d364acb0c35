import fc from 'fast-check';
import {
  availabilityChange,
  availabilityOf,
  chosenAfter,
  isIdle,
  lastActiveOf,
  nextIdleDeadline,
  UNTRACKED,
  withActivity,
  type ConnectionActivity,
} from '../../../src/domain/availability';

const IDLE_MS = 600_000;
const T0 = 1_000_000;

describe('availability rules (CONTRACT §8)', () => {
  it('is busy when chosen, else away when chosen or when every connection is idle, else available', () => {
    const active = withActivity(UNTRACKED, false, T0);
    const idle = withActivity(UNTRACKED, true, T0);
    expect(availabilityOf('busy', [idle], T0, IDLE_MS)).toBe('busy');
    expect(availabilityOf('away', [active], T0, IDLE_MS)).toBe('away');
    expect(availabilityOf(null, [idle, idle], T0, IDLE_MS)).toBe('away');
    expect(availabilityOf(null, [idle, active], T0, IDLE_MS)).toBe('available');
    expect(availabilityOf(null, [UNTRACKED], T0, IDLE_MS)).toBe('available');
    expect(availabilityOf(null, [], T0, IDLE_MS)).toBe('available');
  });

  it('makes a connection that reported activity idle after PRESENCE_IDLE_MS of nothing active; an old client never', () => {
    const active = withActivity(UNTRACKED, false, T0);
    expect(isIdle(active, T0 + IDLE_MS - 1, IDLE_MS)).toBe(false);
    expect(isIdle(active, T0 + IDLE_MS, IDLE_MS)).toBe(true);
    expect(isIdle(UNTRACKED, T0 + 100 * IDLE_MS, IDLE_MS)).toBe(false);
    expect(availabilityOf(null, [active, UNTRACKED], T0 + IDLE_MS, IDLE_MS)).toBe('available');
    expect(availabilityOf(null, [active], T0 + IDLE_MS, IDLE_MS)).toBe('away');
  });

  it('keeps the last activity when a connection says it is idle, and takes a new one when it is active again', () => {
    const active = withActivity(UNTRACKED, false, T0);
    const idle = withActivity(active, true, T0 + 5);
    expect(idle).toEqual({ lastActive: T0, idle: true });
    expect(withActivity(UNTRACKED, true, T0)).toEqual({ lastActive: T0, idle: true });
    expect(withActivity(idle, false, T0 + 9)).toEqual({ lastActive: T0 + 9, idle: false });
    expect(lastActiveOf([idle, withActivity(UNTRACKED, false, T0 + 3), UNTRACKED])).toBe(T0 + 3);
    expect(lastActiveOf([UNTRACKED])).toBeNull();
  });

  it('clears a chosen away or busy with available, and keeps it when none is asked', () => {
    expect(chosenAfter('busy', 'available')).toBeNull();
    expect(chosenAfter(null, 'away')).toBe('away');
    expect(chosenAfter('away', 'busy')).toBe('busy');
    expect(chosenAfter('busy', undefined)).toBe('busy');
  });

  it('names a change by its cause: set, idle or active; none when neither availability nor text changed', () => {
    const shown = (availability: 'available' | 'away' | 'busy', statusText: string | null = null) => ({ availability, statusText });
    expect(availabilityChange(shown('available'), shown('available'), true)).toBeNull();
    expect(availabilityChange(shown('available'), shown('available', 'at lunch'), true)).toBe('set');
    expect(availabilityChange(shown('available'), shown('busy'), true)).toBe('set');
    expect(availabilityChange(shown('available'), shown('away'), false)).toBe('idle');
    expect(availabilityChange(shown('away'), shown('available'), false)).toBe('active');
  });

  it('puts the next idle deadline exactly where the first active connection goes idle by time, and none where none can', () => {
    const connection = fc.oneof(
      fc.constant(UNTRACKED),
      fc.record({ lastActive: fc.integer({ min: T0, max: T0 + 2 * IDLE_MS }), idle: fc.boolean() }),
    ) as fc.Arbitrary<ConnectionActivity>;
    fc.assert(
      fc.property(fc.array(connection, { maxLength: 6 }), fc.integer({ min: T0, max: T0 + 4 * IDLE_MS }), (connections, now) => {
        const idleAt = (t: number) => connections.filter((c) => isIdle(c, t, IDLE_MS)).length;
        const deadline = nextIdleDeadline(connections, IDLE_MS);
        if (deadline === undefined) {
          // Nothing goes idle by time, whenever it is looked at.
          expect(idleAt(now)).toBe(idleAt(now + 10 * IDLE_MS));
          return;
        }
        // Before the deadline no connection has gone idle by time; at it, one more has.
        if (deadline > now) expect(idleAt(now)).toBe(idleAt(deadline - 1));
        expect(idleAt(deadline)).toBeGreaterThan(idleAt(deadline - 1));
        // And going idle ends there: after every deadline has passed, what is idle no longer changes by time.
        expect(idleAt(deadline + 3 * IDLE_MS)).toBe(idleAt(deadline + 10 * IDLE_MS));
      }),
      { numRuns: 500 },
    );
  });

  it('is never available while every connection is idle, and always while one is active and nothing is chosen', () => {
    const connection = fc.record({ lastActive: fc.option(fc.integer({ min: T0, max: T0 + IDLE_MS }), { nil: null }), idle: fc.boolean() });
    fc.assert(
      fc.property(fc.array(connection, { minLength: 1, maxLength: 5 }), fc.integer({ min: T0, max: T0 + 2 * IDLE_MS }), (connections, now) => {
        const allIdle = connections.every((c) => isIdle(c, now, IDLE_MS));
        expect(availabilityOf(null, connections, now, IDLE_MS)).toBe(allIdle ? 'away' : 'available');
      }),
      { numRuns: 300 },
    );
  });
});
