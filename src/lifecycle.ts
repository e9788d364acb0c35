/** A part of the running service with something to start and stop (timers, connections, readers). */
export interface Lifecycle {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}
