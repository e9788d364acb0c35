/**
 * Runs tasks one after another, so that one connection's events reach the store in the order they were sent.
 * A task given while nothing is running starts at once: most events find their connection idle, and chaining
 * them onto a settled promise would only cost a turn of the microtask queue and two promises each.
 */
export class SerialQueue {
  /**
   * Settles after the last task given; let go of once idle, since a promise kept until the connection's next event
   * would outlive a young-generation collection and be promoted, once per event.
   */
  private tail: Promise<unknown> | undefined;
  /** Tasks given and not yet settled. */
  private unsettled = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail === undefined ? startNow(task) : this.tail.then(task, task);
    this.unsettled += 1;
    this.tail = result.then(this.settled, this.settled);
    return result;
  }

  private readonly settled = (): void => {
    this.unsettled -= 1;
    if (this.unsettled === 0) this.tail = undefined;
  };
}

function startNow<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
