import fc from 'fast-check';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { runScenario } from '../support/audience-leak-check';
import { scenarioArbitrary, scenarioEnv, type Scenario } from '../support/audience-scenario';
import { REDIS_URL, testRedisPrefix } from '../support/redis';
import { closeAllSockets } from '../support/socket-client';
import { TEST_SECRET } from '../support/tokens';

jest.setTimeout(600_000);

/**
 * `LEAK_SEED` replays a failing run's seed (as fast-check prints it); `LEAK_RUNS` multiplies the runs, for a longer
 * search than CI's.
 */
const seed = process.env['LEAK_SEED'] === undefined ? {} : { seed: Number(process.env['LEAK_SEED']) };
const runs = (n: number): number => n * Number(process.env['LEAK_RUNS'] ?? 1);

/** Runs a scenario on fresh nodes, which are stopped (and their Redis keys deleted) whatever it finds. */
async function onNodes(scenario: Scenario, start: (env: Record<string, string>) => Promise<{ nodes: TestApp[]; cleanup(): Promise<void> }>) {
  const { nodes, cleanup } = await start(scenarioEnv(scenario, TEST_SECRET));
  try {
    await runScenario(
      scenario,
      nodes.map((n) => n.url),
      TEST_SECRET,
    );
  } finally {
    closeAllSockets();
    for (const node of nodes) await node.stop();
    await cleanup();
  }
}

/**
 * CONTRACT §9's leak test: random populations (tenants, types, rules, several connections a user, §1 and §7
 * clients, REST with user and backend tokens) against a model of who may see whom. A run fails on any event, list
 * entry, count or answer that shows a viewer a user it may not see; fast-check shrinks it to the smallest.
 */
describe('audiences: nothing reaches a viewer that may not see it (§9)', () => {
  it('on one node, in memory', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(1), (scenario) =>
        onNodes(scenario, async (env) => ({ nodes: [await buildTestApp(env)], cleanup: async () => undefined })),
      ),
      { numRuns: runs(40), ...seed },
    );
  });

  it('on two nodes sharing Redis', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(2), (scenario) =>
        onNodes(scenario, async (env) => {
          const redis = testRedisPrefix();
          const shared = { ...env, PRESENCE_STORE: 'redis', REDIS_URL, REDIS_KEY_PREFIX: redis.prefix };
          const nodes = [await buildTestApp({ ...shared, NODE_ID: 'leak-a' }), await buildTestApp({ ...shared, NODE_ID: 'leak-b' })];
          return { nodes, cleanup: () => redis.cleanup() };
        }),
      ),
      { numRuns: runs(30), ...seed },
    );
  });
});
