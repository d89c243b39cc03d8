// Owns the rules of configuring a queue: ranges, the overflow target, and no overflow loops.
import type { AuditActor, AuditTrail } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Invalid } from '../errors/domain-errors';
import { defaultQueueSettings, type OverflowAction, type QueueDesk, type QueueSettings, type QueueSettingsRepo } from './queue-settings.repo';

/** Lower-case words joined by hyphens, the desk first by convention: `front-vip`, `back-rma`. */
export const QUEUE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const QUEUE_LIMITS = {
  serviceLevelSeconds: { min: 1, max: 300 },
  maxWaitSeconds: { min: 30, max: 7200 },
  wrapUpSeconds: { min: 0, max: 600 },
} as const;

/** What a supervisor sends; what is left out takes the default, as for a queue never configured. */
export interface QueueRulesInput {
  desk?: QueueDesk;
  serviceLevelSeconds?: number;
  maxWaitSeconds?: number;
  overflowAction?: OverflowAction;
  overflowQueue?: string | null;
  wrapUpSeconds?: number;
  /** Callers answered from this queue hear the post-call survey after the agent hangs up. @default false */
  postCallSurvey?: boolean;
}

/** Every problem with the rules of one queue taken alone (the other queues are checked by the service). */
export function queueRuleProblems(s: QueueSettings): string[] {
  const problems: string[] = [];
  if (s.name.length > 64 || !QUEUE_NAME.test(s.name)) problems.push('name: lower-case letters, digits and single hyphens, at most 64 characters');
  for (const [field, { min, max }] of Object.entries(QUEUE_LIMITS) as [keyof typeof QUEUE_LIMITS, { min: number; max: number }][]) {
    const v = s[field];
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`${field}: a whole number of seconds from ${min} to ${max}`);
  }
  if (s.maxWaitSeconds < s.serviceLevelSeconds) problems.push('maxWaitSeconds: must not be shorter than serviceLevelSeconds');
  if (s.overflowAction === 'queue') {
    if (!s.overflowQueue) problems.push("overflowQueue: required when overflowAction is 'queue'");
    else if (s.overflowQueue === s.name) problems.push('overflowQueue: must name another queue');
  } else if (s.overflowQueue) {
    problems.push("overflowQueue: only used when overflowAction is 'queue'");
  }
  return problems;
}

export class QueueSettingsService {
  constructor(private readonly d: { queues: QueueSettingsRepo; transact: Transact; audit: AuditTrail; clock?: { now(): Date } }) {}

  list(): QueueSettings[] {
    return this.d.queues.list();
  }

  /**
   * Creates or replaces the queue's rules; throws Invalid listing every problem. With `by` (a person through the API)
   * the change is audited here; a caller that audits its own action (a dispatcher's overflow change) leaves it out.
   */
  put(name: string, input: QueueRulesInput, by?: AuditActor, reason?: string): { settings: QueueSettings; created: boolean } {
    const defaults = defaultQueueSettings(name);
    const settings: QueueSettings = {
      ...defaults,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
      overflowQueue: input.overflowQueue ?? null,
      name,
    };
    return this.d.transact(() => {
      const problems = [...queueRuleProblems(settings), ...this.overflowProblems(settings)];
      if (problems.length) throw new Invalid(problems.join('; '), problems);
      const before = this.d.queues.find(name);
      const created = !before;
      this.d.queues.upsert(settings);
      if (by) {
        const at = this.d.clock?.now() ?? new Date();
        this.d.audit.record({ at, actorId: by.id, action: created ? 'queue_settings.created' : 'queue_settings.changed', subjectType: 'queue', subjectId: name, reason, ip: by.ip, detail: { before: before ?? null, after: settings } });
      }
      return { settings, created };
    });
  }

  /** The overflow target must exist, and following the overflows from it must never lead back here. */
  private overflowProblems(s: QueueSettings): string[] {
    if (s.overflowAction !== 'queue' || !s.overflowQueue || s.overflowQueue === s.name) return [];
    const target = this.d.queues.find(s.overflowQueue);
    if (!target) return [`overflowQueue: no queue named ${s.overflowQueue}; configure it first`];
    const seen = new Set([s.name]);
    for (let q: QueueSettings | undefined = target; q; q = q.overflowAction === 'queue' && q.overflowQueue ? this.d.queues.find(q.overflowQueue) : undefined) {
      if (seen.has(q.name)) return [`overflowQueue: ${s.overflowQueue} overflows back to ${q.name}, so callers would go round in a loop`];
      seen.add(q.name);
    }
    return [];
  }
}
