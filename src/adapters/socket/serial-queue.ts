/**
 * Runs tasks one after another, so that one connection's events reach the store in the order they were sent.
 * A task given while nothing is running starts at once: most events find their connection idle, and chaining
 * them onto a settled promise would only cost a turn of the microtask queue and two promises each.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Tasks given and not yet settled. */
  private unsettled = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.unsettled === 0 ? startNow(task) : this.tail.then(task, task);
    this.unsettled += 1;
    this.tail = result.then(this.settled, this.settled);
    return result;
  }

  private readonly settled = (): void => {
    this.unsettled -= 1;
  };
}

function startNow<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
