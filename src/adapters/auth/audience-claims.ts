import { isWellFormed, MAX_ID_LENGTH } from '../validation/user-id.schema';

/** The `scope` that makes a REST token a backend: it sees every user of its tenant (CONTRACT §9). */
export const BACKEND_SCOPE = 'presence:read:all';

/** Which claims name a token's tenant and its user's type; `null` when the deployment does not use them. */
export interface AudienceClaimNames {
  readonly tenant: string | null;
  readonly userType: string | null;
}

/** What a token says of its audience: its tenant, its user's type, and whether it reads as a backend. */
export interface AudienceClaims {
  readonly tenant: string | null;
  readonly userType: string | null;
  readonly backend: boolean;
}

/** A claim that cannot be what it names. */
export class InvalidAudienceClaim extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidAudienceClaim';
  }
}

/** A tenant or a type as a token may give it: a well-formed string of 1 to 128 characters. */
const isName = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && isWellFormed(value);

/**
 * Reads a verified token's audience claims. With a tenant claim named, a token must carry a valid one: one without is
 * refused like a bad token, never taken for "no tenant". A type claim may be missing (a user of no type), not
 * malformed. `scope` is space-separated, as OAuth writes it.
 */
export function audienceClaimsOf(claims: Readonly<Record<string, unknown>>, names: AudienceClaimNames): AudienceClaims {
  let tenant: string | null = null;
  if (names.tenant !== null) {
    const value = claims[names.tenant];
    if (!isName(value)) throw new InvalidAudienceClaim(`claim ${names.tenant} is missing or not a tenant`);
    tenant = value;
  }
  let userType: string | null = null;
  if (names.userType !== null && claims[names.userType] !== undefined) {
    const value = claims[names.userType];
    if (!isName(value)) throw new InvalidAudienceClaim(`claim ${names.userType} is not a user type`);
    userType = value;
  }
  const scope = claims['scope'];
  const backend = typeof scope === 'string' && scope.split(' ').includes(BACKEND_SCOPE);
  return { tenant, userType, backend };
}
