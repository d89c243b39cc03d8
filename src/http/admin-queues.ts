// The bull dashboard at /admin/queues, for admins only. A browser cannot send the bearer header on page loads, so an
// admin trades a one-time ticket (POST /api/auth/ws-ticket) at /admin/queues/login?ticket=… for an HttpOnly,
// SameSite=Strict cookie scoped to /admin/queues; the cookie stands for the token, which is checked on every request
// (a signed-out or demoted admin loses the dashboard at once). API clients may send the bearer header instead.
// The dashboard can retry, remove, clean, pause, empty and add jobs, so the audit trail gets each session opened
// (`queue_dashboard.opened`: a ticket traded, or the first request with the bearer header in 15 minutes; refused ones
// too) and each change made through it (`queue_dashboard.action`, with the operation, the queue and the answer's
// status; never a job's data). Each read within a session is not written down.
import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import type { AuditOutcome, AuditTrail } from '../audit/audit.repo';
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

/** What a change made through the dashboard's own API is: its queue (or every queue) and the operation. */
export function dashboardOperation(method: string, path: string): { queue: string; operation: string; jobId?: string } {
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  // api/queues/pause | api/queues/:queue/<op>[/:status] | api/queues/:queue/:jobId/<op>
  if (parts[0] !== 'api' || parts[1] !== 'queues') return { queue: '*', operation: `${method} ${parts.join('/')}` };
  if (parts.length === 3) return { queue: '*', operation: parts[2] };
  const [, , queue, ...rest] = parts;
  if (rest.length >= 2 && /^[\w:.-]+$/.test(rest[0]) && !['retry', 'clean', 'job-schedulers', 'rate-limit'].includes(rest[0])) {
    return { queue, jobId: rest[0], operation: rest.slice(1).join('/') };
  }
  return { queue, operation: rest.join('/') || method.toLowerCase() };
}

const outcomeOf = (status: number): AuditOutcome => (status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failed');

export function adminQueuesRoutes(d: { auth: Pick<AuthService, 'authenticate'>; tickets: WsTickets; dashboard: QueueDashboard; audit: AuditTrail; clock?: Clock; secureCookie?: boolean }): Router {
  const clock = d.clock ?? { now: () => new Date() };
  const sessions = new Map<string, { token: string; expiresAt: number }>();
  const router = Router();

  router.get(`${ADMIN_QUEUES_PATH}/login`, (req, res) => {
    const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : '';
    const token = ticket ? d.tickets.redeem(ticket, clock.now()) : undefined;
    if (!token) throw new Unauthorized('The ticket is missing, used or expired: get a new one from POST /api/auth/ws-ticket');
    const staff = d.auth.authenticate(token, clock.now());
    const opened = { at: clock.now(), actorId: staff.id, action: 'queue_dashboard.opened', subjectType: 'queue_dashboard', subjectId: ADMIN_QUEUES_PATH, ip: req.ip ?? null, detail: { role: staff.role } };
    if (staff.role !== 'admin') {
      d.audit.record({ ...opened, outcome: 'denied', reason: 'The queue dashboard is for admins' });
      throw new Forbidden('The queue dashboard is for admins');
    }
    d.audit.record(opened);
    const now = clock.now().getTime();
    for (const [id, s] of sessions) if (s.expiresAt <= now || sessions.size >= MAX_SESSIONS) sessions.delete(id);
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { token, expiresAt: now + SESSION_MS });
    const secure = d.secureCookie ? '; Secure' : '';
    res.set('Set-Cookie', `${COOKIE}=${id}; Path=${ADMIN_QUEUES_PATH}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure}`);
    res.set('Cache-Control', 'no-store').redirect(303, `${ADMIN_QUEUES_PATH}/`);
  });

  // Reading the dashboard with the bearer header (an API client, no ticket traded) is a session too: written once per
  // person per SESSION_MS, as a ticket's is.
  const bearerSeen = new Map<number, number>();
  const openedWithBearer = (staffId: number, now: number): boolean => {
    const last = bearerSeen.get(staffId);
    if (last !== undefined && now - last < SESSION_MS) return false;
    if (bearerSeen.size >= MAX_SESSIONS) bearerSeen.clear();
    bearerSeen.set(staffId, now);
    return true;
  };

  router.use(ADMIN_QUEUES_PATH, (req, res, next) => {
    const viaBearer = bearerToken(req.headers) !== undefined;
    let token = bearerToken(req.headers);
    if (!token) {
      const id = cookie(req, COOKIE);
      const s = id ? sessions.get(id) : undefined;
      if (s && s.expiresAt > clock.now().getTime()) token = s.token;
      else if (id) sessions.delete(id);
    }
    const staff = d.auth.authenticate(token, clock.now());
    const change = req.method !== 'GET' && req.method !== 'HEAD';
    const at = clock.now();
    const what = () => {
      const op = dashboardOperation(req.method, req.path);
      return { at, actorId: staff.id, action: 'queue_dashboard.action', subjectType: 'job_queue', subjectId: op.queue, ip: req.ip ?? null, detail: { operation: op.operation, ...(op.jobId ? { jobId: op.jobId } : {}), method: req.method } };
    };
    const opened = { at, actorId: staff.id, action: 'queue_dashboard.opened', subjectType: 'queue_dashboard', subjectId: ADMIN_QUEUES_PATH, ip: req.ip ?? null, detail: { role: staff.role, via: viaBearer ? 'bearer' : 'session' } };
    if (staff.role !== 'admin') {
      d.audit.record(change ? { ...what(), outcome: 'denied', reason: 'The queue dashboard is for admins' } : { ...opened, outcome: 'denied', reason: 'The queue dashboard is for admins' });
      throw new Forbidden('The queue dashboard is for admins');
    }
    if (viaBearer && openedWithBearer(staff.id, at.getTime())) d.audit.record(opened);
    // A change is written once it is answered, with how it went (bull-board answers 4xx/5xx when it could not).
    if (change) {
      res.once('finish', () => {
        const row = what();
        d.audit.record({ ...row, outcome: outcomeOf(res.statusCode), detail: { ...row.detail, status: res.statusCode } });
      });
    }
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(ADMIN_QUEUES_PATH, d.dashboard.handler);
  return router;
}
