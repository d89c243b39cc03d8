// Guards the staff API: who is calling (bearer token) and whether their role may use a route.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Role } from '../db/schema/index';
import { Forbidden, Unauthorized } from '../errors/domain-errors';
import type { AuthService, AuthenticateOptions, Principal } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';

const systemClock: Clock = { now: () => new Date() };

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * Rejects the request with 401 unless it carries a valid token, and with 403 while the account must change its
 * password (unless `opts` allows it); the principal goes to `res.locals.staff`.
 */
export function requireAuth(auth: Pick<AuthService, 'authenticate'>, clock: Clock = systemClock, opts: AuthenticateOptions = {}): RequestHandler {
  return (req, res, next) => {
    res.locals.staff = auth.authenticate(bearerToken(req.headers), clock.now(), opts);
    next();
  };
}

/** Rejects with 403 unless the signed-in staff member has one of `roles`; mount after requireAuth. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const staff = currentStaff(res);
    if (!roles.includes(staff.role)) throw new Forbidden(`This needs one of the roles: ${roles.join(', ')}`);
    next();
  };
}

/** The principal set by requireAuth. */
export function currentStaff(res: Response): Principal {
  const staff = res.locals.staff as Principal | undefined;
  if (!staff) throw new Unauthorized('Sign in first');
  return staff;
}
