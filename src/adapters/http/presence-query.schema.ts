import type { ParsedUrlQuery } from 'node:querystring';
import { availabilities, type Availability } from '../../domain/availability';
import type { UserKey } from '../../domain/presence.types';
import { isWellFormed, MAX_ID_LENGTH, WELL_FORMED_MESSAGE } from '../validation/user-id.schema';
import { invalidRequest } from './http-error';
import { decodeCursor } from './presence-cursor';

export const DEFAULT_LIMIT = 1_000;
export const MAX_LIMIT = 10_000;
export const MAX_USER_IDS = 1_000;
export const MAX_USER_TYPES = 100;

export interface PresenceListQuery {
  readonly userIds?: readonly string[];
  readonly userTypes?: readonly string[];
  readonly availabilities?: readonly Availability[];
  readonly limit: number;
  readonly after?: UserKey;
}

const known = new Set(['userId', 'userType', 'availability', 'limit', 'cursor']);

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const values = asList(query[name]);
  if (values.length > 1) throw invalidRequest(`${name}: give it once`);
  return values[0];
}

/** What is wrong with an id given in a query or a path, if anything. */
function idProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_ID_LENGTH) return `must be 1 to ${MAX_ID_LENGTH} characters`;
  return isWellFormed(value) ? undefined : WELL_FORMED_MESSAGE;
}

function ids(query: ParsedUrlQuery, name: string, most: number): string[] | undefined {
  const values = asList(query[name]);
  if (values.length === 0) return undefined;
  if (values.length > most) throw invalidRequest(`${name}: at most ${most} values`);
  for (const value of values) {
    const problem = idProblem(value);
    if (problem !== undefined) throw invalidRequest(`${name}: each ${problem}`);
  }
  return values;
}

/** CONTRACT §8's filter: each one of the availabilities, once or more. */
function availabilitiesOf(query: ParsedUrlQuery): Availability[] | undefined {
  const values = asList(query['availability']);
  if (values.length === 0) return undefined;
  const known: readonly string[] = availabilities;
  const bad = values.find((value) => !known.includes(value));
  if (bad !== undefined) throw invalidRequest(`availability: must be one of ${availabilities.join(', ')}`);
  if (values.length > availabilities.length) throw invalidRequest(`availability: at most ${availabilities.length} values`);
  return [...new Set(values as Availability[])];
}

/** `GET /presence`'s query, checked: unknown parameters, bad bounds and a malformed cursor are 400s. */
export function parsePresenceListQuery(query: ParsedUrlQuery): PresenceListQuery {
  const unknown = Object.keys(query).filter((name) => !known.has(name));
  if (unknown.length > 0) throw invalidRequest(`unknown parameter ${unknown.join(', ')}; known: ${[...known].join(', ')}`);

  const rawLimit = single(query, 'limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\d{1,6}$/.test(rawLimit)) throw invalidRequest(`limit: must be a whole number from 1 to ${MAX_LIMIT}`);
    limit = Number(rawLimit);
    if (limit < 1 || limit > MAX_LIMIT) throw invalidRequest(`limit: must be from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  const cursor = single(query, 'cursor');
  return {
    userIds: ids(query, 'userId', MAX_USER_IDS),
    userTypes: ids(query, 'userType', MAX_USER_TYPES),
    availabilities: availabilitiesOf(query),
    limit,
    after: cursor === undefined ? undefined : decodeCursor(cursor),
  };
}

/** `GET /presence/{userId}`'s user. */
export function parseUserIdParam(value: string | undefined): string {
  const problem = value === undefined ? `must be 1 to ${MAX_ID_LENGTH} characters` : idProblem(value);
  if (value === undefined || problem !== undefined) throw invalidRequest(`userId: ${problem}`);
  return value;
}
