/** How a bad setting is told: every one at once, and never the value of a secret. */
import type { Env } from '../config';

/** Every bad setting at once, so that one failed start tells the operator everything to fix. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose values are never repeated back, not even in an error. */
const secretSettings = new Set(['JWT_ACCESS_SECRET', 'METRICS_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'REACT_SERVICE_ROLE_KEY']);

export function describeValue(name: string, env: Env): string {
  return secretSettings.has(name) ? 'a value that is not shown' : JSON.stringify(env[name] ?? null);
}

export function describeProblem(name: string, message: string, env: Env): string {
  return `${name}: ${message} (got ${describeValue(name, env)})`;
}
