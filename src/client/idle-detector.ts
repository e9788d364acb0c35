/**
 * Tells when the user at a page goes idle and comes back (CONTRACT §8 `userActivity`), from the page's input events,
 * in as few messages as the service needs: at most one `{ idle: false }` every `idleMs`/4 while the user is active,
 * at least one every `idleMs`/2 while input goes on (so the service, which counts a connection idle `idleMs` after
 * its last report, never times it out while the user is there), and one `{ idle: true }` on going idle.
 * It knows no DOM: the page's event targets, the clock and the timers are handed in, so a test drives it with fake
 * timers and a plain `EventTarget`.
 */

/** The part of `window` (or any element) the detector listens on. */
export interface InputSource {
  addEventListener(type: string, listener: () => void, options?: { readonly passive?: boolean; readonly capture?: boolean }): void;
  removeEventListener(type: string, listener: () => void, options?: { readonly capture?: boolean }): void;
}

/** The part of `document` the detector reads: `visibilitychange` and `visibilityState`. */
export interface PageVisibility extends InputSource {
  readonly visibilityState: string;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IdleDetectorOptions {
  /** The service's `PRESENCE_IDLE_MS`: after this long with no input the user is idle. */
  readonly idleMs: number;
  /** Sends `userActivity { idle }`; the caller drops it while not online (it calls `announce()` once online). */
  readonly report: (idle: boolean) => void;
  /** Where input arrives: `window` in a browser. */
  readonly inputs?: InputSource;
  /** `document` in a browser: a page that becomes visible again counts as input. */
  readonly page?: PageVisibility;
  readonly now?: () => number;
  readonly timers?: Timers;
}

/**
 * What shows that the user is there. Listened to in the capture phase (an app's `stopPropagation` does not hide
 * them) and passive (the detector never delays a scroll or a touch).
 */
export const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

const LISTEN = { passive: true, capture: true } as const;

// The globals are looked up at each call, not at load, so that timers a test fakes later are the ones used.
const globalTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class IdleDetector {
  private readonly now: () => number;
  private readonly timers: Timers;
  private idle = false;
  private lastInput: number;
  /** When `{ idle: false }` was last reported; undefined before the first. */
  private lastReport: number | undefined;
  /** Input came after the last report and was held back by the throttle. */
  private heldBack = false;
  private idleTimer: unknown;
  private flushTimer: unknown;
  private stopped = false;
  private idleMs: number;

  constructor(private readonly options: IdleDetectorOptions) {
    this.idleMs = options.idleMs;
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? globalTimers;
    // The page was just opened or the client just made: the user is there.
    this.lastInput = this.now();
    for (const type of INPUT_EVENTS) options.inputs?.addEventListener(type, this.onInput, LISTEN);
    options.page?.addEventListener('visibilitychange', this.onVisibility, LISTEN);
    this.idleTimer = this.timers.setTimeout(this.checkIdle, this.idleMs);
  }

  get isIdle(): boolean {
    return this.idle;
  }

  /** Reports the current state again and starts the throttle over: after each (re)connect, once online. */
  announce(): void {
    if (this.stopped) return;
    if (this.idle) this.options.report(true);
    else this.reportActive(this.now());
  }

  /** The service said what its `PRESENCE_IDLE_MS` is (in `userOnline`'s ack): idle and the throttle follow it from now. */
  useIdleMs(idleMs: number): void {
    if (this.stopped || idleMs === this.idleMs || !(idleMs > 0)) return;
    this.idleMs = idleMs;
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.idle ? undefined : this.timers.setTimeout(this.checkIdle, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const type of INPUT_EVENTS) this.options.inputs?.removeEventListener(type, this.onInput, LISTEN);
    this.options.page?.removeEventListener('visibilitychange', this.onVisibility, LISTEN);
    this.timers.clearTimeout(this.idleTimer);
    this.timers.clearTimeout(this.flushTimer);
    this.idleTimer = this.flushTimer = undefined;
  }

  /** Runs on every keystroke and pointer move: it only compares times, and sets a timer at most once a window. */
  private readonly onInput = (): void => {
    if (this.stopped) return;
    const now = this.now();
    this.lastInput = now;
    if (this.idle) {
      this.idle = false;
      this.reportActive(now);
      this.idleTimer = this.timers.setTimeout(this.checkIdle, this.idleMs);
      return;
    }
    const quarter = this.idleMs / 4;
    if (this.lastReport === undefined || now - this.lastReport >= quarter) {
      this.reportActive(now);
      return;
    }
    this.heldBack = true;
    // The held-back input goes out at idleMs/2 after the last report, unless more input sends it earlier: the
    // service's deadline (last report + idleMs) then stays after the client's own (last input + idleMs).
    this.flushTimer ??= this.timers.setTimeout(this.flush, this.lastReport + 2 * quarter - now);
  };

  private readonly onVisibility = (): void => {
    // Hidden, the page goes idle after idleMs like any other; shown again, the user is back.
    if (this.options.page?.visibilityState === 'visible') this.onInput();
  };

  private readonly flush = (): void => {
    this.flushTimer = undefined;
    if (this.heldBack && !this.idle && !this.stopped) this.reportActive(this.now());
  };

  /** Runs once per idleMs or so, not per input: it looks at the last input and waits again for what is left. */
  private readonly checkIdle = (): void => {
    this.idleTimer = undefined;
    if (this.stopped) return;
    const left = this.lastInput + this.idleMs - this.now();
    if (left > 0) {
      this.idleTimer = this.timers.setTimeout(this.checkIdle, left);
      return;
    }
    this.idle = true;
    this.heldBack = false;
    this.timers.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.options.report(true);
  };

  private reportActive(now: number): void {
    this.lastReport = now;
    this.heldBack = false;
    this.timers.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.options.report(false);
  }
}
