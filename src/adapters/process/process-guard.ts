import type { Logger } from 'pino';

export type ProcessErrorKind = 'uncaught_exception' | 'unhandled_rejection';
export type BackendName = 'redis' | 'postgres';
export type ErrorSource = BackendName | 'other';

/** The client libraries of each backend, as their files show on a stack. */
const BACKEND_LIBRARIES: ReadonlyArray<readonly [BackendName, RegExp]> = [
  ['redis', /[\\/]node_modules[\\/](ioredis|redis-parser|redis-errors|@socket\.io[\\/]redis-streams-adapter)[\\/]/],
  ['postgres', /[\\/]node_modules[\\/](pg|pg-protocol|pg-pool)[\\/]/],
];

const NODE_INTERNAL = /\(node:|^at node:|\(<anonymous>\)/;

/**
 * The backend whose client library threw or created an error, from the first frame of its stack outside Node itself:
 * an error our own code threw is ours, even when a library called that code.
 */
export function sourceOf(error: unknown): ErrorSource {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const thrower = stack
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('at ') && !NODE_INTERNAL.test(line));
  if (thrower === undefined) return 'other';
  return BACKEND_LIBRARIES.find(([, files]) => files.test(thrower))?.[0] ?? 'other';
}

export interface ProcessGuardDeps {
  readonly logger: Logger;
  count(kind: ProcessErrorKind, source: ErrorSource): void;
  /** Drops a backend's connections so that new ones replace them. */
  readonly reset: { readonly [backend in BackendName]?: () => void };
  exit(code: number): void;
}

/** What of an error goes to the log: never its other properties (a command's arguments, a connection's settings). */
const summary = (error: unknown): object =>
  error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : { type: typeof error };

/**
 * The process's last line against errors nothing handled. Each is logged and counted. One thrown inside a backend's
 * client library (a reply it could not handle, on a path no connection guard covers) is survived: that backend's
 * connections are reset, since they may be mid-reply, and the service goes on; a rejection such a library created is
 * only logged. Any other is not survived: Node cannot say what state an arbitrary exception left behind, so the
 * process exits 1 and its orchestrator starts a new one, as Node's own default would (without our log and count).
 */
export class ProcessGuard {
  constructor(private readonly deps: ProcessGuardDeps) {}

  install(target: NodeJS.Process): void {
    target.on('uncaughtException', (error) => this.handle('uncaught_exception', error));
    target.on('unhandledRejection', (reason) => this.handle('unhandled_rejection', reason));
  }

  handle(kind: ProcessErrorKind, error: unknown): void {
    const { logger, count, reset, exit } = this.deps;
    const source = sourceOf(error);
    count(kind, source);
    if (source === 'other') {
      logger.fatal({ error: summary(error), kind }, 'an error nothing handled: exiting');
      exit(1);
      return;
    }
    logger.error({ error: summary(error), kind, backend: source }, `the ${source} client failed outside any request; the service goes on`);
    if (kind === 'uncaught_exception') reset[source]?.();
  }
}
