export type PresenceErrorCode = 'INVALID_PAYLOAD' | 'FORBIDDEN' | 'RATE_LIMITED' | 'UNAUTHORIZED' | 'INTERNAL';

/** A refusal with a stable code; each transport maps codes to its own answer once. */
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
