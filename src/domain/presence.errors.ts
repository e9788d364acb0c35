/**
 * The rules of the domain a request can break: a request that names no valid user, and one that speaks for a user
 * other than its connection's. Transport refusals (rate limits, expired tokens, failures) are not here: they are the
 * protocol's `RefusalCode`s, and each transport maps these codes to its own answer once.
 */
export const presenceErrorCodes = ['INVALID_PAYLOAD', 'FORBIDDEN'] as const;
export type PresenceErrorCode = (typeof presenceErrorCodes)[number];

/** A broken rule, with a stable code and a message fit for the client. */
export class PresenceError extends Error {
  constructor(
    readonly code: PresenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PresenceError';
  }
}

export const invalidPayload = (message: string): PresenceError => new PresenceError('INVALID_PAYLOAD', message);

export const forbidden = (message: string): PresenceError => new PresenceError('FORBIDDEN', message);
