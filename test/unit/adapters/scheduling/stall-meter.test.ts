import { type LoopReadings, StallMeter, systemLoopReadings } from '../../../../src/adapters/scheduling/stall-meter';

/** An event loop whose clock and busy time move only when a test moves them. */
class HandLoop implements LoopReadings {
  private at = 1_000;
  private busy = 0;

  now(): number {
    return this.at;
  }

  busyMs(): number {
    return this.busy;
  }

  /** `ms` pass, `busyMs` of them with the loop busy. */
  pass(ms: number, busyMs: number): void {
    this.at += ms;
    this.busy += busyMs;
  }
}

const WINDOW = 3_000;

function started(): { loop: HandLoop; meter: StallMeter } {
  const loop = new HandLoop();
  const meter = new StallMeter(WINDOW, loop);
  meter.start();
  return { loop, meter };
}

describe('StallMeter', () => {
  it('allows nothing while the loop keeps up, its ordinary jitter included', () => {
    const { loop, meter } = started();
    for (let i = 0; i < 100; i++) {
      loop.pass(1_000, 300);
      expect(meter.record(i % 2 === 0 ? 2 : 40)).toBe(0);
    }
  });

  it('counts a noticeably late sweep for the busy time before it, since the hold-up may have begun before the sweep was due', () => {
    const { loop, meter } = started();
    loop.pass(1_000, 100);
    expect(meter.record(0)).toBe(0);
    loop.pass(1_400, 800);
    expect(meter.record(400)).toBe(800);
  });

  it('counts a late sweep at least for its lateness', () => {
    const { loop, meter } = started();
    loop.pass(1_300, 0);
    expect(meter.record(300)).toBe(300);
  });

  it('counts a saturated stretch wholly, and one below saturation not at all', () => {
    const { loop, meter } = started();
    loop.pass(1_000, 950);
    expect(meter.record(0)).toBe(1_000);
    loop.pass(1_000, 850);
    expect(meter.record(0)).toBe(1_000);
  });

  it('judges saturation over a noticeable stretch, so that a sustained overload counts however often the sweep runs', () => {
    const { loop, meter } = started();
    for (let i = 0; i < 4; i++) {
      loop.pass(10, 10);
      expect(meter.record(0)).toBe(0);
    }
    loop.pass(10, 10);
    expect(meter.record(0)).toBe(50);
    for (let i = 0; i < 10; i++) {
      loop.pass(10, 10);
      meter.record(0);
    }
    loop.pass(10, 10);
    expect(meter.record(0)).toBeGreaterThanOrEqual(100);
  });

  it('drains the allowance as the stalls leave the window', () => {
    const { loop, meter } = started();
    loop.pass(1_500, 500);
    expect(meter.record(500)).toBe(500);
    loop.pass(1_000, 100);
    expect(meter.record(0)).toBe(500);
    loop.pass(1_000, 100);
    expect(meter.record(2)).toBe(500);
    loop.pass(999, 100);
    expect(meter.record(2)).toBe(500);
    loop.pass(1, 0);
    expect(meter.record(2)).toBe(0);
  });

  it('sums the stalls within the window', () => {
    const { loop, meter } = started();
    loop.pass(1_200, 200);
    expect(meter.record(200)).toBe(200);
    loop.pass(1_000, 950);
    expect(meter.record(0)).toBe(1_200);
    loop.pass(1_000, 300);
    expect(meter.record(300)).toBe(1_500);
  });

  it('keeps bounded memory, and an allowance below the window plus a stretch, through an overload of any length', () => {
    const { loop, meter } = started();
    let allowance = 0;
    for (let i = 0; i < 20_000; i++) {
      loop.pass(1, 1);
      allowance = meter.record(0);
    }
    expect(allowance).toBeGreaterThan(WINDOW / 2);
    expect(allowance).toBeLessThanOrEqual(WINDOW + WINDOW / 64 + 50);
    expect(meter['slots'].length).toBeLessThanOrEqual(66);
  });

  it('counts nothing from before it started', () => {
    const loop = new HandLoop();
    const meter = new StallMeter(WINDOW, loop);
    loop.pass(5_000, 5_000);
    meter.start();
    loop.pass(1_000, 0);
    expect(meter.record(0)).toBe(0);
  });

  it("reads this process's event loop: a busy wait shows as busy time", () => {
    const before = systemLoopReadings.busyMs();
    const start = systemLoopReadings.now();
    while (systemLoopReadings.now() - start < 60);
    expect(systemLoopReadings.busyMs() - before).toBeGreaterThanOrEqual(50);
  });
});
