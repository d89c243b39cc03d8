// The sign-in API: log in for a bearer token, log out, and who am I.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { bearerToken, currentStaff, requireAuth } from './auth-middleware';

const loginBody = z.object({
  username: z.string({ error: 'username is required' }).trim().min(1, 'username is required').max(64),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(256),
});

export function authRoutes(d: { auth: AuthService; clock?: Clock }): Router {
  const clock = d.clock ?? { now: () => new Date() };
  const signedIn = requireAuth(d.auth, clock);
  const router = Router();

  router.post('/api/auth/login', async (req, res) => {
    const { username, password } = loginBody.parse(req.body ?? {});
    const r = await d.auth.login(username, password, req.ip ?? 'unknown', clock.now());
    res.set('Cache-Control', 'no-store').json({ token: r.token, expiresAt: r.expiresAt.toISOString(), staff: r.staff });
  });

  router.post('/api/auth/logout', signedIn, (req, res) => {
    d.auth.logout(bearerToken(req.headers)!, clock.now());
    res.status(204).end();
  });

  router.get('/api/auth/me', signedIn, (_req, res) => {
    res.json(currentStaff(res));
  });

  return router;
}
