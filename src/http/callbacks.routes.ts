// The callback list API: agents see their own and their desks' pools, dispatchers and supervisors list, reassign,
// reschedule, cancel and add; the do-not-call list; per-type callback settings. (The outcome of a call is the dialer's.)
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { CALLBACK_TYPES } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import { E164, type CallbackListService } from '../outbound/callback-list.service';
import type { DoNotCallEntry } from '../outbound/do-not-call.repo';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

const DESKS = ['front', 'middle', 'back'] as const;
const STATUSES = ['open', 'in_progress', 'done', 'failed'] as const;

const text = (name: string, max: number) => z.string({ error: `${name} must be text` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);
const instant = (name: string) => z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 time, e.g. 2026-11-30T07:00:00Z` }).transform((s) => new Date(s));
const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);
const phone = (name: string) => z.string({ error: `${name} must be text` }).trim().regex(E164, `${name} must be an E.164 number, e.g. +8613800138000`);
const priority = z.number({ error: 'priority must be a number' }).int('priority must be a whole number').min(0, 'priority must be 0 to 100').max(100, 'priority must be 0 to 100');
const auditedReason = z.string({ error: 'reason is required (it is audited)' }).trim().min(3, 'reason is required (it is audited)').max(500, 'reason is longer than 500 characters');
/** `a,b` or a repeated parameter: each must be one of `values`. */
const listOf = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z
    .union([z.string(), z.array(z.string())], { error: `${name} must be one or more of: ${values.join(', ')}` })
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `${name} must be one or more of: ${values.join(', ')}` })));

export const listQuery = z.strictObject({
  status: listOf('status', STATUSES).optional(),
  type: listOf('type', CALLBACK_TYPES).optional(),
  desk: listOf('desk', DESKS).optional(),
  /** An agent's id, or `none` for the pools. */
  owner: z.union([z.literal('none'), positiveId('owner')], { error: 'owner must be an agent id or none' }).optional(),
  dueBefore: instant('dueBefore').optional(),
  dueAfter: instant('dueAfter').optional(),
  phone: phone('phone').optional(),
  customerId: positiveId('customerId').optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  offset: z.coerce.number({ error: 'offset must be a number' }).int().min(0, 'offset must be 0 or more').max(1_000_000).default(0),
});

export const changeBody = z.strictObject({
  ownerId: z.union([z.null(), z.number().int().positive()], { error: 'ownerId must be an agent id, or null for the desk’s pool' }).optional(),
  dueAt: instant('dueAt').optional(),
  priority: priority.optional(),
  reason: auditedReason.optional(),
});

export const cancelBody = z.strictObject({ reason: auditedReason });

export const addBody = z.strictObject({
  phone: phone('phone').optional(),
  customerId: z.number({ error: 'customerId must be a number' }).int().positive().optional(),
  reason: text('reason', 500),
  desk: z.enum(DESKS, { error: `desk is required, one of: ${DESKS.join(', ')}` }),
  type: z.enum(CALLBACK_TYPES, { error: `type must be one of: ${CALLBACK_TYPES.join(', ')}` }).optional(),
  dueAt: instant('dueAt').optional(),
  ownerId: z.union([z.null(), z.number().int().positive()], { error: 'ownerId must be an agent id, or null for the desk’s pool' }).optional(),
  priority: priority.optional(),
  question: text('question', 2000).optional(),
  note: text('note', 500).optional(),
});

export const dncQuery = z.strictObject({
  phone: phone('phone').optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  offset: z.coerce.number({ error: 'offset must be a number' }).int().min(0, 'offset must be 0 or more').max(1_000_000).default(0),
});
export const dncBody = z.strictObject({ phone: phone('phone'), reason: auditedReason });
export const dncRemove = z.object({ reason: auditedReason });
export const typeParam = z.object({ type: z.enum(CALLBACK_TYPES, { error: `type must be one of: ${CALLBACK_TYPES.join(', ')}` }) });
export const settingBody = z
  .strictObject({
    mode: z.enum(['progressive', 'preview'], { error: 'mode must be progressive or preview' }).optional(),
    callingStart: z.string({ error: 'callingStart must be HH:MM' }).optional(),
    callingEnd: z.string({ error: 'callingEnd must be HH:MM' }).optional(),
    maxAttempts: z.number({ error: 'maxAttempts must be a number' }).int('maxAttempts must be a whole number').min(1, 'maxAttempts must be 1 to 20').max(20, 'maxAttempts must be 1 to 20').optional(),
    retryMinutes: z.number({ error: 'retryMinutes must be a number' }).int('retryMinutes must be a whole number').min(1, 'retryMinutes must be 1 to 1440').max(1440, 'retryMinutes must be 1 to 1440').optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Nothing to change: give mode, callingStart, callingEnd, maxAttempts or retryMinutes');

function dncJson(e: DoNotCallEntry) {
  return { phone: e.phone, reason: e.reason, addedBy: e.addedBy, addedAt: e.addedAt.toISOString() };
}

export function callbackRoutes(d: { service: CallbackListService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const actor = (req: { ip?: string }, res: Parameters<typeof currentStaff>[0]) => ({ ...currentStaff(res), ip: req.ip ?? null });
  const router = Router();

  router.get('/api/callbacks', signedIn, requireRole('agent', 'team_lead', 'dispatcher', 'supervisor'), (req, res) => {
    const q = listQuery.parse(req.query);
    const page = d.service.list(actor(req, res), {
      statuses: q.status,
      types: q.type,
      desks: q.desk,
      ownerId: q.owner === 'none' ? null : q.owner,
      dueBefore: q.dueBefore,
      dueAfter: q.dueAfter,
      phone: q.phone,
      customerId: q.customerId,
      limit: q.limit,
      offset: q.offset,
    });
    res.json({ items: page.items, offset: q.offset, limit: q.limit, nextOffset: page.more ? q.offset + q.limit : null });
  });

  router.post('/api/callbacks', signedIn, requireRole('agent', 'dispatcher', 'supervisor'), (req, res) => {
    const item = d.service.add(actor(req, res), addBody.parse(req.body ?? {}));
    res.status(201).location(`/api/callbacks/${item.id}`).json(item);
  });

  router.get('/api/callbacks/:id', numericId, signedIn, requireRole('agent', 'team_lead', 'dispatcher', 'supervisor'), (req, res) => {
    res.json(d.service.get(actor(req, res), Number(req.params.id)));
  });

  router.patch('/api/callbacks/:id', numericId, signedIn, requireRole('agent', 'dispatcher', 'supervisor'), (req, res) => {
    res.json(d.service.change(actor(req, res), Number(req.params.id), changeBody.parse(req.body ?? {})));
  });

  router.post('/api/callbacks/:id/cancel', numericId, signedIn, requireRole('dispatcher', 'supervisor'), (req, res) => {
    res.json(d.service.cancel(actor(req, res), Number(req.params.id), cancelBody.parse(req.body ?? {}).reason));
  });

  const dncRoles = requireRole('dispatcher', 'supervisor', 'admin');
  router.get('/api/do-not-call', signedIn, dncRoles, (req, res) => {
    const q = dncQuery.parse(req.query);
    const page = d.service.doNotCallList(q);
    res.json({ entries: page.entries.map(dncJson), offset: q.offset, limit: q.limit, nextOffset: page.more ? q.offset + q.limit : null });
  });

  router.post('/api/do-not-call', signedIn, dncRoles, (req, res) => {
    const body = dncBody.parse(req.body ?? {});
    const r = d.service.addDoNotCall(actor(req, res), body.phone, body.reason);
    res.status(r.added ? 201 : 200).json({ ...dncJson(r.entry), added: r.added, closedCallbacks: r.closedCallbacks });
  });

  router.delete('/api/do-not-call/:phone', signedIn, dncRoles, (req, res) => {
    const number = phone('phone').parse(req.params.phone);
    // The reason may come as JSON or, since some clients send no body with DELETE, as ?reason=.
    const { reason } = dncRemove.parse({ reason: (req.body as { reason?: unknown } | undefined)?.reason ?? req.query.reason });
    d.service.removeDoNotCall(actor(req, res), number, reason);
    res.status(204).end();
  });

  router.get('/api/callback-settings', signedIn, requireRole('team_lead', 'dispatcher', 'supervisor', 'admin'), (_req, res) => {
    res.json(d.service.settings());
  });

  router.patch('/api/callback-settings/:type', signedIn, requireRole('supervisor', 'admin'), (req, res) => {
    const { type } = typeParam.parse(req.params);
    res.json(d.service.changeSetting(actor(req, res), type, settingBody.parse(req.body ?? {})));
  });

  return router;
}
