export interface RedisStoreSettings {
  /** How many transitions the transitions stream keeps (about). */
  readonly transitionsKept: number;
  /**
   * Whether a leave's entry names the user as shown before (`shown`): for the webhooks' reader, which was told
   * nothing. Off, entries are exactly those of 0.10, which hands every field of an entry on to its clients.
   */
  readonly namesLeaves?: boolean;
  /** How often an update is tried again when other nodes keep changing the same user. */
  readonly maxAttempts?: number;
  /**
   * How long one update may take, its reads, retries and commit together (REDIS_COMMAND_TIMEOUT_MS): past it, it
   * fails, and tries no more (a commit already sent may still land).
   */
  readonly updateTimeoutMs?: number;
}

/** An update that did not finish within `updateTimeoutMs`. */
export class RedisUpdateTimedOut extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not finish the update within ${timeoutMs} ms`);
    this.name = 'RedisUpdateTimedOut';
  }
}
