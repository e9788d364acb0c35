import fc from 'fast-check';
import { rulesArbitrary, rulesText as rulesTextOf, TYPES, type PopulationUser, type Rules } from './audience-model';

/**
 * A random population for the leak test (CONTRACT §9): tenants or not, visibility rules or not, users (the same id
 * in two tenants among them), connections with tokens of their own (a user's two connections may carry two types,
 * so its type changes when the second announces), each a §1 client or a §7 subscriber of some scope, and what they do.
 */

export type ConnectionMode =
  | { readonly kind: 'events' }
  | { readonly kind: 'subscribe'; readonly userIds?: readonly string[]; readonly userTypes?: readonly string[] };

export interface ConnectionSpec {
  /** Index into the users. */
  readonly user: number;
  /** The token's type claim (null: none). */
  readonly type: string | null;
  readonly mode: ConnectionMode;
  /** A connection that never announces only watches. */
  readonly announces: boolean;
  /** Index into the nodes. */
  readonly node: number;
}

export type ScenarioAction = { readonly kind: 'online' | 'offline' | 'close'; readonly connection: number };

export interface Scenario {
  readonly tenantsOn: boolean;
  readonly rules: Rules | null;
  readonly users: readonly PopulationUser[];
  readonly connections: readonly ConnectionSpec[];
  readonly actions: readonly ScenarioAction[];
}

const TENANTS = ['t1', 't2'] as const;
const IDS = ['u1', 'u2', 'u3'] as const;

const modeArbitrary: fc.Arbitrary<ConnectionMode> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'events' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'subscribe' as const }) },
  { weight: 1, arbitrary: fc.subarray([...TYPES], { minLength: 1 }).map((userTypes) => ({ kind: 'subscribe' as const, userTypes })) },
  { weight: 1, arbitrary: fc.subarray([...IDS], { minLength: 1 }).map((userIds) => ({ kind: 'subscribe' as const, userIds })) },
);

export function scenarioArbitrary(nodes: number): fc.Arbitrary<Scenario> {
  return fc
    .record({
      tenantsOn: fc.boolean(),
      rules: fc.option(rulesArbitrary, { nil: null, freq: 4 }),
      userKeys: fc.uniqueArray(fc.record({ tenant: fc.constantFrom(...TENANTS), userId: fc.constantFrom(...IDS) }), {
        minLength: 2,
        maxLength: 5,
        selector: (u) => `${u.tenant}/${u.userId}`,
      }),
    })
    .chain(({ tenantsOn, rules, userKeys }) => {
      // With tenants off the tenant is dropped, and users with the same id are one.
      const users = tenantsOn
        ? userKeys
        : [...new Set(userKeys.map((u) => u.userId))].map((userId) => ({ tenant: null, userId }));
      const connection = fc.record({
        user: fc.nat(users.length - 1),
        type: fc.constantFrom<string | null>(...TYPES, null),
        mode: modeArbitrary,
        announces: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        node: fc.nat(nodes - 1),
      });
      return fc.array(connection, { minLength: 2, maxLength: 7 }).chain((connections) =>
        fc
          .array(
            fc.record({
              kind: fc.oneof(
                { weight: 4, arbitrary: fc.constant('online' as const) },
                { weight: 1, arbitrary: fc.constant('offline' as const) },
                { weight: 1, arbitrary: fc.constant('close' as const) },
              ),
              connection: fc.nat(connections.length - 1),
            }),
            { minLength: 1, maxLength: 12 },
          )
          .map((actions): Scenario => ({ tenantsOn, rules, users, connections, actions })),
      );
    });
}

/** The settings a scenario runs with: a secret always (types and tenants come from tokens). */
export function scenarioEnv(scenario: Scenario, secret: string): Record<string, string> {
  return {
    JWT_ACCESS_SECRET: secret,
    ...(scenario.tenantsOn && { JWT_TENANT_CLAIM: 'org' }),
    ...(scenario.rules !== null && { PRESENCE_VISIBILITY: rulesTextOf(scenario.rules) }),
    PRESENCE_TTL_MS: '60000',
    PRESENCE_DISCONNECT_GRACE_MS: '0',
    PRESENCE_DIFF_INTERVAL_MS: '20',
    PRESENCE_EVENT_RATE: '1000',
    PRESENCE_STATUS_RATE: '1000',
    HTTP_READ_RATE: '100000',
  };
}
