/**
 * Whether the client's connection is online on the service (connected, and its `userOnline` acked), with a way to
 * wait for it: a `setStatus` made while away is sent once the client is back.
 */
export class OnlineGate {
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private openNow = false;

  get isOpen(): boolean {
    return this.openNow;
  }

  open(): void {
    this.openNow = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  close(): void {
    this.openNow = false;
  }

  /** Ends every wait: the client is closed, or has gone offline for good. */
  fail(error: Error): void {
    this.openNow = false;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  wait(): Promise<void> {
    if (this.openNow) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}
