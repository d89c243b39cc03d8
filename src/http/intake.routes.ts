// The order system's intake: orders and RMAs, one record or a batch, authenticated by an integration key only.
import express, { Router, type RequestHandler } from 'express';
import type { AuthService } from '../auth/auth.service';
import { Forbidden, Unauthorized } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import { MAX_BATCH, recordsOf } from '../intake/intake-records';
import type { IntakeService } from '../intake/intake.service';
import { summarize } from '../intake/intake.service';
import { KEY_PREFIX, type IntegrationKeysService, type IntegrationKeyView } from '../intake/integration-keys.service';
import { bearerToken } from './auth-middleware';

/** A full batch of records with their items; the staff API's 100 kB would not hold one. */
export const INTAKE_BODY_LIMIT = '8mb';

/**
 * Lets through only a valid, unrevoked integration key (`Authorization: Bearer ik_…` or `X-Integration-Key`); a staff
 * token is refused with 403, so a person's session can never feed orders in. The key goes to `res.locals.integrationKey`.
 */
export function requireIntegrationKey(d: { keys: Pick<IntegrationKeysService, 'authenticate' | 'denied'>; auth: Pick<AuthService, 'authenticate'>; clock: Clock }): RequestHandler {
  return (req, res, next) => {
    const header = req.get('x-integration-key')?.trim();
    const key = header || bearerToken(req.headers);
    const now = d.clock.now();
    if (!key) throw new Unauthorized('An integration key is required (Authorization: Bearer ik_… or X-Integration-Key)');
    if (!key.startsWith(KEY_PREFIX)) {
      let staff = false;
      try {
        d.auth.authenticate(key, now, { allowPendingPasswordChange: true });
        staff = true;
      } catch {
        // Neither a key nor a session: plain 401 below.
      }
      const why = staff ? 'Staff sign-ins cannot use the intake API; the order system uses an integration key' : 'Unknown integration key';
      d.keys.denied(staff ? 'staff-session' : 'not-a-key', why, now, req.ip ?? null);
      if (staff) throw new Forbidden(why);
      throw new Unauthorized(why);
    }
    res.locals.integrationKey = d.keys.authenticate(key, now, req.ip ?? null);
    next();
  };
}

export function intakeRoutes(d: {
  intake: IntakeService;
  keys: Pick<IntegrationKeysService, 'authenticate' | 'denied' | 'recordUse'>;
  auth: Pick<AuthService, 'authenticate'>;
  clock: Clock;
  log: Logger;
}): Router {
  const keyed = requireIntegrationKey(d);
  // Parsed only after the key is checked: nobody unauthenticated gets the server to read 8 MB.
  const body = express.json({ limit: INTAKE_BODY_LIMIT });
  const router = Router();

  const handler =
    (kind: 'order' | 'rma'): RequestHandler =>
    (req, res) => {
      const { batch, records } = recordsOf(req.body);
      const key = res.locals.integrationKey as IntegrationKeyView;
      const used = (outcome: 'success' | 'failed', detail: Record<string, unknown>) => d.keys.recordUse(key, { kind, outcome, detail }, d.clock.now(), req.ip ?? null);
      if (records.length > MAX_BATCH) {
        used('failed', { records: records.length, refused: 'too many records' });
        res.status(413).json({ error: 'payload_too_large', message: `At most ${MAX_BATCH} records per request (got ${records.length}); split the batch` });
        return;
      }
      if (batch && records.length === 0) {
        used('failed', { records: 0, refused: 'empty batch' });
        res.status(422).json({ error: 'invalid_record', message: 'records must not be empty', errors: [{ path: 'records', message: 'must not be empty' }] });
        return;
      }
      const results = kind === 'order' ? d.intake.orders(records) : d.intake.rmas(records);
      const summary = summarize(results);
      used(batch || results[0]?.result !== 'rejected' ? 'success' : 'failed', { batch, ...summary });
      d.log.info('intake', { kind, key: key.name, ...summary });
      if (!batch) {
        const [r] = results;
        if (r.result === 'rejected') {
          const errors = r.errors ?? [];
          res.status(422).json({ error: 'invalid_record', message: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), errors });
          return;
        }
        res.status(r.result === 'created' ? 201 : 200).json(r);
        return;
      }
      res.json({ ...summary, results });
    };

  router.post('/api/intake/orders', keyed, body, handler('order'));
  router.post('/api/intake/rmas', keyed, body, handler('rma'));
  return router;
}
