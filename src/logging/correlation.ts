// Owns the correlation id: one id (the CallSid where there is one) carried by AsyncLocalStorage through a webhook, the
// carrier REST calls it makes and, through the outbox payload, the jobs it causes, so one search finds them all.
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<string>();

/** The key under which a job's payload carries the id of the webhook that caused it. */
export const CORRELATION_KEY = 'correlationId';

/** Runs `fn` with `id` as the correlation id of everything it does, synchronously or later (promises, timers). */
export function withCorrelation<T>(id: string | undefined, fn: () => T): T {
  return id ? store.run(id, fn) : fn();
}

export function correlationId(): string | undefined {
  return store.getStore();
}

/** A job payload with the current correlation id added (objects only; an id already there is kept). */
export function withCorrelationId(payload: unknown): unknown {
  const id = correlationId();
  if (!id || !payload || typeof payload !== 'object' || Array.isArray(payload) || CORRELATION_KEY in payload) return payload;
  return { ...payload, [CORRELATION_KEY]: id };
}

/** The correlation id a job's payload carries, if any. */
export function payloadCorrelationId(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const id = (payload as Record<string, unknown>)[CORRELATION_KEY];
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
