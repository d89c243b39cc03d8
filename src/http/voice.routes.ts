// The softphone API: an agent's browser fetches its Voice SDK access token here.
import { Router } from 'express';
import type { AuditTrail } from '../audit/audit.repo';
import type { AuthService } from '../auth/auth.service';
import type { Role } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import type { VoiceTokenIssuer } from '../telephony/voice-token';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

/** The positions that take or listen in on calls with a browser softphone (quality controllers listen in live too). */
export const SOFTPHONE_ROLES: readonly Role[] = ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'];

/** Which softphone the console runs: Twilio's Voice SDK (live), or the simulator's through /api/softphone/sim. */
export type SoftphoneMode = 'live' | 'simulator';

export interface VoiceTokenResponse {
  token: string;
  identity: string;
  expiresAt: string;
  mode: SoftphoneMode;
}

/**
 * `audit`: each token issued is written to the audit trail (`voice.token_issued`: who, the softphone identity, until
 * when, from where; never the token). A token lets its holder take calls as that softphone, so it is a credential.
 */
export function voiceRoutes(d: { auth: Pick<AuthService, 'authenticate'>; voiceToken: Pick<VoiceTokenIssuer, 'issue'>; audit: AuditTrail; clock?: Clock; mode?: SoftphoneMode }): Router {
  const router = Router();
  router.get('/api/voice/token', requireAuth(d.auth, d.clock), requireRole(...SOFTPHONE_ROLES), (req, res) => {
    const staff = currentStaff(res);
    const t = d.voiceToken.issue(staff);
    d.audit.record({ at: d.clock?.now() ?? new Date(), actorId: staff.id, action: 'voice.token_issued', subjectType: 'softphone', subjectId: t.identity, ip: req.ip ?? null, detail: { expiresAt: t.expiresAt.toISOString(), mode: d.mode ?? 'live' } });
    const body: VoiceTokenResponse = { token: t.token, identity: t.identity, expiresAt: t.expiresAt.toISOString(), mode: d.mode ?? 'live' };
    res.set('Cache-Control', 'no-store').json(body);
  });
  return router;
}
