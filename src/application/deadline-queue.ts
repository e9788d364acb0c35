/**
 * Keys ordered by deadline: an indexed binary min-heap. Scheduling, rescheduling and removing a key cost
 * O(log n); listing what is due costs what is due, not what is queued.
 */
export class DeadlineQueue<K> {
  private readonly keys: K[] = [];
  private readonly deadlines: number[] = [];
  private readonly positions = new Map<K, number>();

  get size(): number {
    return this.keys.length;
  }

  /** Sets the key's deadline, or removes the key when the deadline is `undefined`. */
  schedule(key: K, deadline: number | undefined): void {
    if (deadline === undefined) {
      this.remove(key);
      return;
    }
    const at = this.positions.get(key);
    if (at === undefined) {
      this.keys.push(key);
      this.deadlines.push(deadline);
      this.positions.set(key, this.keys.length - 1);
      this.siftUp(this.keys.length - 1);
      return;
    }
    const previous = this.deadlines[at] as number;
    this.deadlines[at] = deadline;
    if (deadline < previous) this.siftUp(at);
    else this.siftDown(at);
  }

  remove(key: K): void {
    const at = this.positions.get(key);
    if (at === undefined) return;
    const last = this.keys.length - 1;
    this.swap(at, last);
    this.keys.pop();
    this.deadlines.pop();
    this.positions.delete(key);
    if (at < last) {
      this.siftUp(at);
      this.siftDown(at);
    }
  }

  /** The key with the earliest deadline, and that deadline; undefined when empty. */
  first(): { readonly key: K; readonly deadline: number } | undefined {
    return this.keys.length === 0 ? undefined : { key: this.keys[0] as K, deadline: this.deadlines[0] as number };
  }

  deadlineOf(key: K): number | undefined {
    const at = this.positions.get(key);
    return at === undefined ? undefined : this.deadlines[at];
  }

  /**
   * Up to `limit` keys whose deadline is at or before `now`, found by walking only the due part of the heap; keys in
   * `skip` are walked past but not listed.
   */
  due(now: number, limit: number, skip?: ReadonlySet<K>): K[] {
    const found: K[] = [];
    const pending = [0];
    while (pending.length > 0 && found.length < limit) {
      const i = pending.pop() as number;
      if (i >= this.keys.length || (this.deadlines[i] as number) > now) continue;
      const key = this.keys[i] as K;
      if (skip === undefined || !skip.has(key)) found.push(key);
      pending.push(2 * i + 2, 2 * i + 1);
    }
    return found;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.deadlines[parent] as number) <= (this.deadlines[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && (this.deadlines[left] as number) < (this.deadlines[smallest] as number)) smallest = left;
      if (right < n && (this.deadlines[right] as number) < (this.deadlines[smallest] as number)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    if (a === b) return;
    const ka = this.keys[a] as K;
    const kb = this.keys[b] as K;
    this.keys[a] = kb;
    this.keys[b] = ka;
    const da = this.deadlines[a] as number;
    this.deadlines[a] = this.deadlines[b] as number;
    this.deadlines[b] = da;
    this.positions.set(kb, a);
    this.positions.set(ka, b);
  }
}
