/**
 * The names README snippets use without defining them, as real as they can be: `io` is socket.io-client's (each
 * socket recorded), `token` a real JWT for `currentUser` when the service wants one, `render`, `console.log` and
 * `onLogout` record their calls, `setInterval` records its timers for the test to fire by hand. A snippet that
 * needs a new name gets it here.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { SnippetService } from './snippet-service';

/** Every call of a stand-in, kept, with a way to wait for one that matches, made already or still to come. */
export class CallLog {
  readonly calls: unknown[][] = [];
  private readonly waiters = new Set<() => void>();

  readonly record = (...args: unknown[]): void => {
    this.calls.push(args);
    for (const wake of [...this.waiters]) wake();
  };

  /** The first call from the `since`-th on that matches. */
  find(match: (args: unknown[]) => boolean, timeoutMs = 5_000, since = 0): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.calls.slice(since).find(match);
        if (hit === undefined) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching call within ${timeoutMs} ms; calls: ${JSON.stringify(this.calls)}`));
      }, timeoutMs);
      this.waiters.add(wake);
      check();
    });
  }
}

export interface SnippetStandIns {
  /** What the snippet is given, by name. */
  readonly names: Readonly<Record<string, unknown>>;
  readonly currentUser: { readonly id: number; readonly name: string };
  /** Every socket the snippet made with `io`, and the `socket` stand-in (made, not connected) first. */
  readonly sockets: Socket[];
  /** The `socket` a snippet uses when it continues one made earlier: not connected until the test connects it. */
  readonly socket: Socket;
  /** Every `presenceError` and `connect_error` any of those sockets got. */
  readonly refusals: unknown[];
  readonly rendered: CallLog;
  readonly logged: CallLog;
  readonly intervals: ReadonlyArray<{ readonly ms: number }>;
  readonly logoutHandlers: ReadonlyArray<() => unknown>;
  /** Runs every timer the snippet set with `setInterval` once, as if its interval had passed. */
  fireIntervals(): void;
  close(): void;
}

export function snippetStandIns(service: SnippetService): SnippetStandIns {
  const currentUser = { id: 42, name: 'Ada' };
  const token = service.token(currentUser.id);
  const sockets: Socket[] = [];
  const refusals: unknown[] = [];
  const recordingIo = (url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Socket => {
    const socket = io(url, options);
    sockets.push(socket);
    socket.on('presenceError', (error: unknown) => refusals.push({ presenceError: error }));
    socket.on('connect_error', (error: Error) => refusals.push({ connect_error: error.message }));
    return socket;
  };
  const rendered = new CallLog();
  const logged = new CallLog();
  const intervals: Array<{ ms: number; callback: () => void; cleared: boolean }> = [];
  const logoutHandlers: Array<() => unknown> = [];
  const socket = recordingIo(service.app.url, { autoConnect: false, forceNew: true, auth: token === undefined ? {} : { token } });
  return {
    names: {
      io: recordingIo,
      token,
      currentUser,
      auth: { currentAccessToken: () => token },
      render: rendered.record,
      console: { log: logged.record, info: logged.record, warn: logged.record, error: logged.record },
      setInterval: (callback: () => void, ms: number) => intervals.push({ ms, callback, cleared: false }),
      clearInterval: (id: number) => {
        const timer = intervals[id - 1];
        if (timer) timer.cleared = true;
      },
      onLogout: (handler: () => unknown) => logoutHandlers.push(handler),
      socket,
    },
    currentUser,
    sockets,
    socket,
    refusals,
    rendered,
    logged,
    intervals,
    logoutHandlers,
    fireIntervals: () => {
      for (const timer of intervals) if (!timer.cleared) timer.callback();
    },
    close: () => {
      for (const s of sockets) s.disconnect();
    },
  };
}
