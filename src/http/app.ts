// The REST API for staff (express); the carrier's webhooks are served beside it, not through it.
import express, { type Router } from 'express';
import type { Logger } from '../logging/logger';
import { apiErrorHandler } from './api-errors';
import type { HealthReport } from './health';

export interface ApiDeps {
  log: Logger;
  health(): HealthReport;
  /** The modules' routers; each guards its own routes with requireAuth and requireRole. */
  routers: Router[];
}

export function createApiApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // 'degraded' (Redis down: jobs wait, the phones work) still answers 200, so a load balancer keeps the server.
  app.get('/health', (_req, res) => {
    const h = d.health();
    res.status(h.ok ? 200 : 503).set('Cache-Control', 'no-store').json(h);
  });
  app.use('/api', express.json({ limit: '100kb' }));
  for (const r of d.routers) app.use(r);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route' });
  });
  app.use(apiErrorHandler(d.log));
  return app;
}
