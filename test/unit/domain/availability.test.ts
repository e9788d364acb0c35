import fc from 'fast-check';
import {
  activityAt,
  availabilityChange,
  availabilityOf,
  chosenAfter,
  codePointLength,
  UNTRACKED,
  withActivity,
  type ConnectionActivity,
} from '../../../src/domain/availability';

const IDLE_MS = 600_000;
const T0 = 1_000_000;

describe('availability rules (CONTRACT §8)', () => {
  it('is busy when chosen, else away when chosen or when every connection is idle, else available', () => {
    const active = withActivity(false, T0, IDLE_MS);
    const idle = withActivity(true, T0, IDLE_MS);
    expect(availabilityOf('busy', [idle])).toBe('busy');
    expect(availabilityOf('away', [active])).toBe('away');
    expect(availabilityOf(null, [idle, idle])).toBe('away');
    expect(availabilityOf(null, [idle, active])).toBe('available');
    expect(availabilityOf(null, [UNTRACKED])).toBe('available');
    expect(availabilityOf(null, [])).toBe('available');
  });

  it('makes a connection that reported activity idle at PRESENCE_IDLE_MS after it; an old client never', () => {
    const active = withActivity(false, T0, IDLE_MS);
    expect(active).toEqual({ idle: false, idleAt: T0 + IDLE_MS });
    expect(activityAt(active, T0 + IDLE_MS - 1)).toBe(active);
    expect(activityAt(active, T0 + IDLE_MS)).toEqual({ idle: true, idleAt: null });
    expect(activityAt(UNTRACKED, T0 + 100 * IDLE_MS)).toBe(UNTRACKED);
  });

  it('has no idle deadline once a connection said it is idle, and a new one when it is active again', () => {
    expect(withActivity(true, T0, IDLE_MS)).toEqual({ idle: true, idleAt: null });
    expect(withActivity(false, T0 + 9, IDLE_MS)).toEqual({ idle: false, idleAt: T0 + 9 + IDLE_MS });
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

  it('counts a status text in code points', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });

  it('is never available while every connection is idle at the time looked at, and always while one is active and nothing is chosen', () => {
    const activity: fc.Arbitrary<ConnectionActivity> = fc.oneof(
      fc.constant(UNTRACKED),
      fc.boolean().chain((idle) => fc.integer({ min: T0, max: T0 + IDLE_MS }).map((at) => withActivity(idle, at, IDLE_MS))),
    );
    fc.assert(
      fc.property(fc.array(activity, { minLength: 1, maxLength: 5 }), fc.integer({ min: T0, max: T0 + 3 * IDLE_MS }), (connections, now) => {
        const later = connections.map((c) => activityAt(c, now));
        const allIdle = later.every((c) => c.idle || (c.idleAt !== null && c.idleAt <= now));
        expect(availabilityOf(null, later)).toBe(allIdle ? 'away' : 'available');
        // What has gone idle stays idle, with no deadline left.
        for (const c of later) if (c.idle) expect(c.idleAt).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
