// The bull dashboard at /admin/queues, for admins only. A browser cannot send the bearer header on page loads, so an
// admin trades a one-time ticket (POST /api/auth/ws-ticket) at /admin/queues/login?ticket=… for an HttpOnly,
// SameSite=Strict cookie scoped to /admin/queues; the cookie stands for the token, which is checked on every request
// (a signed-out or demoted admin loses the dashboard at once). API clients may send the bearer header instead.
import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { WsTickets } from '../auth/ws-tickets';
import { Forbidden, Unauthorized } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import type { QueueDashboard } from '../jobs/bull-board';
import { bearerToken } from './auth-middleware';

export const ADMIN_QUEUES_PATH = '/admin/queues';
const COOKIE = 'hotline_queues';
/** How long a dashboard session lasts after the ticket was traded. */
const SESSION_MS = 15 * 60_000;
const MAX_SESSIONS = 1000;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function adminQueuesRoutes(d: { auth: Pick<AuthService, 'authenticate'>; tickets: WsTickets; dashboard: QueueDashboard; clock?: Clock; secureCookie?: boolean }): Router {
  const clock = d.clock ?? { now: () => new Date() };
  const sessions = new Map<string, { token: string; expiresAt: number }>();
  const router = Router();

  router.get(`${ADMIN_QUEUES_PATH}/login`, (req, res) => {
    const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : '';
    const token = ticket ? d.tickets.redeem(ticket, clock.now()) : undefined;
    if (!token) throw new Unauthorized('The ticket is missing, used or expired: get a new one from POST /api/auth/ws-ticket');
    const staff = d.auth.authenticate(token, clock.now());
    if (staff.role !== 'admin') throw new Forbidden('The queue dashboard is for admins');
    const now = clock.now().getTime();
    for (const [id, s] of sessions) if (s.expiresAt <= now || sessions.size >= MAX_SESSIONS) sessions.delete(id);
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { token, expiresAt: now + SESSION_MS });
    const secure = d.secureCookie ? '; Secure' : '';
    res.set('Set-Cookie', `${COOKIE}=${id}; Path=${ADMIN_QUEUES_PATH}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure}`);
    res.set('Cache-Control', 'no-store').redirect(303, `${ADMIN_QUEUES_PATH}/`);
  });

  router.use(ADMIN_QUEUES_PATH, (req, res, next) => {
    let token = bearerToken(req.headers);
    if (!token) {
      const id = cookie(req, COOKIE);
      const s = id ? sessions.get(id) : undefined;
      if (s && s.expiresAt > clock.now().getTime()) token = s.token;
      else if (id) sessions.delete(id);
    }
    const staff = d.auth.authenticate(token, clock.now());
    if (staff.role !== 'admin') throw new Forbidden('The queue dashboard is for admins');
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(ADMIN_QUEUES_PATH, d.dashboard.handler);
  return router;
}
