// The reads /metrics makes at scrape time: a few indexed, grouped queries, prepared once on the connection.
import type { Db } from '../db/client';

export interface WaitingRow {
  queue: string;
  desk: string;
  waiting: number;
  /** enqueued_at of the longest-waiting caller, epoch ms. */
  oldest: number;
}

export class MetricsRepo {
  private readonly waitingSql;
  private readonly queuesSql;
  private readonly endedSql;
  private readonly agentsSql;
  private readonly outboxSql;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.waitingSql = sqlite.prepare(`SELECT queue, desk, count(*) AS waiting, min(enqueued_at) AS oldest FROM queue_entries WHERE status = 'waiting' GROUP BY queue, desk`);
    this.queuesSql = sqlite.prepare('SELECT name, desk, service_level_seconds AS target FROM queue_settings');
    this.endedSql = sqlite.prepare(`SELECT queue, status, wait_seconds AS wait FROM queue_entries WHERE ended_at >= ? AND status IN ('bridged', 'abandoned')`);
    this.agentsSql = sqlite.prepare(
      `SELECT d.desk AS desk, p.state AS state, count(*) AS n FROM agent_presence p JOIN agent_desks d ON d.staff_id = p.staff_id JOIN staff s ON s.id = p.staff_id WHERE s.active = 1 GROUP BY d.desk, p.state`,
    );
    this.outboxSql = sqlite.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM job_outbox WHERE dispatched_at IS NULL');
  }

  /** Callers waiting now, per queue and desk. */
  waiting(): WaitingRow[] {
    return this.waitingSql.all() as WaitingRow[];
  }

  /** Every configured queue, its desk and its service level target (seconds). */
  queues(): { name: string; desk: string; target: number }[] {
    return this.queuesSql.all() as { name: string; desk: string; target: number }[];
  }

  /** Queue entries whose wait ended (answered or abandoned) since `sinceMs`. */
  endedSince(sinceMs: number): { queue: string; status: 'bridged' | 'abandoned'; wait: number | null }[] {
    return this.endedSql.all(sinceMs) as { queue: string; status: 'bridged' | 'abandoned'; wait: number | null }[];
  }

  /** Active agents per desk and presence state. */
  agentsByDeskAndState(): { desk: string; state: string; n: number }[] {
    return this.agentsSql.all() as { desk: string; state: string; n: number }[];
  }

  /** Outbox rows not yet handed to Redis, and the creation time (epoch ms) of the oldest. */
  outbox(): { n: number; oldest: number | null } {
    return this.outboxSql.get() as { n: number; oldest: number | null };
  }
}
