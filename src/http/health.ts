// Owns the /health report: each component's state, and whether the server can still take calls.
export type ComponentState = 'up' | 'down';
export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  /** False only when the phones cannot work (the route answers 503 then). */
  ok: boolean;
  status?: HealthStatus;
  simulator: boolean;
  components?: Record<string, ComponentState>;
}

export type HealthCheck = () => ComponentState;

export interface HealthChecks {
  /** The phones need these (the database): one down makes the status 'down'. */
  essential: Record<string, HealthCheck>;
  /** The phones work without these (Redis: jobs wait in the outbox): one down makes the status 'degraded', still 200. */
  optional: Record<string, HealthCheck>;
}

export function healthReport(checks: HealthChecks, simulator: boolean): HealthReport {
  const run = (check: HealthCheck): ComponentState => {
    try {
      return check();
    } catch {
      return 'down';
    }
  };
  const essential = Object.entries(checks.essential).map(([name, check]) => [name, run(check)] as const);
  const optional = Object.entries(checks.optional).map(([name, check]) => [name, run(check)] as const);
  const status: HealthStatus = essential.some(([, s]) => s === 'down') ? 'down' : optional.some(([, s]) => s === 'down') ? 'degraded' : 'ok';
  return { ok: status !== 'down', status, simulator, components: Object.fromEntries([...essential, ...optional]) };
}
