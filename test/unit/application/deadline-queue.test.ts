import fc from 'fast-check';
import { DeadlineQueue } from '../../../src/application/deadline-queue';

describe('DeadlineQueue', () => {
  it('lists exactly the keys that are due, under any sequence of schedules and removals', () => {
    const op = fc.oneof(
      fc.record({ key: fc.nat(30), deadline: fc.option(fc.nat(1_000), { nil: undefined }) }),
      fc.record({ key: fc.nat(30), remove: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.nat(1_000), (ops, now) => {
        const queue = new DeadlineQueue<number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if ('remove' in o) {
            queue.remove(o.key);
            model.delete(o.key);
          } else {
            queue.schedule(o.key, o.deadline);
            if (o.deadline === undefined) model.delete(o.key);
            else model.set(o.key, o.deadline);
          }
        }
        const due = [...model].filter(([, d]) => d <= now).map(([k]) => k);
        expect(queue.due(now, Number.MAX_SAFE_INTEGER).sort((a, b) => a - b)).toEqual(due.sort((a, b) => a - b));
        expect(queue.size).toBe(model.size);
        for (const [k, d] of model) expect(queue.deadlineOf(k)).toBe(d);
      }),
      { numRuns: 300 },
    );
  });

  it('stops at the limit', () => {
    const queue = new DeadlineQueue<string>();
    for (let i = 0; i < 10; i++) queue.schedule(`k${i}`, i);
    expect(queue.due(100, 3)).toHaveLength(3);
    expect(queue.due(4, 100).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });
});
