import fc from 'fast-check';
import { IdleDetector, INPUT_EVENTS } from '../../../src/client/idle-detector';

const IDLE_MS = 600_000;
const QUARTER = IDLE_MS / 4;
const HALF = IDLE_MS / 2;

interface Report {
  readonly at: number;
  readonly idle: boolean;
}

/** A detector on a plain EventTarget for input and one for the page, with every report and the time it went out. */
function detectorOnFakePage(idleMs = IDLE_MS) {
  const start = Date.now();
  const reports: Report[] = [];
  const inputs = new EventTarget();
  const page = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const detector = new IdleDetector({ idleMs, inputs, page, now: () => Date.now(), report: (idle) => reports.push({ at: Date.now() - start, idle }) });
  return {
    detector,
    reports,
    key: (type: string = 'keydown') => inputs.dispatchEvent(new Event(type)),
    show: (visibilityState: 'visible' | 'hidden') => {
      page.visibilityState = visibilityState;
      page.dispatchEvent(new Event('visibilitychange'));
    },
  };
}

const gapsOf = (reports: readonly Report[]): number[] => reports.slice(1).map((r, i) => r.at - (reports[i] as Report).at);

describe('the idle detector (CONTRACT §8 userActivity)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('reports a user typing for two hours between idleMs/4 and idleMs/2 apart, never once per keystroke', () => {
    const page = detectorOnFakePage();
    page.detector.announce();
    let keystrokes = 0;
    for (let t = 0; t < 2 * 3_600_000; t += 700) {
      page.key(keystrokes % 3 === 0 ? 'pointermove' : 'keydown');
      keystrokes += 1;
      jest.advanceTimersByTime(700);
    }
    page.detector.stop();
    expect(page.reports.every((r) => !r.idle)).toBe(true);
    for (const gap of gapsOf(page.reports)) {
      expect(gap).toBeGreaterThanOrEqual(QUARTER);
      expect(gap).toBeLessThanOrEqual(HALF);
    }
    expect(page.reports.length).toBeLessThanOrEqual(1 + (2 * 3_600_000) / QUARTER);
    expect(page.reports.length).toBeGreaterThanOrEqual((2 * 3_600_000) / HALF);
    expect(keystrokes).toBeGreaterThan(100 * page.reports.length);
  });

  it('sends input held back by the throttle at idleMs/2 after the last report, then one idle when input stops', () => {
    const page = detectorOnFakePage();
    page.detector.announce();
    for (let i = 0; i < 30; i += 1) {
      jest.advanceTimersByTime(1_000);
      page.key();
    }
    jest.advanceTimersByTime(3 * IDLE_MS);
    expect(page.reports).toEqual([
      { at: 0, idle: false },
      { at: HALF, idle: false },
      { at: 30_000 + IDLE_MS, idle: true },
    ]);
  });

  it('goes idle once, idleMs after the last input, and says nothing more while nobody is there', () => {
    const page = detectorOnFakePage();
    page.detector.announce();
    jest.advanceTimersByTime(QUARTER + 10_000);
    page.key('wheel');
    jest.advanceTimersByTime(5 * IDLE_MS);
    expect(page.reports).toEqual([
      { at: 0, idle: false },
      { at: QUARTER + 10_000, idle: false },
      { at: QUARTER + 10_000 + IDLE_MS, idle: true },
    ]);
    expect(page.detector.isIdle).toBe(true);
  });

  it('reports the user back at the first input after going idle', () => {
    const page = detectorOnFakePage();
    jest.advanceTimersByTime(IDLE_MS + 5_000);
    page.key('touchstart');
    page.key('touchstart');
    expect(page.reports).toEqual([
      { at: IDLE_MS, idle: true },
      { at: IDLE_MS + 5_000, idle: false },
    ]);
    expect(page.detector.isIdle).toBe(false);
  });

  it('lets a hidden page go idle after idleMs like any other, and counts it shown again as the user back', () => {
    const page = detectorOnFakePage();
    page.detector.announce();
    page.show('hidden');
    jest.advanceTimersByTime(IDLE_MS);
    expect(page.reports).toEqual([
      { at: 0, idle: false },
      { at: IDLE_MS, idle: true },
    ]);
    jest.advanceTimersByTime(60_000);
    page.show('visible');
    expect(page.reports[2]).toEqual({ at: IDLE_MS + 60_000, idle: false });
    expect(page.reports).toHaveLength(3);
  });

  it('says the current state again on announce (after a reconnect), and starts the throttle window over', () => {
    const page = detectorOnFakePage();
    jest.advanceTimersByTime(QUARTER + 1);
    page.detector.announce();
    page.key();
    expect(page.reports).toEqual([{ at: QUARTER + 1, idle: false }]);
    jest.advanceTimersByTime(2 * IDLE_MS);
    page.detector.announce();
    expect(page.reports.slice(-2)).toEqual([
      { at: QUARTER + 1 + IDLE_MS, idle: true },
      { at: QUARTER + 1 + 2 * IDLE_MS, idle: true },
    ]);
  });

  it('listens passively in the capture phase, and leaves no listener or timer once stopped', () => {
    const added: Array<{ type: string; options: unknown }> = [];
    const removed: string[] = [];
    const target = {
      visibilityState: 'visible',
      addEventListener: (type: string, _listener: () => void, options?: unknown) => added.push({ type, options }),
      removeEventListener: (type: string) => removed.push(type),
    };
    const detector = new IdleDetector({ idleMs: IDLE_MS, inputs: target, page: target, report: () => undefined });
    expect(added.map((a) => a.type).sort()).toEqual([...INPUT_EVENTS, 'visibilitychange'].sort());
    expect(added.every((a) => JSON.stringify(a.options) === JSON.stringify({ passive: true, capture: true }))).toBe(true);
    expect(jest.getTimerCount()).toBe(1);
    detector.stop();
    expect(removed.sort()).toEqual([...INPUT_EVENTS, 'visibilitychange'].sort());
    expect(jest.getTimerCount()).toBe(0);
  });

  it('for any input pattern: reports at least idleMs/4 apart, each input reported within idleMs/2, idle exactly idleMs after the last input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1.3 * IDLE_MS }), { maxLength: 80 }), (gaps) => {
        const page = detectorOnFakePage();
        page.detector.announce();
        const inputs: number[] = [];
        let at = 0;
        for (const gap of gaps) {
          jest.advanceTimersByTime(gap);
          at += gap;
          inputs.push(at);
          page.key();
        }
        jest.advanceTimersByTime(2 * IDLE_MS);
        page.detector.stop();

        const actives = page.reports.filter((r) => !r.idle);
        for (const gap of gapsOf(actives)) expect(gap).toBeGreaterThanOrEqual(QUARTER);
        // So the service, which counts a connection idle idleMs after its last report, never does so before the client.
        for (const input of inputs) expect(actives.some((r) => r.at >= input && r.at <= input + HALF)).toBe(true);
        page.reports.forEach((report, i) => {
          const previous = page.reports[i - 1];
          if (report.idle) {
            expect(previous?.idle).not.toBe(true);
            const lastInput = Math.max(0, ...inputs.filter((t) => t < report.at));
            expect(report.at).toBe(lastInput + IDLE_MS);
          }
        });
        expect(page.reports.at(-1)?.idle).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
