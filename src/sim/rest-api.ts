// The Twilio REST subset's plumbing: Basic auth, form bodies, Twilio's error JSON and list pages; resources mount their routes on it.
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { CarrierContext } from './carrier-context';
import { callRoutes } from './rest-calls';
import { queueRoutes } from './rest-queues';
import { conferenceRoutes } from './rest-conferences';
import { recordingRoutes } from './rest-recordings';

export class RestError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

export function notFound(req: Request): RestError {
  return new RestError(404, 20404, `The requested resource ${req.originalUrl.split('?')[0]} was not found`);
}

/** A parsed form body: Twilio clients repeat a key for arrays (StatusCallbackEvent=a&StatusCallbackEvent=b). */
export interface Form {
  get(key: string): string | undefined;
  all(key: string): string[];
  bool(key: string): boolean | undefined;
  has(key: string): boolean;
}

export function form(req: Request): Form {
  const body = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
  const query = new URL(req.originalUrl, 'http://x').searchParams;
  const src = req.method === 'GET' || req.method === 'DELETE' ? query : body;
  return {
    get: (k) => src.get(k) ?? undefined,
    all: (k) => src.getAll(k),
    bool: (k) => (src.has(k) ? src.get(k)!.toLowerCase() === 'true' : undefined),
    has: (k) => src.has(k),
  };
}

/** `CA….json` → `CA…`; anything else is a 404. */
export function fileSid(req: Request, file: string, pattern: RegExp, ext = '.json'): string {
  if (!file.endsWith(ext)) throw notFound(req);
  const id = file.slice(0, -ext.length);
  if (!pattern.test(id)) throw notFound(req);
  return id;
}

export const CALL_SID = /^CA[0-9a-f]{32}$/;

/** One page of a Twilio list response (`PageSize`, `Page`), items under `key`. */
export function listPage<T>(req: Request, key: string, items: T[], render: (t: T) => object): object {
  const q = form(req);
  const size = Math.min(1000, Math.max(1, Number(q.get('PageSize') ?? 50) || 50));
  const pageNo = Math.max(0, Number(q.get('Page') ?? 0) || 0);
  const path = req.originalUrl.split('?')[0];
  const params = new URL(req.originalUrl, 'http://x').searchParams;
  const uriFor = (p: number) => {
    params.set('PageSize', String(size));
    params.set('Page', String(p));
    return `${path}?${params.toString()}`;
  };
  const slice = items.slice(pageNo * size, (pageNo + 1) * size);
  return {
    [key]: slice.map(render),
    end: pageNo * size + Math.max(0, slice.length - 1),
    first_page_uri: uriFor(0),
    next_page_uri: (pageNo + 1) * size < items.length ? uriFor(pageNo + 1) : null,
    page: pageNo,
    page_size: size,
    previous_page_uri: pageNo > 0 ? uriFor(pageNo - 1) : null,
    start: pageNo * size,
    uri: uriFor(pageNo),
  };
}

const MEDIA = /\/Recordings\/RE[0-9a-f]{32}(\.wav|\.mp3)?$/;

export function restApi(ctx: CarrierContext): Router {
  const api = express.Router({ mergeParams: true });
  api.use(express.text({ type: 'application/x-www-form-urlencoded', limit: '1mb' }));
  api.use((req: Request, _res: Response, next: NextFunction) => {
    const media = req.method === 'GET' && MEDIA.test(req.path);
    if (!media && !authorized(ctx, req.headers.authorization)) {
      return next(new RestError(401, 20003, 'Authenticate'));
    }
    if (req.params.accountSid !== ctx.opts.accountSid) return next(notFound(req));
    next();
  });
  callRoutes(api, ctx);
  queueRoutes(api, ctx);
  conferenceRoutes(api, ctx);
  recordingRoutes(api, ctx);
  api.use((req: Request, _res: Response, next: NextFunction) => next(notFound(req)));
  return api;
}

function authorized(ctx: CarrierContext, header: string | undefined): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = decoded.slice(0, i);
  const pass = decoded.slice(i + 1);
  const { accountSid, authToken, apiKeySid, apiKeySecret } = ctx.opts;
  return (user === accountSid && pass === authToken) || (!!apiKeySid && !!apiKeySecret && user === apiKeySid && pass === apiKeySecret);
}

/** Twilio's error body: `{code, message, more_info, status}`. */
export function restErrors(log: (msg: string, meta?: object) => void) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const e = err instanceof RestError ? err : new RestError(500, 20500, 'Internal Server Error');
    if (!(err instanceof RestError)) log('simulator REST error', { error: (err as Error)?.stack ?? String(err) });
    res.status(e.status).json({ code: e.code, message: e.message, more_info: `https://www.twilio.com/docs/errors/${e.code}`, status: e.status });
  };
}
