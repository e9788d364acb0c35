import { Counter } from 'prom-client';

/** What went wrong: a backend reply that could not be handled (caught at its connection), or what reached the process. */
export type ProcessErrorKind = 'malformed_reply' | 'uncaught_exception' | 'unhandled_rejection';
type ProcessErrorSource = 'redis' | 'postgres' | 'other';

/**
 * `presence_process_errors_total{kind,source}`: errors that could have ended the process. A counter of its own,
 * outside PresenceMetrics, because the backend connections count into it and PresenceMetrics reads from them.
 */
export class ProcessErrors {
  readonly counter = new Counter({
    name: 'presence_process_errors_total',
    help: 'Errors that could have ended the process: malformed backend replies (the connection is reset), uncaught exceptions and unhandled rejections, by source.',
    labelNames: ['kind', 'source'] as const,
    registers: [],
  });

  count(kind: ProcessErrorKind, source: ProcessErrorSource): void {
    this.counter.inc({ kind, source });
  }
}
