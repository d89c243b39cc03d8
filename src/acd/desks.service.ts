// Owns moving agents between desks: a dispatcher replaces an agent's desks live, and the ACD hears of it after commit.
import type { AuditActor, AuditTrail } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { Invalid, NotFound } from '../errors/domain-errors';
import type { AgentDesksRepo, AgentOnFloor, DeskSkill } from './agent-desks.repo';

export const DESKS = ['front', 'middle', 'back'] as const;
/** 1 (learning) to 5 (expert). */
export const SKILL_RANGE = { min: 1, max: 5 } as const;

/** Every problem with a set of desks for one agent: at least one desk, each at most once, skills 1..5. */
export function deskAssignmentProblems(desks: readonly DeskSkill[]): string[] {
  const problems: string[] = [];
  if (!desks.length) problems.push('desks: an agent needs at least one desk');
  const seen = new Set<string>();
  desks.forEach((d, i) => {
    if (!DESKS.includes(d.desk)) problems.push(`desks.${i}.desk: one of ${DESKS.join(', ')}`);
    else if (seen.has(d.desk)) problems.push(`desks.${i}.desk: ${d.desk} is listed twice`);
    seen.add(d.desk);
    if (!Number.isInteger(d.skill) || d.skill < SKILL_RANGE.min || d.skill > SKILL_RANGE.max) problems.push(`desks.${i}.skill: a whole number from ${SKILL_RANGE.min} to ${SKILL_RANGE.max}`);
  });
  return problems;
}

export class DesksService {
  private readonly clock: Clock;

  constructor(private readonly d: { desks: AgentDesksRepo; transact: Transact; events: Pick<EventBus, 'publish'>; audit: AuditTrail; clock?: Clock }) {
    this.clock = d.clock ?? { now: () => new Date() };
  }

  /** Every agent with desks, skills and current presence. */
  agents(): AgentOnFloor[] {
    return this.d.desks.agents();
  }

  /** The agent's own desks and skills (none for an unknown id). */
  desksOf(agentId: number): DeskSkill[] {
    return this.d.desks.agent(agentId)?.desks ?? [];
  }

  /**
   * Replaces the agent's desks in one transaction, then publishes AgentDesksChanged so waiting calls are dispatched
   * again. With `by` the change is audited here (a floor action that audits itself leaves it out).
   */
  setDesks(agentId: number, desks: readonly DeskSkill[], by?: AuditActor): AgentOnFloor {
    const problems = deskAssignmentProblems(desks);
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    const copy = desks.map(({ desk, skill }) => ({ desk, skill }));
    const agent = this.d.transact(() => {
      const before = this.d.desks.agent(agentId);
      if (!before) throw new NotFound(`No agent with id ${agentId}`);
      this.d.desks.replaceDesks(agentId, copy);
      if (by) this.d.audit.record({ at: this.clock.now(), actorId: by.id, action: 'agent.desks_changed', subjectType: 'agent', subjectId: agentId, ip: by.ip, detail: { from: before.desks, to: copy } });
      return this.d.desks.agent(agentId)!;
    });
    this.d.events.publish({ type: 'AgentDesksChanged', agentId, desks: agent.desks, at: this.clock.now() });
    return agent;
  }
}
