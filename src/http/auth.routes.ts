// The sign-in API: log in for a bearer token, change one's own password, WebSocket tickets, log out, and who am I.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService, LoginResult } from '../auth/auth.service';
import { PASSWORD_MAX_LENGTH } from '../auth/password-policy';
import type { WsTickets } from '../auth/ws-tickets';
import type { Clock } from '../ivr/ivr-call.service';
import { bearerToken, currentStaff, requireAuth } from './auth-middleware';

export const loginBody = z.object({
  username: z.string({ error: 'username is required' }).trim().min(1, 'username is required').max(64),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(PASSWORD_MAX_LENGTH),
});

export const passwordChangeBody = z.object({
  currentPassword: z.string({ error: 'currentPassword is required' }).min(1, 'currentPassword is required').max(PASSWORD_MAX_LENGTH),
  newPassword: z.string({ error: 'newPassword is required' }).max(PASSWORD_MAX_LENGTH),
});

function sessionJson(r: LoginResult) {
  return { token: r.token, expiresAt: r.expiresAt.toISOString(), staff: r.staff, mustChangePassword: r.mustChangePassword };
}

export function authRoutes(d: { auth: AuthService; tickets?: WsTickets; clock?: Clock; presence?: { signedOut(agentId: number): void } }): Router {
  const clock = d.clock ?? { now: () => new Date() };
  const signedIn = requireAuth(d.auth, clock);
  // The few routes an account that must change its password may still use.
  const signedInPendingChange = requireAuth(d.auth, clock, { allowPendingPasswordChange: true });
  const router = Router();

  router.post('/api/auth/login', async (req, res) => {
    const { username, password } = loginBody.parse(req.body ?? {});
    const r = await d.auth.login(username, password, req.ip ?? 'unknown', clock.now());
    res.set('Cache-Control', 'no-store').json(sessionJson(r));
  });

  router.post('/api/auth/password', signedInPendingChange, async (req, res) => {
    const { currentPassword, newPassword } = passwordChangeBody.parse(req.body ?? {});
    const r = await d.auth.changePassword(currentStaff(res), currentPassword, newPassword, req.ip ?? 'unknown', clock.now());
    res.set('Cache-Control', 'no-store').json(sessionJson(r));
  });

  if (d.tickets) {
    const tickets = d.tickets;
    router.post('/api/auth/ws-ticket', signedIn, (req, res) => {
      const t = tickets.issue(bearerToken(req.headers)!, currentStaff(res).id, clock.now());
      res.set('Cache-Control', 'no-store').json({ ticket: t.ticket, expiresAt: t.expiresAt.toISOString() });
    });
  }

  router.post('/api/auth/logout', signedInPendingChange, (req, res) => {
    const me = currentStaff(res);
    // An agent who signs out leaves the floor (offline now, or after the call in hand), whatever client they used.
    if (me.role === 'agent') d.presence?.signedOut(me.id);
    d.auth.logout(bearerToken(req.headers)!, clock.now(), req.ip ?? null);
    res.status(204).end();
  });

  router.get('/api/auth/me', signedInPendingChange, (_req, res) => {
    res.json(currentStaff(res));
  });

  return router;
}
