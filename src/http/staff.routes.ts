// The staff administration API: accounts (admins write, supervisors read) and teams.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { DEPARTMENTS, ROLES } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import type { StaffAccount, StaffListing, TeamWithMembers } from '../staff/staff-admin.repo';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password-policy';
import type { StaffAdminService } from '../staff/staff-admin.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

const displayName = z.string().trim().min(1, 'must not be empty').max(100);
const teamId = z.number().int().positive().nullable();
const department = z.enum(DEPARTMENTS).nullable();

export const newStaffBody = z.strictObject({
  username: z
    .string({ error: 'username is required' })
    .trim()
    .min(2, 'at least 2 characters')
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, hyphen and underscore only'),
  displayName,
  role: z.enum(ROLES),
  teamId: teamId.optional(),
  department: department.optional(),
  password: z.string({ error: 'password is required' }).min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH),
});

/** Without a password, the server makes a random one and returns it once. */
export const passwordResetBody = z.strictObject({ password: z.string().max(PASSWORD_MAX_LENGTH).optional() });

export const staffChangesBody = z
  .strictObject({ displayName: displayName.optional(), role: z.enum(ROLES).optional(), teamId: teamId.optional(), department: department.optional(), active: z.boolean().optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'send at least one of displayName, role, teamId, department, active');

function accountJson(a: StaffAccount) {
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, teamId: a.teamId, department: a.department, active: a.active, createdAt: a.createdAt.toISOString() };
}

/** Never the password hash: only the fields listed here leave the server. */
export function staffJson(s: StaffListing) {
  return { ...accountJson(s), team: s.team, desks: s.desks };
}

function teamJson(t: TeamWithMembers) {
  return { id: t.id, name: t.name, leadId: t.leadId, members: t.members.map(accountJson) };
}

export type StaffJson = ReturnType<typeof staffJson>;
export type TeamJson = ReturnType<typeof teamJson>;

export function staffRoutes(d: { auth: AuthService; staffAdmin: StaffAdminService; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.get('/api/staff', signedIn, requireRole('admin', 'supervisor'), (_req, res) => {
    res.json({ staff: d.staffAdmin.list().map(staffJson) });
  });

  router.post('/api/staff', signedIn, requireRole('admin'), async (req, res) => {
    const body = newStaffBody.parse(req.body ?? {});
    res.status(201).json(staffJson(await d.staffAdmin.create(body, { id: currentStaff(res).id, ip: req.ip })));
  });

  router.patch('/api/staff/:id', numericId, signedIn, requireRole('admin'), async (req, res) => {
    const changes = staffChangesBody.parse(req.body ?? {});
    res.json(staffJson(await d.staffAdmin.update(Number(req.params.id), changes, { id: currentStaff(res).id, ip: req.ip })));
  });

  router.post('/api/staff/:id/password-reset', numericId, signedIn, requireRole('admin'), async (req, res) => {
    const { password } = passwordResetBody.parse(req.body ?? {});
    const r = await d.staffAdmin.resetPassword(Number(req.params.id), password, { id: currentStaff(res).id, ip: req.ip });
    res.set('Cache-Control', 'no-store').json({ id: Number(req.params.id), username: r.username, mustChangePassword: true, ...(r.temporaryPassword ? { temporaryPassword: r.temporaryPassword } : {}) });
  });

  router.get('/api/teams', signedIn, requireRole('team_lead', 'dispatcher', 'supervisor', 'admin'), (_req, res) => {
    res.json({ teams: d.staffAdmin.teams(currentStaff(res)).map(teamJson) });
  });

  return router;
}
