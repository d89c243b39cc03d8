// The scorecards API: quality controllers, supervisors and team leads read them; supervisors create and edit them
// (an edit of the definition is a new version).
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { ScorecardService, ScorecardVersion } from '../quality/scorecard.service';
import type { ScorecardRow } from '../quality/scorecards.repo';
import { scorecardDefinitionSchema } from '../quality/scorecards';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);
const name = z.string({ error: 'name must be text' }).trim().min(1, 'name must not be empty').max(200, 'name is longer than 200 characters');
const description = z.string({ error: 'description must be text' }).trim().max(2000, 'description is longer than 2000 characters').nullable();

export const createBody = z.object({ name, description: description.optional(), active: z.boolean({ error: 'active must be true or false' }).optional(), definition: scorecardDefinitionSchema });
export const updateBody = createBody.partial();

export function versionJson(v: ScorecardVersion) {
  return { id: v.id, version: v.version, definition: v.definition, createdBy: v.createdBy, createdAt: v.createdAt.toISOString() };
}

function scorecardJson(s: ScorecardRow & { current: ScorecardVersion }) {
  return { id: s.id, name: s.name, description: s.description, active: s.active, currentVersion: s.currentVersion, createdAt: s.createdAt.toISOString(), current: versionJson(s.current) };
}

export type ScorecardJson = ReturnType<typeof scorecardJson>;

export function scorecardRoutes(d: { scorecards: ScorecardService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const readers = requireRole('quality_controller', 'supervisor', 'team_lead');
  const router = Router();

  router.get('/api/scorecards', signedIn, readers, (_req, res) => {
    res.json(d.scorecards.list(currentStaff(res)).map(scorecardJson));
  });

  router.get('/api/scorecards/:id', signedIn, readers, (req, res) => {
    const { id } = z.object({ id: positiveId('id') }).parse(req.params);
    const s = d.scorecards.get(currentStaff(res), id);
    res.json({ ...scorecardJson(s), versions: s.versions.map((v) => ({ id: v.id, version: v.version, createdBy: v.createdBy, createdAt: v.createdAt.toISOString() })) });
  });

  router.get('/api/scorecards/:id/versions/:version', signedIn, readers, (req, res) => {
    const { id, version } = z.object({ id: positiveId('id'), version: positiveId('version') }).parse(req.params);
    res.json(versionJson(d.scorecards.version(currentStaff(res), id, version)));
  });

  router.post('/api/scorecards', signedIn, requireRole('supervisor'), (req, res) => {
    const s = d.scorecards.create({ ...currentStaff(res), ip: req.ip }, createBody.parse(req.body ?? {}));
    res.status(201).location(`/api/scorecards/${s.id}`).json(scorecardJson(s));
  });

  router.put('/api/scorecards/:id', signedIn, requireRole('supervisor'), (req, res) => {
    const { id } = z.object({ id: positiveId('id') }).parse(req.params);
    res.json(scorecardJson(d.scorecards.update({ ...currentStaff(res), ip: req.ip }, id, updateBody.parse(req.body ?? {}))));
  });

  return router;
}
