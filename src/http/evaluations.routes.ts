// The evaluations API: controllers open, answer, comment and submit; agents read their own and acknowledge or
// dispute; supervisors resolve disputes; calibration compares controllers on one call.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { EvaluationDetail, EvaluationsService } from '../quality/evaluations.service';
import type { EvaluationCommentRow, EvaluationListRow, EvaluationRow } from '../quality/evaluations.repo';
import { parseAnswers } from '../quality/evaluations.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { versionJson } from './scorecards.routes';

const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);
export const idParam = z.object({ id: positiveId('id') });
const text = (name: string, max: number) => z.string({ error: `${name} must be text` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);

const answer = z.object({
  itemId: z.string({ error: 'itemId must be text' }).min(1, 'itemId must not be empty').max(40, 'itemId is longer than 40 characters'),
  score: z.number({ error: 'score must be a number, or null for not applicable' }).nullable(),
  comment: z.string({ error: 'comment must be text' }).trim().max(2000, 'comment is longer than 2000 characters').nullable().optional(),
});
const answers = z.array(answer, { error: 'answers must be a list of {itemId, score, comment}' }).max(200, 'at most 200 answers');

export const openBody = z.object({ calibration: z.boolean({ error: 'calibration must be true or false' }).optional(), scorecardId: positiveId('scorecardId').optional() });
export const answerBody = z.object({ answers, summary: z.string({ error: 'summary must be text' }).trim().max(4000, 'summary is longer than 4000 characters').nullable().optional() });
export const commentBody = z.object({
  atSeconds: z.number({ error: 'atSeconds must be a number of seconds' }).min(0, 'atSeconds must be at least 0'),
  itemId: z.string({ error: 'itemId must be text' }).min(1).max(40).optional(),
  text: text('text', 2000),
});
export const disputeBody = z.object({ reason: text('reason', 2000) });
export const resolveBody = z.discriminatedUnion('resolution', [z.object({ resolution: z.literal('upheld'), note: text('note', 2000) }), z.object({ resolution: z.literal('changed'), note: text('note', 2000), answers: answers.min(1, 'answers must not be empty') })], {
  error: 'resolution must be upheld or changed (with answers)',
});
export const listQuery = z.object({
  agent: z.union([z.literal('me'), positiveId('agent')]).optional(),
  status: z.enum(['draft', 'submitted', 'acknowledged', 'disputed', 'resolved'], { error: 'status must be one of: draft, submitted, acknowledged, disputed, resolved' }).optional(),
  recording: positiveId('recording').optional(),
  calibration: z.enum(['1', '0', 'true', 'false'], { error: 'calibration must be 1 or 0' }).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').optional(),
});

export function evaluationJson(e: EvaluationRow) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: e.id,
    recordingId: e.recordingId,
    scorecardVersionId: e.scorecardVersionId,
    evaluatorId: e.evaluatorId,
    agentId: e.agentId,
    calibration: e.calibration,
    status: e.status,
    score: e.score,
    criticalFailed: e.criticalFailed,
    summary: e.summary,
    createdAt: e.createdAt.toISOString(),
    submittedAt: iso(e.submittedAt),
    acknowledgedAt: iso(e.acknowledgedAt),
    disputeReason: e.disputeReason,
    disputedAt: iso(e.disputedAt),
    resolution: e.resolution,
    resolutionNote: e.resolutionNote,
    resolvedBy: e.resolvedBy,
    resolvedAt: iso(e.resolvedAt),
  };
}

/** A row of GET /api/evaluations: the evaluation with its answers, team, the call's start and who is who by name. */
export function evaluationListJson(e: EvaluationListRow) {
  return {
    ...evaluationJson(e),
    teamId: e.teamId,
    answers: parseAnswers(e.answers),
    recordingStartedAt: e.recordingStartedAt.toISOString(),
    agent: { id: e.agentId, name: e.agentName },
    evaluator: { id: e.evaluatorId, name: e.evaluatorName },
  };
}

export function commentJson(c: EvaluationCommentRow) {
  return { id: c.id, authorId: c.authorId, atSeconds: c.atSeconds, itemId: c.itemId, text: c.text, createdAt: c.createdAt.toISOString() };
}

function detailJson(d: EvaluationDetail) {
  return {
    ...evaluationJson(d.evaluation),
    answers: d.answers,
    scorecard: { scorecardId: d.version.scorecardId, ...versionJson(d.version) },
    comments: d.comments.map(commentJson),
    history: d.history.map((h) => ({ action: h.action, actorId: h.actorId, fromStatus: h.fromStatus, toStatus: h.toStatus, note: h.note, data: h.data ? (JSON.parse(h.data) as unknown) : null, at: h.at.toISOString() })),
  };
}

/** One evaluation with its answers, scorecard version, comments and history, as the console reads it. */
export type EvaluationDetailJson = ReturnType<typeof detailJson>;
export type EvaluationJson = ReturnType<typeof evaluationJson>;
export type EvaluationListItemJson = ReturnType<typeof evaluationListJson>;

export function evaluationRoutes(d: { evaluations: EvaluationsService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const evaluators = requireRole('quality_controller', 'supervisor');
  const readers = requireRole('agent', 'team_lead', 'quality_controller', 'supervisor');
  const router = Router();

  router.post('/api/recordings/:id/evaluations', signedIn, evaluators, (req, res) => {
    const { id } = idParam.parse(req.params);
    const { evaluation, created } = d.evaluations.open(currentStaff(res), id, openBody.parse(req.body ?? {}));
    const detail = d.evaluations.get(currentStaff(res), evaluation.id);
    res.status(created ? 201 : 200).location(`/api/evaluations/${evaluation.id}`).json(detailJson(detail));
  });

  router.get('/api/recordings/:id/calibration', signedIn, evaluators, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(d.evaluations.calibration(currentStaff(res), id));
  });

  router.get('/api/evaluations', signedIn, readers, (req, res) => {
    const q = listQuery.parse(req.query);
    const rows = d.evaluations.list(currentStaff(res), { agent: q.agent, status: q.status, recordingId: q.recording, calibration: q.calibration === undefined ? undefined : q.calibration === '1' || q.calibration === 'true', limit: q.limit });
    res.json(rows.map(evaluationListJson));
  });

  router.get('/api/evaluations/:id', signedIn, readers, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.get(currentStaff(res), id)));
  });

  router.put('/api/evaluations/:id/answers', signedIn, evaluators, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.answer(currentStaff(res), id, answerBody.parse(req.body ?? {}))));
  });

  router.post('/api/evaluations/:id/comments', signedIn, evaluators, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.status(201).json(commentJson(d.evaluations.comment(currentStaff(res), id, commentBody.parse(req.body ?? {}))));
  });

  router.post('/api/evaluations/:id/submit', signedIn, evaluators, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.submit(currentStaff(res), id)));
  });

  router.post('/api/evaluations/:id/acknowledge', signedIn, requireRole('agent'), (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.acknowledge(currentStaff(res), id)));
  });

  router.post('/api/evaluations/:id/dispute', signedIn, requireRole('agent'), (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.dispute(currentStaff(res), id, disputeBody.parse(req.body ?? {}).reason)));
  });

  router.post('/api/evaluations/:id/resolve', signedIn, requireRole('supervisor'), (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(d.evaluations.resolve({ ...currentStaff(res), ip: req.ip ?? null }, id, resolveBody.parse(req.body ?? {}))));
  });

  return router;
}
