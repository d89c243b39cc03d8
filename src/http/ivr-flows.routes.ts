// A read-only view of the IVR flows the server loaded from ivr-flows/ (admins and supervisors): each flow with its nodes.
import { Router } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { Flow } from '../ivr/flow-schema';
import type { FlowRegistry } from '../ivr/flow-registry';
import { requireAuth, requireRole } from './auth-middleware';

/** One flow as the console shows it: the header, and the nodes in the file's order with their id beside their fields. */
export function flowJson(f: Flow) {
  return {
    id: f.id,
    description: f.description ?? null,
    numbers: f.numbers,
    purpose: f.purpose,
    start: f.start,
    defaultLanguage: f.defaultLanguage,
    nodes: Object.entries(f.nodes).map(([id, node]) => ({ ...node, id })),
  };
}

export type IvrFlowJson = ReturnType<typeof flowJson>;

export function ivrFlowRoutes(d: { flows: Pick<FlowRegistry, 'all'>; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.get('/api/ivr/flows', signedIn, requireRole('admin', 'supervisor'), (_req, res) => {
    res.json({ flows: d.flows.all().map(flowJson) });
  });

  return router;
}
