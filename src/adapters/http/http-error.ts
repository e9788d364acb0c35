import { PresenceError } from '../../domain/presence.errors';
import type { components } from './generated/openapi.types';

export type HttpErrorCode = components['schemas']['Error']['error']['code'];

/** An answer other than success: its status, the contract's code, and a message fit for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const invalidRequest = (message: string): HttpError => new HttpError(400, 'INVALID_REQUEST', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'NOT_FOUND', message);
export const unauthorized = (): HttpError => new HttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required');

/** Any error as the answer it becomes: 4xx say what is wrong, 5xx say nothing (and are logged by the caller). */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof PresenceError && error.code === 'INVALID_PAYLOAD') return invalidRequest(error.message);
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 401) return unauthorized();
  if (status === 404) return notFound('not found');
  if (typeof status === 'number' && status >= 400 && status < 500) return invalidRequest('the request is malformed');
  return new HttpError(500, 'INTERNAL', 'internal error');
}
