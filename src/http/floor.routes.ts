// The live floor for dispatchers and leads: the snapshot a wallboard loads before following the WebSocket feed, and
// the floor's alerts (active, history, and the thresholds supervisors set).
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { ALERT_KINDS } from '../db/schema/index';
import type { AlertsService, FloorAlert } from '../floor/alerts.service';
import { floorScope, type FloorFeed } from '../floor/floor-feed';
import type { Clock } from '../ivr/ivr-call.service';
import { Invalid } from '../errors/domain-errors';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const settingFields = z.strictObject({
  enabled: z.boolean().optional(),
  raiseAt: z.number().finite().min(0).optional(),
  clearAt: z.number().finite().min(0).optional(),
  holdSeconds: z.number().int('a whole number of seconds').min(0).max(3600).optional(),
  minCalls: z.number().int('a whole number').min(0).max(10_000).optional(),
});
/** Only the kinds and fields given change: `{"longest_wait": {"raiseAt": 90, "clearAt": 45}}`. */
export const settingsBody = z.strictObject(Object.fromEntries(ALERT_KINDS.map((k) => [k, settingFields.optional()])) as Record<(typeof ALERT_KINDS)[number], z.ZodOptional<typeof settingFields>>);

const isoDate = z.iso.datetime({ offset: true, message: 'an ISO date-time like 2026-11-23T00:00:00Z' });
export const historyQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function floorRoutes(d: { auth: AuthService; feed: Pick<FloorFeed, 'snapshotFor' | 'changed'>; alerts: AlertsService; clock?: Clock }): Router {
  const router = Router();
  const signedIn = requireAuth(d.auth, d.clock);
  const watchers = requireRole('dispatcher', 'team_lead', 'supervisor', 'admin');
  const now = () => d.clock?.now() ?? new Date();
  // A team lead sees their own team's agent alerts; the others see every alert.
  const visible = (alerts: FloorAlert[], staff: ReturnType<typeof currentStaff>) =>
    floorScope(staff) === 'all' ? alerts : alerts.filter((a) => a.agentId !== null && a.teamId !== null && a.teamId === staff.teamId);

  router.get('/api/floor', signedIn, watchers, (_req, res) => {
    const { type: _type, ...snapshot } = d.feed.snapshotFor(currentStaff(res), { fresh: true });
    res.set('Cache-Control', 'no-store').json(snapshot);
  });

  router.get('/api/alerts', signedIn, watchers, (req, res) => {
    const q = historyQuery.parse(req.query);
    const to = q.to ? new Date(q.to) : new Date(now().getTime() + 1);
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3600_000);
    if (from >= to) throw new Invalid('from must be before to');
    const staff = currentStaff(res);
    res.set('Cache-Control', 'no-store').json({ active: visible(d.alerts.active(), staff), history: visible(d.alerts.history({ from, to, limit: q.limit ?? 200 }), staff) });
  });

  router.get('/api/alerts/settings', signedIn, watchers, (_req, res) => {
    res.json({ settings: d.alerts.settings() });
  });

  router.put('/api/alerts/settings', signedIn, requireRole('supervisor', 'admin'), (req, res) => {
    const change = settingsBody.parse(req.body ?? {});
    const settings = d.alerts.updateSettings(change, currentStaff(res), now(), req.ip);
    // The new thresholds are judged at once, not at the next refresh.
    d.feed.changed();
    res.json({ settings });
  });

  return router;
}
