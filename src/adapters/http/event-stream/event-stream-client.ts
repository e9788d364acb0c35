import type { Writable } from 'node:stream';
import type { Viewer } from '../../../domain/audience';

export interface EventStreamLimits {
  /** Unsent output a stream may hold; past it the consumer is too slow, and its stream ends (it resumes by its cursor). */
  readonly maxBufferedBytes: number;
  /** A comment line at least this often keeps an idle stream open through proxies. */
  readonly keepAliveMs: number;
}

/**
 * One consumer of `GET /presence-events`: what it may see, and its response. Until its start (a snapshot or a replay)
 * is written, live events wait in order; afterwards each goes out at once, unless it is at or below what the start
 * already covered. A consumer that does not read is ended, never buffered for.
 */
export class EventStreamClient {
  private waiting: Array<{ seq: number; frame: string }> | undefined = [];
  private coveredTo = 0;
  private readonly keepAlive: NodeJS.Timeout;
  private expiry: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly viewer: Viewer,
    private readonly out: Writable,
    private readonly limits: EventStreamLimits,
    private readonly onEnd: (client: EventStreamClient) => void,
  ) {
    this.keepAlive = setInterval(() => this.write(':\n\n'), limits.keepAliveMs);
    this.keepAlive.unref();
    out.once('close', () => this.end());
  }

  /** Ends the stream when its token does (ms since the epoch). */
  endAt(instant: number): void {
    this.expiry = setTimeout(() => this.end(), Math.max(0, instant - Date.now()));
    this.expiry.unref();
  }

  /** A live event the viewer may see. */
  send(seq: number, frame: string): void {
    if (this.waiting !== undefined) this.waiting.push({ seq, frame });
    else if (seq > this.coveredTo) this.write(frame);
  }

  /** The start is written, current to `seq`: what waited after it goes out, and the stream is live. */
  started(start: string, seq: number): void {
    this.coveredTo = seq;
    this.write(start);
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    for (const event of waiting) if (event.seq > seq) this.write(event.frame);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    clearTimeout(this.expiry);
    this.onEnd(this);
    this.out.end();
  }

  private write(text: string): void {
    if (this.ended) return;
    if (this.out.writableLength > this.limits.maxBufferedBytes) {
      this.out.destroy();
      this.end();
      return;
    }
    this.out.write(text);
  }
}
