import { checkWithin, type ComponentHealth, type ComponentStatus, type HealthCheck } from './health-check';

/** What `/ready` says of one component: its state and since when it is not up, never the error behind it. */
export interface ComponentReadiness {
  readonly status: ComponentStatus;
  /** When a check first saw it not up, ISO 8601; absent while up. */
  readonly since?: string;
}

export interface Readiness<Name extends string> {
  readonly ready: boolean;
  readonly components: Partial<Record<Name, ComponentReadiness>>;
}

/** Where a component's change of state and its detail go: the log, never the unauthenticated answer. */
export type ReadinessReport = (component: string, health: ComponentHealth, since: number | null) => void;

/**
 * Checks each component within a time limit and remembers since when it is not up. The checks' details (error
 * texts that may name a database role or a host) are handed to `report` when a component's state changes.
 */
export class ReadinessWatch<Name extends string> {
  private readonly notUpSince = new Map<Name, number>();
  /** Each component's state and detail as last reported, so that only a change is reported. */
  private readonly lastReported = new Map<Name, string>();

  constructor(
    private readonly checks: Partial<Record<Name, HealthCheck>>,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly report: ReadinessReport,
    /** Components whose `degraded` still leaves the service ready (webhooks: presence works while a receiver fails). */
    private readonly advisory: ReadonlySet<Name> = new Set(),
  ) {}

  async read(): Promise<Readiness<Name>> {
    const names = Object.keys(this.checks) as Name[];
    const results = await Promise.all(names.map((name) => checkWithin(this.checks[name] as HealthCheck, this.timeoutMs)));
    const components = {} as Record<Name, ComponentReadiness>;
    names.forEach((name, i) => {
      components[name] = this.observe(name, results[i] as ComponentHealth);
    });
    const ready = results.every((health, i) => health.status === 'up' || (health.status === 'degraded' && this.advisory.has(names[i] as Name)));
    return { ready, components };
  }

  private observe(name: Name, health: ComponentHealth): ComponentReadiness {
    if (health.status === 'up') this.notUpSince.delete(name);
    else if (!this.notUpSince.has(name)) this.notUpSince.set(name, this.now());
    const since = this.notUpSince.get(name) ?? null;
    const state = `${health.status}:${health.detail ?? ''}`;
    if (this.lastReported.get(name) !== state && (health.status !== 'up' || this.lastReported.has(name))) this.report(name, health, since);
    this.lastReported.set(name, state);
    return since === null ? { status: health.status } : { status: health.status, since: new Date(since).toISOString() };
  }
}
