// The one error mapper of the staff API: domain errors, bad input and bugs become JSON answers with the right status.
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logging/logger';
import { Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized } from '../errors/domain-errors';

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
  [TooManyAttempts, 429, 'too_many_attempts'],
];

/** Errors raised by express's own body parsers carry a client status and a `type`. */
interface ParserError {
  status: number;
  type?: string;
  expose?: boolean;
}

function isParserError(err: unknown): err is Error & ParserError {
  const e = err as Partial<ParserError> | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
}

export function apiErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const send = (status: number, body: ApiErrorBody) => res.status(status).json(body);

    if (err instanceof DomainError) {
      const [, status, code] = DOMAIN.find(([type]) => err instanceof type) ?? [];
      if (status && code) {
        if (err instanceof TooManyAttempts) res.set('Retry-After', String(err.retryAfterSeconds));
        return send(status, { error: code, message: err.message, ...(err instanceof Invalid && err.details ? { details: err.details } : {}) });
      }
    }
    if (err instanceof ZodError) {
      const details = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
      return send(400, { error: 'invalid', message: details.join('; '), details });
    }
    if (isParserError(err)) {
      if (err.type === 'entity.parse.failed') return send(400, { error: 'invalid_json', message: 'The request body is not valid JSON' });
      return send(err.status, { error: 'bad_request', message: err.message });
    }
    log.error('api request failed', { method: req.method, path: req.path, err: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
    return send(500, { error: 'internal', message: 'Something went wrong; it has been logged' });
  };
}
