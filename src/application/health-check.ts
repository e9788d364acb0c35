export type ComponentStatus = 'up' | 'degraded' | 'down';

export interface ComponentHealth {
  readonly status: ComponentStatus;
  readonly detail?: string;
}

/** Whether one component the service depends on answers. */
export interface HealthCheck {
  check(): Promise<ComponentHealth>;
}

/** A component in this process's memory: up while the process is. */
export const inProcessHealth: HealthCheck = { check: () => Promise.resolve({ status: 'up' }) };

/** The check's answer, or `down` when it fails or does not answer within `timeoutMs`. */
export async function checkWithin(check: HealthCheck, timeoutMs: number): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ComponentHealth>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([check.check(), late]);
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}
