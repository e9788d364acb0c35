/** Why a bounded read gave up: it waited for a slot or an answer longer than its time limit. */
export class ReadTimedOut extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'ReadTimedOut';
  }
}

export interface BoundedReadSettings {
  /** How long a read may take, its wait for a slot included. */
  readonly timeoutMs: number;
  /** Reads let through at once; a read given up on keeps its slot until it settles, so a hung backend is not flooded. */
  readonly maxInFlight: number;
}

/**
 * Reads of a backend that may hang, each within a time limit and never more than a few at once. Reads waiting for a
 * slot leave the queue when their time is up, so the queue is bounded by the rate of reads times the limit.
 */
export class BoundedRead {
  private inFlight = 0;
  private readonly queue = new Set<() => void>();

  constructor(private readonly settings: BoundedReadSettings) {}

  run<T>(read: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.queue.delete(start);
        reject(new ReadTimedOut(this.settings.timeoutMs));
      }, this.settings.timeoutMs);
      timer.unref();
      const start = (): void => {
        this.queue.delete(start);
        this.inFlight += 1;
        const settle = (): void => {
          this.inFlight -= 1;
          this.next();
        };
        read().then(
          (value) => {
            clearTimeout(timer);
            settle();
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            settle();
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      };
      this.queue.add(start);
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.settings.maxInFlight) return;
    const [first] = this.queue;
    first?.();
  }
}
