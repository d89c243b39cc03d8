// The REST API for staff (express); the carrier's webhooks are served beside it, not through it.
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { maskPhonesInPath, type Logger } from '../logging/logger';
import type { AuditTrail } from '../audit/audit.repo';
import { apiErrorHandler } from './api-errors';
import { trustFunction, type TrustProxy } from './trust-proxy';
import { homePage } from './home-page';
import { consoleFiles } from './console-files';
import type { HealthReport } from './health';
import type { ReadyReport } from './readiness';
import { metricsEndpoint, type MetricsSource } from '../metrics/metrics-endpoint';

export interface ApiDeps {
  log: Logger;
  health(): HealthReport;
  /** Event-loop lag, webhooks in flight and load shedding, for GET /health/load. */
  load?(): object;
  /** The modules' routers; each guards its own routes with requireAuth and requireRole. */
  routers: Router[];
  /** Whose X-Forwarded-For to believe for `req.ip` (TRUST_PROXY). @default 'loopback' */
  trustProxy?: TrustProxy;
  /** The audit trail: refused requests (403) of signed-in people are written to it. */
  audit?: AuditTrail;
  /** The clock of the audit rows written here. @default the system clock */
  clock?: { now(): Date };
  /** The built browser console (`npm run build:console`), served at /; without an index.html there, a plain page. */
  consoleDir?: string;
  /** GET /ready: whether this process should take traffic (src/http/readiness.ts). */
  ready?(): Promise<ReadyReport>;
  /** GET /metrics, served here only with a token (METRICS_TOKEN); the internal port serves it without (src/metrics/). */
  metrics?: { token?: string; source: MetricsSource };
  /**
   * The console's softphone is Twilio's Voice SDK (live mode): the page may reach Twilio's signalling and event
   * gateways (wss/https *.twilio.com) and play the SDK's ring sounds (sdk.twilio.com). Off in simulator mode.
   */
  liveSoftphone?: boolean;
}

/** What the Voice SDK reaches from the page, beyond the server itself. */
export const TWILIO_SOFTPHONE_CSP = {
  connectSrc: ["'self'", 'wss://*.twilio.com', 'https://*.twilio.com'],
  mediaSrc: ["'self'", 'https://sdk.twilio.com'],
};

export function createApiApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustFunction(d.trustProxy ?? ['loopback']));
  // No upgrade-insecure-requests: in simulator mode the server is reached over plain http on loopback.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, ...(d.liveSoftphone ? TWILIO_SOFTPHONE_CSP : {}) } } }));
  const consoleIndex = d.consoleDir && path.join(d.consoleDir, 'index.html');
  if (consoleIndex && fs.existsSync(consoleIndex)) {
    // Hashed file names: the assets never change (a year, immutable), the page always revalidates; both are sent as
    // the build's brotli or gzip copies when the browser takes them.
    app.use(consoleFiles(d.consoleDir!));
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send(homePage(d.health().simulator));
    });
  }
  // 'degraded' (Redis down: jobs wait, the phones work) still answers 200, so a load balancer keeps the server.
  app.get('/health', (_req, res) => {
    const h = d.health();
    res.status(h.ok ? 200 : 503).set('Cache-Control', 'no-store').json(h);
  });
  // Readiness is for the load balancer and the orchestrator: 503 while this process must not take traffic.
  const ready = d.ready;
  if (ready) {
    app.get('/ready', (_req, res, next) => {
      ready().then((r) => void res.status(r.ready ? 200 : 503).set('Cache-Control', 'no-store').json(r), next);
    });
  }
  if (d.metrics?.token) app.get('/metrics', metricsEndpoint(d.metrics.source, d.metrics.token, d.log));
  // No personal data: figures a load balancer, an operator or `npm run bench:day` reads (like /health, no token).
  app.get('/health/load', (_req, res) => {
    if (!d.load) return void res.status(404).json({ error: 'not_found', message: 'No load gauge in this process' });
    res.set('Cache-Control', 'no-store').json(d.load());
  });
  const staffJson = express.json({ limit: '100kb' });
  // The intake routes parse their own, larger bodies, after the integration key is checked (src/http/intake.routes.ts).
  const json: RequestHandler = (req, res, next) => (req.path.startsWith('/intake/') ? next() : staffJson(req, res, next));
  app.use('/api', noStore, wellFormedPath(d.log), jsonBodyOnly, json);
  for (const r of d.routers) app.use(r);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route' });
  });
  app.use(apiErrorHandler(d.log, d.audit, d.clock));
  return app;
}

/** Every /api answer may carry personal data (names, numbers, orders): no cache, shared or private, may keep it. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** A malformed percent-escape is the client's mistake: 400 and one line, before auth and before any route decodes it. */
function wellFormedPath(log: Logger): RequestHandler {
  return (req, res, next) => {
    try {
      decodeURIComponent(req.path);
      return next();
    } catch {
      log.warn('api request refused: malformed percent-escape in the path', { method: req.method, path: maskPhonesInPath(req.originalUrl.split('?')[0].slice(0, 200)) });
      res.status(400).json({ error: 'bad_request', message: 'The path has a malformed percent-escape (e.g. %zz)' });
    }
  };
}

/** The API speaks JSON only: a body of another type would otherwise be ignored and the request "succeed" unchanged. */
const jsonBodyOnly: RequestHandler = (req, res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody || !['POST', 'PUT', 'PATCH'].includes(req.method) || req.is(['application/json', 'application/*+json'])) return next();
  res.status(415).json({ error: 'unsupported_media_type', message: 'The request body must be JSON (Content-Type: application/json)' });
};
