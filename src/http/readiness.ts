// Owns the /ready report: whether this process should take traffic now, and which parts it works without (degraded).
import type { HealthCheck } from './health';

/** A check's answer: true (fine), or the problem in one line. */
export type ReadyCheck = () => true | string | Promise<true | string>;

export interface ReadinessChecks {
  /** Without any of these the process must not take traffic: the database, the flows, the migrations, the carrier. */
  essential: Record<string, ReadyCheck>;
  /** The phones work without these (Redis): one down makes the report 'degraded', still ready. */
  optional: Record<string, HealthCheck>;
}

export interface ReadyReport {
  ready: boolean;
  status: 'ready' | 'degraded' | 'unready';
  /** Each essential check: ok, or the problem. */
  checks: Record<string, { ok: true } | { ok: false; problem: string }>;
  /** Optional components that are down. */
  degraded: string[];
}

export async function readinessReport(c: ReadinessChecks): Promise<ReadyReport> {
  const checks: ReadyReport['checks'] = {};
  await Promise.all(
    Object.entries(c.essential).map(async ([name, check]) => {
      let answer: true | string;
      try {
        answer = await check();
      } catch (err) {
        answer = err instanceof Error ? err.message : String(err);
      }
      checks[name] = answer === true ? { ok: true } : { ok: false, problem: answer };
    }),
  );
  const degraded = Object.entries(c.optional)
    .filter(([, check]) => {
      try {
        return check() !== 'up';
      } catch {
        return true;
      }
    })
    .map(([name]) => name);
  const ready = Object.values(checks).every((r) => r.ok);
  return { ready, status: !ready ? 'unready' : degraded.length ? 'degraded' : 'ready', checks, degraded };
}

/** Whether SQLite takes a write now: a write lock taken and released (BEGIN IMMEDIATE; ROLLBACK), never waiting. */
export function databaseWritable(sqlite: { inTransaction: boolean; pragma(s: string, o?: { simple: boolean }): unknown; exec(s: string): unknown }): true | string {
  // A transaction already open on this connection (a webhook group) is writing: the database takes writes.
  if (sqlite.inTransaction) return true;
  if (sqlite.pragma('query_only', { simple: true })) return 'the connection is query-only';
  const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('ROLLBACK');
    return true;
  } catch (err) {
    // Another connection (the worker) holds the write lock: it writes, so the database does.
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    return `not writable: ${(err as Error).message}`;
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * The carrier's verdict on the credentials, asked in the background every `everyMs` and cached, so /ready stays
 * cheap: refused credentials make the process unready; not verified yet or an unreachable carrier only degrades it
 * (the carrier's webhooks still arrive, and a restart during a carrier outage must still take them).
 */
export class CachedCredentialCheck {
  private verdict: 'valid' | 'refused' | 'unverified' = 'unverified';
  private timer?: NodeJS.Timeout;
  private lastChecked = 0;
  private running?: Promise<void>;

  constructor(
    private readonly valid: () => Promise<boolean>,
    private readonly o: { everyMs?: number; onUnreachable?(err: unknown): void } = {},
  ) {}

  /** Checks now, then every `everyMs` (unref'd timer). */
  start(): this {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.everyMs ?? 5 * 60_000);
    this.timer.unref();
    return this;
  }

  refresh(): Promise<void> {
    this.running ??= this.valid()
      .then(
        (ok) => {
          this.verdict = ok ? 'valid' : 'refused';
        },
        (err: unknown) => {
          // Unreachable: a refusal stays a refusal; otherwise the credentials are unverified until it answers.
          if (this.verdict !== 'refused') this.verdict = 'unverified';
          this.o.onUnreachable?.(err);
        },
      )
      .finally(() => {
        this.lastChecked = Date.now();
        this.running = undefined;
      });
    return this.running;
  }

  /** For ReadinessChecks.essential: only a refusal fails it. */
  check(): true | string {
    return this.verdict === 'refused' ? 'the carrier refused the credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)' : true;
  }

  /** For ReadinessChecks.optional: 'down' while the credentials are not verified (carrier unreachable). */
  state(): 'up' | 'down' {
    return this.verdict === 'valid' ? 'up' : 'down';
  }

  get checkedAt(): number {
    return this.lastChecked;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
