// Runs the week's sampling (the weekly job or a supervisor's button) into the quality work list, and lets
// controllers take and release entries without two ever holding one.
import type { Principal } from '../auth/auth.service';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import type { QaAssignmentRow, QaAssignmentsRepo, WorkListRow } from './qa-assignments.repo';
import { isoWeek, previousWeek, selectSample, weekRange, type SamplePick, type SampleReason, type SamplingRules } from './sampling';

export type Actor = Pick<Principal, 'id' | 'role'>;

/** Wrap-up codes that mark a complaint (none of today's codes does; work orders with category complaint do). */
const COMPLAINT_DISPOSITIONS = new Set(['complaint']);

export interface SamplingRun {
  period: string;
  candidates: number;
  added: number;
  byReason: Record<SampleReason, number>;
}

export class SamplingService {
  constructor(
    private readonly d: {
      assignments: QaAssignmentsRepo;
      transact: Transact;
      clock: Clock;
      timeZone: string;
      rules?: Partial<SamplingRules>;
      /** Mixed into the random draw; the same seed and week always draw the same calls. @default 0 */
      seed?: number;
    },
  ) {}

  /** The period a run without one samples: the week that ended last (the weekly job runs just after it). */
  defaultPeriod(): string {
    return previousWeek(this.d.clock.now(), this.d.timeZone);
  }

  currentPeriod(): string {
    return isoWeek(this.d.clock.now(), this.d.timeZone);
  }

  run(actor: Actor | null, period = this.defaultPeriod()): SamplingRun {
    if (actor && actor.role !== 'supervisor') throw new Forbidden('Only supervisors run the sampling');
    const range = weekRange(period, this.d.timeZone);
    if (!range) throw new Invalid(`period must be an ISO week like 2026-W48, got ${period}`, ['period: an ISO week like 2026-W48']);
    return this.d.transact(() => {
      const rows = this.d.assignments.candidates(range.from, range.to);
      const complaints = this.d.assignments.complaintCalls(rows.map((r) => r.callSid));
      const candidates = rows.map((r) => ({
        recordingId: r.recordingId,
        agentId: r.agentId,
        desk: r.desk,
        durationSeconds: r.durationSeconds,
        flags: JSON.parse(r.flags) as string[],
        complaint: complaints.has(r.callSid) || (r.disposition !== null && COMPLAINT_DISPOSITIONS.has(r.disposition)),
      }));
      const already: SamplePick[] = this.d.assignments.inPeriod(period).map((a) => ({ recordingId: a.recordingId, reason: a.reason as SampleReason }));
      const picks = selectSample(candidates, { period, rules: this.d.rules, seed: this.d.seed, already });
      const now = this.d.clock.now();
      const added = this.d.assignments.addMany(picks.map((p) => ({ recordingId: p.recordingId, reason: p.reason, period, status: 'open' as const, createdAt: now })));
      const byReason: Record<SampleReason, number> = { complaint: 0, flagged: 0, outlier: 0, random: 0 };
      for (const a of added) byReason[a.reason as SampleReason] += 1;
      return { period, candidates: candidates.length, added: added.length, byReason };
    });
  }

  workList(actor: Actor): { open: WorkListRow[]; mine: WorkListRow[] } {
    this.mayWork(actor);
    const rows = this.d.assignments.workList(actor.id);
    return { open: rows.filter((r) => r.status === 'open'), mine: rows.filter((r) => r.status === 'assigned') };
  }

  take(actor: Actor, id: number): QaAssignmentRow {
    this.mayWork(actor);
    return this.d.transact(() => {
      const taken = this.d.assignments.take(id, actor.id, this.d.clock.now());
      if (taken) return taken;
      const a = this.d.assignments.get(id);
      if (!a) throw new NotFound(`No work-list entry ${id}`);
      if (a.status === 'assigned' && a.assignedTo === actor.id) return a;
      throw new Conflict(a.status === 'done' ? `Work-list entry ${id} is done` : `Work-list entry ${id} is held by another controller`);
    });
  }

  /** Back to the open list: the holder's own, or any for a supervisor. */
  release(actor: Actor, id: number): QaAssignmentRow {
    this.mayWork(actor);
    return this.d.transact(() => {
      const released = this.d.assignments.release(id, actor.role === 'supervisor' ? undefined : actor.id);
      if (released) return released;
      const a = this.d.assignments.get(id);
      if (!a) throw new NotFound(`No work-list entry ${id}`);
      throw new Conflict(a.status === 'assigned' ? `Work-list entry ${id} is held by another controller` : `Work-list entry ${id} is ${a.status}, not held`);
    });
  }

  private mayWork(actor: Actor): void {
    if (actor.role !== 'quality_controller' && actor.role !== 'supervisor') throw new Forbidden('The work list is for quality controllers and supervisors');
  }
}
