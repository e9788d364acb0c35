import fc from 'fast-check';

/**
 * Who may see whom, restated from CONTRACT §9 as plainly as possible and independently of the service's code: the
 * leak test holds everything every viewer receives to it.
 */

export const TYPES = ['agent', 'client', 'admin'] as const;

/** Per viewer type: the types it sees, `*` for every user, or nothing (no rule). */
export type Rules = Partial<Record<string, '*' | readonly string[]>>;

/** A user of the population: its tenant (null with tenants off), its id, and the type its tokens carry. */
export interface PopulationUser {
  readonly tenant: string | null;
  readonly userId: string;
}

export interface ModelViewer {
  readonly backend: boolean;
  readonly tenant: string | null;
  readonly userId: string | null;
  readonly userType: string | null;
}

/** The rules as PRESENCE_VISIBILITY writes them. */
export function rulesText(rules: Rules): string {
  return Object.entries(rules)
    .filter((entry): entry is [string, '*' | readonly string[]] => entry[1] !== undefined && (entry[1] === '*' || entry[1].length > 0))
    .map(([viewer, seen]) => `${viewer}:${seen === '*' ? '*' : seen.join(',')}`)
    .join(';');
}

/** Whether `viewer` may be shown `user`, of type `userType` (null: none, or not known). */
export function sees(rules: Rules | null, viewer: ModelViewer, user: PopulationUser, userType: string | null): boolean {
  if (viewer.tenant !== user.tenant) return false;
  if (viewer.backend || rules === null) return true;
  if (viewer.userId === user.userId) return true;
  const seen = viewer.userType === null ? undefined : rules[viewer.userType];
  if (seen === undefined) return false;
  return seen === '*' || (userType !== null && seen.includes(userType));
}

/** Rules over the test's types: each viewer type sees everyone, some types, or has no rule; at least one rule. */
export const rulesArbitrary: fc.Arbitrary<Rules> = fc
  .record(
    Object.fromEntries(
      TYPES.map((type) => [type, fc.oneof(fc.constant(undefined), fc.constant('*' as const), fc.subarray([...TYPES], { minLength: 1 }))]),
    ) as Record<string, fc.Arbitrary<'*' | string[] | undefined>>,
  )
  .filter((rules) => rulesText(rules as Rules) !== '') as fc.Arbitrary<Rules>;
