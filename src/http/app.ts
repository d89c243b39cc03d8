// The REST API for staff (express); the carrier's webhooks are served beside it, not through it.
import express from 'express';
import type { Logger } from '../logging/logger';

export interface ApiDeps {
  log: Logger;
  health(): { ok: boolean; simulator: boolean };
}

export function createApiApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    const h = d.health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route' });
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    d.log.error('api request failed', { err: err.message });
    res.status(500).json({ error: 'internal', message: 'Something went wrong; it has been logged' });
  });
  return app;
}
