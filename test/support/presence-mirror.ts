import type { PresenceDiffPayload, PresenceStatePayload, WirePresenceUser } from '../../src/protocol/socket-events';
import type { TestSocket } from './socket-client';

/**
 * What a §7 client holds: the last state, with every later diff applied in seq order. It checks on the way that
 * seq never goes backwards, that a diff never comes before a state, and that an update is of a user it holds.
 */
export class PresenceMirror {
  readonly users = new Map<string, WirePresenceUser>();
  seq = -1;
  states = 0;
  diffs = 0;
  readonly problems: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(socket: TestSocket) {
    socket.on('presenceState', (state: PresenceStatePayload) => {
      if (state.seq < this.seq) this.problems.push(`state seq ${state.seq} after ${this.seq}`);
      this.users.clear();
      for (const u of state.users) this.users.set(String(u.userId), u);
      this.seq = state.seq;
      this.states += 1;
      this.wake();
    });
    socket.on('presenceDiff', (diff: PresenceDiffPayload) => {
      if (this.seq < 0) this.problems.push('diff before any state');
      if (diff.seq < this.seq) this.problems.push(`diff seq ${diff.seq} after ${this.seq}`);
      const named = [...diff.joins, ...diff.leaves, ...(diff.updates ?? [])].map((u) => String(u.userId));
      if (new Set(named).size !== named.length) this.problems.push(`a user in two of joins, leaves and updates at ${diff.seq}`);
      for (const u of diff.updates ?? []) {
        if (!this.users.has(String(u.userId))) this.problems.push(`an update of ${String(u.userId)}, not in the mirror, at ${diff.seq}`);
        this.users.set(String(u.userId), u);
      }
      for (const j of diff.joins) this.users.set(String(j.userId), j);
      for (const l of diff.leaves) this.users.delete(String(l.userId));
      this.seq = Math.max(this.seq, diff.seq);
      this.diffs += 1;
      this.wake();
    });
  }

  online(): string[] {
    return [...this.users.values()].filter((u) => u.status === 'online').map((u) => String(u.userId)).sort();
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`mirror never matched; online: ${JSON.stringify(this.online())}, seq ${this.seq}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
