// The floor at a glance for dispatchers and leads: who waits in which queue and for how long, and where the agents are.
import type { AgentStateName } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import type { AgentOnFloor } from './agent-desks.repo';
import type { QueueEntriesRepo, QueueEntry } from './queue-entries.repo';
import { compareWaiting } from './routing-policy';
import type { MonitoringOnFloor } from '../monitoring/live-monitoring.service';

export interface QueueRulesView {
  name: string;
  desk: QueueEntry['desk'];
  serviceLevelSeconds: number;
  maxWaitSeconds: number;
}

export interface FloorSnapshot {
  at: Date;
  queues: {
    name: string;
    desk: QueueEntry['desk'];
    serviceLevelSeconds: number;
    maxWaitSeconds: number;
    waiting: number;
    longestWaitSeconds: number;
    /** Callers already past the service-level threshold (the three rings). */
    pastServiceLevel: number;
    /** In the order they will be offered. */
    calls: { callSid: string; priority: number; reason: string | null; waitedSeconds: number; ringingAgentId: number | null }[];
  }[];
  /** Agents per desk and state (an agent on two desks counts on both). */
  agents: Record<QueueEntry['desk'], Partial<Record<AgentStateName, number>>>;
  /** Who is in which agent's live call (listen, whisper, barge): the "monitored by" of the agent's line. */
  monitoring: MonitoringOnFloor[];
}

export class FloorService {
  constructor(
    private readonly d: {
      queue: Pick<QueueEntriesRepo, 'waiting'>;
      rules: { get(name: string): QueueRulesView; list(): QueueRulesView[] };
      agents: { agents(): AgentOnFloor[] };
      clock: Clock;
      /** Live-call monitoring; without it the floor shows nobody monitoring. */
      monitoring?: { onFloor(): MonitoringOnFloor[] };
    },
  ) {}

  snapshot(): FloorSnapshot {
    const now = this.d.clock.now();
    const waitedSeconds = (e: QueueEntry) => Math.max(0, Math.round((now.getTime() - e.enqueuedAt.getTime()) / 1000));
    const byQueue = new Map<string, QueueEntry[]>();
    for (const q of this.d.rules.list()) byQueue.set(q.name, []);
    for (const e of this.d.queue.waiting()) byQueue.set(e.queue, [...(byQueue.get(e.queue) ?? []), e]);

    const queues = [...byQueue].map(([name, entries]) => {
      const rules = this.d.rules.get(name);
      const calls = [...entries].sort(compareWaiting).map((e) => ({ callSid: e.callSid, priority: e.priority, reason: e.reason, waitedSeconds: waitedSeconds(e), ringingAgentId: e.reservedBy }));
      return {
        name,
        desk: rules.desk,
        serviceLevelSeconds: rules.serviceLevelSeconds,
        maxWaitSeconds: rules.maxWaitSeconds,
        waiting: calls.length,
        longestWaitSeconds: Math.max(0, ...calls.map((c) => c.waitedSeconds)),
        pastServiceLevel: calls.filter((c) => c.waitedSeconds > rules.serviceLevelSeconds).length,
        calls,
      };
    });

    const agents: FloorSnapshot['agents'] = { front: {}, middle: {}, back: {} };
    for (const a of this.d.agents.agents()) {
      if (!a.active) continue;
      for (const { desk } of a.desks) agents[desk][a.presence.state] = (agents[desk][a.presence.state] ?? 0) + 1;
    }
    return { at: now, queues, agents, monitoring: this.d.monitoring?.onFloor() ?? [] };
  }
}
