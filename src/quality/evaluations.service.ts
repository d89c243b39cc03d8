// Owns an evaluation's life: a quality controller opens one on a recording with the scorecard's current version,
// answers and comments at moments, submits (the server scores it); the agent acknowledges or disputes; a supervisor
// upholds or changes it. Every step is a review_history row. Calibration evaluations compare controllers only.
import type { AuditTrail } from '../audit/audit.repo';
import type { Principal } from '../auth/auth.service';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { QaAssignmentsRepo } from './qa-assignments.repo';
import type { ScorecardService, ScorecardVersion } from './scorecard.service';
import { findItem, items } from './scorecards';
import { answerProblems, computeScore, standardDeviation, unanswered, type Answer } from './scoring';
import type { EvaluationCommentRow, EvaluationListRow, EvaluationRow, EvaluationsRepo, EvaluationStatus, RecordingRow, ReviewHistoryRow } from './evaluations.repo';
import type { ScorecardsRepo } from './scorecards.repo';
import { versionOf } from './scorecard.service';

/** Who acts; `ip` goes to the audit trail with a dispute's ruling. */
export type Actor = Pick<Principal, 'id' | 'role' | 'teamId'> & { ip?: string | null };

export interface EvaluationDetail {
  evaluation: EvaluationRow;
  answers: Answer[];
  version: ScorecardVersion;
  comments: EvaluationCommentRow[];
  history: ReviewHistoryRow[];
}

export interface EvaluationListFilter {
  /** 'me' for the agent's own; a staff id for supervisors, controllers and team leads. */
  agent?: number | 'me';
  status?: EvaluationStatus;
  recordingId?: number;
  calibration?: boolean;
  limit?: number;
}

export interface CalibrationReport {
  recordingId: number;
  evaluators: { evaluationId: number; evaluatorId: number; calibration: boolean; scorecardVersionId: number; score: number | null }[];
  items: { itemId: string; title: string; scale: { min: number; max: number }; scores: { evaluatorId: number; score: number | null }[]; spread: number | null; standardDeviation: number | null }[];
  total: { spread: number | null; standardDeviation: number | null; mean: number | null };
}

const EVALUATORS: readonly Actor['role'][] = ['quality_controller', 'supervisor'];
const SETTLED: readonly EvaluationStatus[] = ['submitted', 'acknowledged', 'disputed', 'resolved'];

export function parseAnswers(json: string): Answer[] {
  return JSON.parse(json) as Answer[];
}

export class EvaluationsService {
  constructor(
    private readonly d: {
      evaluations: EvaluationsRepo;
      scorecards: ScorecardsRepo;
      scorecardService: ScorecardService;
      assignments: QaAssignmentsRepo;
      transact: Transact;
      clock: Clock;
      events?: EventBus;
      /** A supervisor's ruling on a dispute (a score upheld or changed) is written to the one audit trail. */
      audit: AuditTrail;
    },
  ) {}

  /**
   * A controller's evaluation of a recording with the scorecard's current version. Their own draft on the recording
   * comes back as it is (created false). A counted evaluation is one per recording; calibration ones one per controller.
   */
  open(actor: Actor, recordingId: number, o: { calibration?: boolean; scorecardId?: number } = {}): { evaluation: EvaluationRow; created: boolean } {
    if (!EVALUATORS.includes(actor.role)) throw new Forbidden('Only quality controllers and supervisors evaluate calls');
    const calibration = o.calibration ?? false;
    return this.d.transact(() => {
      const rec = this.d.evaluations.recording(recordingId);
      if (!rec || rec.status === 'deleted') throw new NotFound(`No recording ${recordingId}`);
      if (rec.status !== 'stored') throw new Conflict(`Recording ${recordingId} is ${rec.status}; only a stored recording can be evaluated`);
      if (rec.agentId === null) throw new Conflict(`Recording ${recordingId} has no agent to evaluate`);
      // A controller or supervisor who once took calls as an agent may find their own among the recordings.
      if (rec.agentId === actor.id) throw new Forbidden('No one evaluates their own call; a colleague scores it');
      const existing = this.d.evaluations.onRecording(recordingId);
      const mine = existing.find((e) => e.evaluatorId === actor.id && e.calibration === calibration && (calibration || e.status === 'draft'));
      if (mine) return { evaluation: mine, created: false };
      if (!calibration) {
        const other = existing.find((e) => !e.calibration);
        if (other) throw new Conflict(`Recording ${recordingId} already has evaluation ${other.id} (${other.status}); use calibration to compare`);
        const held = this.d.assignments.activeForRecording(recordingId).find((a) => a.status === 'assigned' && a.assignedTo !== actor.id);
        if (held) throw new Conflict(`Recording ${recordingId} is on the work list of another controller`);
      }
      const { version } = this.d.scorecardService.defaultForEvaluation(o.scorecardId);
      const now = this.d.clock.now();
      const e = this.d.evaluations.insert({ recordingId, scorecardVersionId: version.id, evaluatorId: actor.id, agentId: rec.agentId, calibration, status: 'draft', answers: '[]', createdAt: now });
      this.d.evaluations.addHistory({ evaluationId: e.id, action: 'opened', actorId: actor.id, fromStatus: null, toStatus: 'draft', data: { scorecardVersionId: version.id, calibration }, at: now });
      if (!calibration) for (const a of this.d.assignments.activeForRecording(recordingId)) if (a.status === 'open') this.d.assignments.take(a.id, actor.id, now);
      return { evaluation: e, created: true };
    });
  }

  /** Saves answers (merged by item into the draft's) and the summary; every score is checked against the version's scale. */
  answer(actor: Actor, id: number, input: { answers: Answer[]; summary?: string | null }): EvaluationDetail {
    return this.d.transact(() => {
      const e = this.mine(actor, id);
      if (e.status !== 'draft') throw new Conflict(`Evaluation ${id} is ${e.status}; only a draft is answered`);
      const version = this.versionOf(e);
      const problems = answerProblems(version.definition, input.answers);
      if (problems.length) throw new Invalid(problems.join('; '), problems);
      const merged = new Map(parseAnswers(e.answers).map((a) => [a.itemId, a]));
      for (const a of input.answers) merged.set(a.itemId, { itemId: a.itemId, score: a.score, comment: a.comment ?? null });
      const answers = items(version.definition).flatMap((i) => (merged.has(i.id) ? [merged.get(i.id)!] : []));
      const updated = this.d.evaluations.transition(id, 'draft', { answers: JSON.stringify(answers), summary: input.summary === undefined ? e.summary : input.summary });
      if (!updated) throw new Conflict(`Evaluation ${id} changed meanwhile; try again`);
      return this.detail(updated);
    });
  }

  /** A comment at a moment of the recording, by the evaluator or a supervisor. */
  comment(actor: Actor, id: number, input: { atSeconds: number; itemId?: string; text: string }): EvaluationCommentRow {
    return this.d.transact(() => {
      const e = this.d.evaluations.get(id);
      if (!e || !this.maySee(actor, e)) throw new NotFound(`No evaluation ${id}`);
      if (e.evaluatorId !== actor.id && actor.role !== 'supervisor') throw new Forbidden('Only the evaluator or a supervisor comments on an evaluation');
      const rec = this.d.evaluations.recording(e.recordingId);
      const duration = rec?.durationSeconds ?? null;
      if (duration !== null && input.atSeconds > duration) throw new Invalid(`atSeconds must be within the recording (0–${duration} s)`, [`atSeconds: beyond the recording's ${duration} s`]);
      if (input.itemId !== undefined && !findItem(this.versionOf(e).definition, input.itemId)) throw new Invalid(`itemId: no item ${input.itemId} on this scorecard version`, [`itemId: no item ${input.itemId}`]);
      return this.d.evaluations.addComment({ evaluationId: id, authorId: actor.id, atSeconds: input.atSeconds, itemId: input.itemId ?? null, text: input.text, createdAt: this.d.clock.now() });
    });
  }

  /** Scores and submits a draft once every item is answered; marks the recording's work-list entry done. */
  submit(actor: Actor, id: number): EvaluationDetail {
    const detail = this.d.transact(() => {
      const e = this.mine(actor, id);
      if (e.status !== 'draft') throw new Conflict(`Evaluation ${id} is ${e.status}; only a draft is submitted`);
      const version = this.versionOf(e);
      const answers = parseAnswers(e.answers);
      const missing = unanswered(version.definition, answers);
      if (missing.length) throw new Invalid(`Answer every item (a score or N/A) before submitting; missing: ${missing.join(', ')}`, missing.map((m) => `answers: ${m} is not answered`));
      const result = computeScore(version.definition, answers);
      const now = this.d.clock.now();
      const updated = this.d.evaluations.transition(id, 'draft', { status: 'submitted', score: result.score, criticalFailed: result.criticalFailed, submittedAt: now });
      if (!updated) throw new Conflict(`Evaluation ${id} changed meanwhile; try again`);
      this.d.evaluations.addHistory({ evaluationId: id, action: 'submitted', actorId: actor.id, fromStatus: 'draft', toStatus: 'submitted', data: { score: result.score, criticalFailed: result.criticalFailed, failedCritical: result.failedCritical }, at: now });
      if (!e.calibration) for (const a of this.d.assignments.activeForRecording(e.recordingId)) this.d.assignments.markDone(a.id, id, actor.id, now);
      return this.detail(updated);
    });
    if (!detail.evaluation.calibration) {
      this.d.events?.publish({ type: 'EvaluationSubmitted', evaluationId: id, recordingId: detail.evaluation.recordingId, agentId: detail.evaluation.agentId, score: detail.evaluation.score, at: detail.evaluation.submittedAt! });
    }
    return detail;
  }

  acknowledge(actor: Actor, id: number): EvaluationDetail {
    return this.agentStep(actor, id, 'acknowledged', (now) => ({ acknowledgedAt: now }));
  }

  dispute(actor: Actor, id: number, reason: string): EvaluationDetail {
    return this.agentStep(actor, id, 'disputed', (now) => ({ disputedAt: now, disputeReason: reason }), reason);
  }

  /** A supervisor settles a dispute: the score stands (upheld), or new answers replace the old (kept in the history). */
  resolve(actor: Actor, id: number, input: { resolution: 'upheld' | 'changed'; note: string; answers?: Answer[] }): EvaluationDetail {
    if (actor.role !== 'supervisor') throw new Forbidden('Only supervisors resolve disputes');
    return this.d.transact(() => {
      const e = this.d.evaluations.get(id);
      if (!e) throw new NotFound(`No evaluation ${id}`);
      if (e.status !== 'disputed') throw new Conflict(`Evaluation ${id} is ${e.status}; only a disputed evaluation is resolved`);
      // The dispute questions the evaluator's judgement (or concerns the supervisor's own call): someone else settles it.
      if (e.evaluatorId === actor.id || e.agentId === actor.id) throw new Forbidden('A dispute is settled by another supervisor than the one who scored the call or took it');
      const now = this.d.clock.now();
      const changes: Partial<EvaluationRow> = { status: 'resolved', resolution: input.resolution, resolutionNote: input.note, resolvedBy: actor.id, resolvedAt: now };
      let data: unknown = { score: e.score };
      if (input.resolution === 'changed') {
        if (!input.answers?.length) throw new Invalid('answers: a changed resolution needs the new answers', ['answers: required when resolution is changed']);
        const version = this.versionOf(e);
        const merged = new Map(parseAnswers(e.answers).map((a) => [a.itemId, a]));
        for (const a of input.answers) merged.set(a.itemId, { itemId: a.itemId, score: a.score, comment: a.comment ?? null });
        const answers = [...merged.values()];
        const problems = answerProblems(version.definition, answers);
        if (problems.length) throw new Invalid(problems.join('; '), problems);
        const result = computeScore(version.definition, answers);
        Object.assign(changes, { answers: JSON.stringify(answers), score: result.score, criticalFailed: result.criticalFailed });
        data = { previous: { answers: parseAnswers(e.answers), score: e.score, criticalFailed: e.criticalFailed }, score: result.score };
      }
      const updated = this.d.evaluations.transition(id, 'disputed', changes);
      if (!updated) throw new Conflict(`Evaluation ${id} changed meanwhile; try again`);
      this.d.evaluations.addHistory({ evaluationId: id, action: `resolved_${input.resolution}`, actorId: actor.id, fromStatus: 'disputed', toStatus: 'resolved', note: input.note, data, at: now });
      this.d.audit.record({ at: now, actorId: actor.id, action: `evaluation.resolved_${input.resolution}`, subjectType: 'evaluation', subjectId: id, reason: input.note, ip: actor.ip ?? null, detail: { agentId: e.agentId, recordingId: e.recordingId, scoreBefore: e.score, scoreAfter: changes.score ?? e.score } });
      return this.detail(updated);
    });
  }

  get(actor: Actor, id: number): EvaluationDetail {
    const e = this.d.evaluations.get(id);
    if (!e || !this.maySee(actor, e)) throw new NotFound(`No evaluation ${id}`);
    return this.detail(e);
  }

  list(actor: Actor, f: EvaluationListFilter): EvaluationListRow[] {
    const base = { status: f.status, recordingId: f.recordingId, calibration: f.calibration, limit: f.limit };
    switch (actor.role) {
      case 'agent':
        if (f.agent !== undefined && f.agent !== 'me' && f.agent !== actor.id) throw new Forbidden('Agents see their own evaluations only');
        if (f.status === 'draft') return [];
        return this.d.evaluations.list({ ...base, agentId: actor.id, calibration: false, excludeDrafts: true });
      case 'team_lead':
        if (actor.teamId === null || f.calibration === true) return [];
        return this.d.evaluations.list({ ...base, agentId: f.agent === 'me' ? actor.id : f.agent, teamId: actor.teamId, calibration: false, excludeDrafts: true });
      case 'quality_controller':
      case 'supervisor':
        return this.d.evaluations.list({ ...base, agentId: f.agent === 'me' ? actor.id : f.agent });
      default:
        throw new Forbidden('Evaluations are for agents, team leads, quality controllers and supervisors');
    }
  }

  /** Per item, each evaluator's score on this recording and their spread (max − min, standard deviation). */
  calibration(actor: Actor, recordingId: number): CalibrationReport {
    if (!EVALUATORS.includes(actor.role)) throw new Forbidden('Calibration is for quality controllers and supervisors');
    const rec = this.d.evaluations.recording(recordingId);
    if (!rec || rec.status === 'deleted') throw new NotFound(`No recording ${recordingId}`);
    const scored = this.d.evaluations.onRecording(recordingId).filter((e) => SETTLED.includes(e.status));
    const versions = new Map<number, ScorecardVersion>();
    for (const e of scored) if (!versions.has(e.scorecardVersionId)) versions.set(e.scorecardVersionId, this.versionOf(e));
    const itemList = new Map<string, { title: string; scale: { min: number; max: number } }>();
    for (const v of versions.values()) for (const i of items(v.definition)) if (!itemList.has(i.id)) itemList.set(i.id, { title: i.title, scale: i.scale });
    const spread = (values: number[]) => (values.length ? { spread: Math.round((Math.max(...values) - Math.min(...values)) * 10) / 10, standardDeviation: standardDeviation(values) } : { spread: null, standardDeviation: null });
    const totals = scored.map((e) => e.score).filter((s): s is number => s !== null);
    return {
      recordingId,
      evaluators: scored.map((e) => ({ evaluationId: e.id, evaluatorId: e.evaluatorId, calibration: e.calibration, scorecardVersionId: e.scorecardVersionId, score: e.score })),
      items: [...itemList].map(([itemId, i]) => {
        const scores = scored.map((e) => ({ evaluatorId: e.evaluatorId, score: parseAnswers(e.answers).find((a) => a.itemId === itemId)?.score ?? null }));
        return { itemId, title: i.title, scale: i.scale, scores, ...spread(scores.map((s) => s.score).filter((s): s is number => s !== null)) };
      }),
      total: { ...spread(totals), mean: totals.length ? Math.round((totals.reduce((a, b) => a + b, 0) / totals.length) * 10) / 10 : null },
    };
  }

  private agentStep(actor: Actor, id: number, to: 'acknowledged' | 'disputed', changes: (now: Date) => Partial<EvaluationRow>, note?: string): EvaluationDetail {
    return this.d.transact(() => {
      const e = this.d.evaluations.get(id);
      if (!e || !this.maySee(actor, e)) throw new NotFound(`No evaluation ${id}`);
      if (e.agentId !== actor.id || e.calibration) throw new Forbidden('Only the agent evaluated acknowledges or disputes an evaluation');
      if (e.status !== 'submitted') throw new Conflict(`Evaluation ${id} is ${e.status}; only a submitted evaluation is ${to}`);
      const now = this.d.clock.now();
      const updated = this.d.evaluations.transition(id, 'submitted', { status: to, ...changes(now) });
      if (!updated) throw new Conflict(`Evaluation ${id} changed meanwhile; try again`);
      this.d.evaluations.addHistory({ evaluationId: id, action: to, actorId: actor.id, fromStatus: 'submitted', toStatus: to, note: note ?? null, at: now });
      return this.detail(updated);
    });
  }

  /** Whether the actor may see the evaluation; one they may not answers 404 like one that does not exist. */
  private maySee(actor: Actor, e: EvaluationRow): boolean {
    switch (actor.role) {
      case 'quality_controller':
      case 'supervisor':
        return true;
      case 'agent':
        return e.agentId === actor.id && !e.calibration && e.status !== 'draft';
      case 'team_lead': {
        // Drafts and calibration scores are the controllers' working material (as in the recordings library).
        if (actor.teamId === null || e.status === 'draft' || e.calibration) return false;
        return this.d.evaluations.recording(e.recordingId)?.teamId === actor.teamId;
      }
      default:
        return false;
    }
  }

  /** The evaluator's own evaluation (404 for anyone else's, as a guessed id reveals nothing). */
  private mine(actor: Actor, id: number): EvaluationRow {
    const e = this.d.evaluations.get(id);
    if (!e || !this.maySee(actor, e)) throw new NotFound(`No evaluation ${id}`);
    if (e.evaluatorId !== actor.id) throw new Forbidden('Only the evaluator changes an evaluation');
    return e;
  }

  private versionOf(e: EvaluationRow): ScorecardVersion {
    const v = this.d.scorecards.versionById(e.scorecardVersionId);
    if (!v) throw new Error(`evaluation ${e.id}: scorecard version ${e.scorecardVersionId} is missing`);
    return versionOf(v);
  }

  private detail(e: EvaluationRow): EvaluationDetail {
    return { evaluation: e, answers: parseAnswers(e.answers), version: this.versionOf(e), comments: this.d.evaluations.comments(e.id), history: this.d.evaluations.history(e.id) };
  }
}
