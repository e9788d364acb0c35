import type { Logger } from 'pino';
import type { ReadinessReport } from '../../application/readiness-watch';

/** A component's change of state goes to the log with its detail, which `/ready` never shows. */
export function logReadiness(logger: Logger): ReadinessReport {
  return (component, health, since) => {
    if (health.status === 'up') logger.info({ component }, 'component is up again');
    else logger.warn({ component, status: health.status, detail: health.detail, since: new Date(since ?? 0).toISOString() }, 'component is not up');
  };
}
