// Reads what the floor's figures are made of: ended queue entries per minute, live conversations, callbacks due (SQL only).
import type { Db } from '../db/client';
import type { AgentOnFloor } from '../acd/agent-desks.repo';
import type { QueueEntry } from '../acd/queue-entries.repo';
import type { AgentStateName } from '../db/schema/index';
import type { Desk } from '../events/domain-events';
import { SHORT_ABANDON_SECONDS, type QueueOutcomeCounts } from './queue-figures';

const DESK_ORDER: readonly Desk[] = ['front', 'middle', 'back'];

export interface MinuteOutcomes extends QueueOutcomeCounts {
  queue: string;
  /** Minutes since the epoch (ended_at / 60000). */
  minute: number;
}

export interface LiveConversation {
  agentId: number;
  callSid: string;
  direction: 'inbound' | 'outbound';
  status: 'offered' | 'connected';
  offeredAt: Date;
  answeredAt: Date | null;
  queue: string | null;
}

export interface CallbacksDue {
  desk: Desk;
  /** For callbacks a waiting caller asked for: the queue they left; null for every other type. */
  queue: string | null;
  n: number;
}

export class FloorFiguresRepo {
  private readonly outcomes;
  private readonly live;
  private readonly due;
  private readonly talk;
  private readonly roster;
  private readonly waitingQuery;

  constructor(db: Db) {
    const c = db.$client;
    // A range seek on queue_entries_ended; the threshold is the queue's service level now (default three rings).
    this.outcomes = c.prepare<[number, number], MinuteOutcomes>(`
      SELECT q.queue AS queue, q.ended_at / 60000 AS minute,
        sum(q.status = 'bridged') AS answered,
        sum(q.status = 'bridged' AND q.ended_at - q.enqueued_at <= coalesce(s.service_level_seconds, 15) * 1000) AS answeredInTime,
        sum(q.status = 'abandoned' AND q.ended_at - q.enqueued_at >= ${SHORT_ABANDON_SECONDS * 1000}) AS abandoned,
        sum(q.status = 'abandoned' AND q.ended_at - q.enqueued_at < ${SHORT_ABANDON_SECONDS * 1000}) AS shortAbandoned,
        sum(q.status NOT IN ('bridged', 'abandoned')) AS otherEnded,
        sum(CASE WHEN q.status = 'bridged' THEN q.ended_at - q.enqueued_at ELSE 0 END) AS answerWaitMs
      FROM queue_entries q LEFT JOIN queue_settings s ON s.name = q.queue
      WHERE q.ended_at >= ? AND q.ended_at < ? AND q.status != 'waiting'
      GROUP BY q.queue, minute`);
    // The partial index interactions_live_agent holds exactly the live rows.
    this.live = c.prepare<[], { agentId: number; callSid: string; direction: 'inbound' | 'outbound'; status: 'offered' | 'connected'; offeredAt: number; answeredAt: number | null; queue: string | null }>(`
      SELECT i.agent_id AS agentId, i.call_sid AS callSid, i.direction, i.status, i.offered_at AS offeredAt, i.answered_at AS answeredAt, q.queue AS queue
      FROM interactions i LEFT JOIN queue_entries q ON q.id = i.queue_entry_id
      WHERE i.status IN ('offered', 'connected')`);
    this.due = c.prepare<[number], CallbacksDue>(`
      SELECT desk, CASE WHEN source = 'queue' AND reason LIKE 'queue:%' THEN substr(reason, 7) END AS queue, count(*) AS n
      FROM callback_requests WHERE status = 'open' AND eligible_at <= ? GROUP BY 1, 2`);
    // Every agent account with team, presence and desks in one prepared statement (read at each tick).
    this.roster = c.prepare<[], { id: number; username: string; displayName: string; active: number; teamId: number | null; teamName: string | null; state: AgentStateName | null; reason: string | null; since: number | null; desks: string | null }>(`
      SELECT s.id, s.username, s.display_name AS displayName, s.active, s.team_id AS teamId, t.name AS teamName,
        p.state, p.reason, p.since,
        (SELECT group_concat(d.desk || ':' || d.skill) FROM agent_desks d WHERE d.staff_id = s.id) AS desks
      FROM staff s LEFT JOIN teams t ON t.id = s.team_id LEFT JOIN agent_presence p ON p.staff_id = s.id
      WHERE s.role = 'agent' ORDER BY s.id`);
    this.waitingQuery = c.prepare<[], Record<string, unknown>>(`
      SELECT id, call_sid AS callSid, queue, desk, priority, reason, status, enqueued_at AS enqueuedAt, ended_at AS endedAt,
        wait_seconds AS waitSeconds, reserved_by AS reservedBy, announced_at AS announcedAt
      FROM queue_entries WHERE status = 'waiting' ORDER BY enqueued_at`);
    this.talk = c.prepare<[number], { ms: number | null }>(`
      SELECT avg(ended_at - answered_at) AS ms FROM interactions WHERE status = 'ended' AND ended_at >= ? AND answered_at IS NOT NULL`);
  }

  /** Per queue and minute, how the entries that ended in [from, to) ended. */
  outcomesByMinute(from: Date, to: Date): MinuteOutcomes[] {
    return this.outcomes.all(from.getTime(), to.getTime());
  }

  liveConversations(): LiveConversation[] {
    return this.live.all().map((r) => ({ ...r, offeredAt: new Date(r.offeredAt), answeredAt: r.answeredAt === null ? null : new Date(r.answeredAt) }));
  }

  /** Open callbacks that may be called now (eligible: due and inside their calling window), per desk and queue. */
  callbacksDue(now: Date): CallbacksDue[] {
    return this.due.all(now.getTime());
  }

  /** Every agent account as the floor shows it (the same shape as AgentDesksRepo.agents, read cheaper). */
  agents(): AgentOnFloor[] {
    return this.roster.all().map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.displayName,
      active: r.active === 1,
      team: r.teamId !== null && r.teamName !== null ? { id: r.teamId, name: r.teamName } : null,
      desks: (r.desks ? r.desks.split(',') : [])
        .map((d) => {
          const [desk, skill] = d.split(':');
          return { desk: desk as Desk, skill: Number(skill) };
        })
        .sort((a, b) => DESK_ORDER.indexOf(a.desk) - DESK_ORDER.indexOf(b.desk)),
      presence: { state: r.state ?? 'offline', reason: r.reason, since: r.since === null ? null : new Date(r.since) },
    }));
  }

  /** The callers waiting, longest first (QueueEntriesRepo.waiting, prepared once). */
  waiting(): QueueEntry[] {
    const date = (v: unknown) => (v === null ? null : new Date(v as number));
    return this.waitingQuery.all().map((r) => ({ ...r, enqueuedAt: new Date(r.enqueuedAt as number), endedAt: date(r.endedAt), announcedAt: date(r.announcedAt) }) as QueueEntry);
  }

  /** Mean seconds from answer to hang-up of the conversations ended since `since`. */
  averageTalkSeconds(since: Date): number | undefined {
    const ms = this.talk.get(since.getTime())?.ms;
    return ms == null ? undefined : ms / 1000;
  }
}
