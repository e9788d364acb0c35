import type { Logger } from 'pino';
import type { ToldPresence, TransitionSink } from '../../domain/ports/transition-feed.port';
import { closeRedis, type PresenceRedis } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { checked } from './redis-reply.guard';
import { readEntries, streamEntries } from './redis-replies';
import { decodeTransition } from './stored-transition.codec';

/**
 * Reads the shared transitions stream, in order, and hands each transition to this node's delivery, as the
 * in-memory store hands its own as it commits them. A jump in seq (entries trimmed away while this node could not
 * read, or Redis lost its data) is reported as a gap, so that the node can reconcile its clients with the store.
 */
export class RedisTransitionFeed {
  private lastId = '$';
  private running = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private seq = 0;

  constructor(
    private readonly redis: PresenceRedis,
    private readonly keys: RedisKeys,
    private readonly sink: TransitionSink & ToldPresence,
    private readonly logger: Logger,
  ) {}

  /** The highest seq delivered so far. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Starts after the stream's current end: what is already in it is in the store too. */
  async start(): Promise<void> {
    const last = await this.redis
      .xrevrange(this.keys.transitions, '+', '-', 'COUNT', 1)
      .then((reply) => checked(this.redis, reply, streamEntries))
      .catch(() => []);
    const [id, fields] = last[0] ?? [];
    if (id !== undefined) {
      this.lastId = id;
      this.seq = Number(fields?.[fields.indexOf('seq') + 1] ?? 0);
    } else {
      this.lastId = '0-0';
    }
    // Stopped while Redis was still being waited for (a start with Redis down, then a shutdown): read nothing.
    if (this.stopped) return;
    this.running = true;
    this.loop = this.readLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    closeRedis(this.redis);
    await this.loop;
  }

  private async readLoop(): Promise<void> {
    while (this.running) {
      try {
        const reply = await this.redis.xread('COUNT', 500, 'BLOCK', 1_000, 'STREAMS', this.keys.transitions, this.lastId);
        for (const [id, fields] of checked(this.redis, reply, readEntries)) {
          this.lastId = id;
          this.accept(fields);
        }
      } catch (error) {
        if (!this.running) return;
        this.logger.warn({ err: error }, 'reading presence transitions failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private accept(fields: readonly string[]): void {
    const value = (name: string): string | undefined => fields[fields.indexOf(name) + 1];
    const seq = Number(value('seq'));
    const json = value('transition');
    if (json === undefined || !Number.isFinite(seq)) return;
    if (this.seq > 0 && seq !== this.seq + 1) this.sink.gap(seq - 1);
    this.seq = Math.max(this.seq, seq);
    // Decoded before it is handed on: a leave takes the state it left from what this node's consumers were told.
    const transition = decodeTransition(json, seq, this.sink);
    if (transition !== undefined) this.sink.publish(transition);
  }
}
