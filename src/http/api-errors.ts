// The one error mapper of the staff API: domain errors, bad input and bugs become JSON answers with the right status.
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { maskPhonesInPath, type Logger } from '../logging/logger';
import type { AuditTrail } from '../audit/audit.repo';
import type { Principal } from '../auth/auth.service';
import { Busy, Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized, Unprocessable } from '../errors/domain-errors';

export interface ApiErrorBody {
  error: string;
  message: string;
  details?: string[];
}

const DOMAIN: [new (...args: never[]) => DomainError, number, string][] = [
  [Unauthorized, 401, 'unauthorized'],
  [Forbidden, 403, 'forbidden'],
  [NotFound, 404, 'not_found'],
  [Conflict, 409, 'conflict'],
  [Invalid, 400, 'invalid'],
  [Unprocessable, 422, 'unprocessable'],
  [TooManyAttempts, 429, 'too_many_attempts'],
  [Busy, 503, 'busy'],
];

/** Errors raised by express's body parser and router carry a client status (and the parser's a `type`). */
interface ClientError {
  status: number;
  type?: string;
}

function isClientError(err: unknown): err is Error & ClientError {
  const e = err as Partial<ClientError> | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500;
}

/** Our own words for the body parser's errors: its messages can be a library's internals (zlib's "incorrect header check"). */
const PARSER_ERRORS: Record<string, [string, string]> = {
  'entity.parse.failed': ['invalid_json', 'The request body is not valid JSON'],
  'entity.too.large': ['payload_too_large', 'The request body is too large'],
  'encoding.unsupported': ['unsupported_media_type', 'Content-Encoding must be gzip, deflate, br or identity'],
  'charset.unsupported': ['unsupported_media_type', 'The request body must be UTF-8 JSON'],
  'request.aborted': ['bad_request', 'The request body ended early'],
  'request.size.invalid': ['bad_request', 'The request body does not match its Content-Length'],
};

function clientErrorBody(err: ClientError & { code?: unknown }): ApiErrorBody {
  if (err instanceof URIError) return { error: 'bad_request', message: 'The path has a malformed percent-escape (e.g. %zz)' };
  const known = err.type ? PARSER_ERRORS[err.type] : undefined;
  if (known) return { error: known[0], message: known[1] };
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR...) come through the parser with no type of their own.
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) return { error: 'bad_request', message: 'The request body could not be decompressed (check Content-Encoding)' };
  return { error: 'bad_request', message: 'The request could not be read' };
}

/** With `audit`, a signed-in person refused by a role or rule (403) is written to the audit trail as denied. */
export function apiErrorHandler(log: Logger, audit?: AuditTrail, clock: { now(): Date } = { now: () => new Date() }): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const send = (status: number, body: ApiErrorBody) => res.status(status).json(body);
    const who = res.locals.staff as Principal | undefined;
    if (audit && who && err instanceof Forbidden) {
      // The route's pattern, not the concrete path: ids stay in the pattern's place and phone numbers never land here.
      const route = (req.route as { path?: unknown } | undefined)?.path;
      const target = `${req.method} ${typeof route === 'string' ? req.baseUrl + route : maskPhonesInPath(req.path)}`;
      try {
        audit.record({ at: clock.now(), actorId: who.id, action: 'api.access_denied', subjectType: 'route', subjectId: target, outcome: 'denied', reason: err.message, ip: req.ip ?? null, detail: { role: who.role } });
      } catch (e) {
        log.error('could not audit a refused request', { err: String(e) });
      }
    }

    if (err instanceof DomainError) {
      const [, status, code] = DOMAIN.find(([type]) => err instanceof type) ?? [];
      if (status && code) {
        if (err instanceof TooManyAttempts || err instanceof Busy) res.set('Retry-After', String(err.retryAfterSeconds));
        return send(status, { error: code, message: err.message, ...((err instanceof Invalid || err instanceof Unprocessable) && err.details ? { details: err.details } : {}) });
      }
    }
    if (err instanceof ZodError) {
      const details = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      return send(400, { error: 'invalid', message: details.join('; '), details });
    }
    if (isClientError(err)) {
      // Never the parser's message: for malformed JSON it quotes part of the body, which may be a password.
      log.warn('api request refused', { method: req.method, path: maskPhonesInPath(req.path), status: err.status, type: err.type, code: (err as { code?: unknown }).code, name: err.name });
      return send(err.status, clientErrorBody(err));
    }
    log.error('api request failed', { method: req.method, path: maskPhonesInPath(req.path), err: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
    return send(500, { error: 'internal', message: 'Something went wrong; it has been logged' });
  };
}
