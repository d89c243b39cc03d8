// The carrier's door: checks every webhook's signature, parses it, and always answers valid TwiML fast.
import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import type { Logger } from '../logging/logger';
import { maskPhone } from '../logging/logger';
import { correlationId, withCorrelation } from '../logging/correlation';
import type { LoadGauge } from './load-shedding';

export type WebhookParams = Record<string, string>;

export interface WebhookRoute {
  /** twiml: a caller hears the answer, so failures answer the fallback. status: a notification, answered empty. */
  kind: 'twiml' | 'status';
  /** Conference and recording callbacks may carry no CallSid (they name a ConferenceSid instead). */
  callSidOptional?: boolean;
  handle(params: WebhookParams, query: URLSearchParams, log: Logger): string;
  /** While the server sheds load: a cheaper answer (no IVR, no figures), used instead of handle. */
  shed?(params: WebhookParams, query: URLSearchParams, log: Logger): string;
}

/**
 * The query parameter `name` of a webhook URL the server wrote itself (an interaction, attempt or session id, an IVR
 * step) as a whole number >= 1; otherwise an Error "bad <what> <the value>" (the route answers its fallback).
 */
export function idParam(q: URLSearchParams, name: string, what: string): number {
  const n = Number(q.get(name));
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad ${what} ${JSON.stringify(q.get(name))}`);
  return n;
}

export interface WebhookServerOptions {
  authToken: string;
  publicBaseUrl: string;
  routes: Record<string, WebhookRoute>;
  log: Logger;
  fallbackTwiml: string;
  emptyTwiml: string;
  /** Called (best effort) after a caller was given the fallback, so the fallback queue knows about them. */
  onFallback?(params: WebhookParams): void;
  /** Shares one database transaction among the webhooks of an event-loop turn; each is answered after its commit. */
  groupCommit?: { run<T>(work: () => T, after: (outcome: { committed: true; value: T } | { committed: false }) => void): void };
  /** Told of each answer (seconds from the request's arrival), fallback and signature rejection (src/metrics/). */
  observe?: WebhookObserver;
  /** Counts webhooks in flight and says when to shed: routes with a `shed` answer use it then. */
  load?: LoadGauge;
}

export interface WebhookObserver {
  answered(route: string, seconds: number): void;
  fallback(route: string): void;
  rejected(route: string): void;
}

const MAX_BODY = 64 * 1024;
/** What helmet would add that matters here: TwiML may name the caller, so no cache keeps it, and no sniffing. */
const HARDENING = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
const XML = { 'Content-Type': 'text/xml; charset=utf-8', ...HARDENING };
const CALL_SID = /^CA[0-9a-f]{32}$/;

/** Returns a node:http handler for /twilio/*; express never sees these requests (they are the hot path). */
export function createWebhookHandler(o: WebhookServerOptions) {
  const routes = new Map(Object.entries(o.routes));

  return function handleWebhook(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = routes.get(path);
    if (!route) return plain(res, 404, 'Not found');
    if (req.method !== 'POST') return plain(res, 405, 'Method not allowed');
    const started = performance.now();

    const refuse = () => {
      o.log.warn('webhook refused: body over the limit; connection closed', { path, limit: MAX_BODY });
      tooLarge(req, res);
    };
    if (Number(req.headers['content-length']) > MAX_BODY) return refuse();
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      refuse();
    };
    req.on('data', onData);
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > MAX_BODY) return;
      const params = formParams(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      const signature = req.headers['x-twilio-signature'];
      if (typeof signature !== 'string' || !twilio.validateRequest(o.authToken, signature, o.publicBaseUrl + url, params)) {
        o.log.warn('webhook rejected: bad or missing X-Twilio-Signature', { path, callSid: params.CallSid, from: maskPhone(params.From) });
        o.observe?.rejected(path);
        return plain(res, 403, 'Forbidden');
      }
      // The CallSid (or the conference's or recording's SID) follows everything this webhook causes, in every log line.
      withCorrelation(params.CallSid ?? params.ConferenceSid ?? params.RecordingSid, () => answer(route, params, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), path, res, started));
    });
  };

  function answer(matched: WebhookRoute, params: WebhookParams, query: URLSearchParams, path: string, res: ServerResponse, started: number) {
    const log = lazyChild(o.log, { callSid: params.CallSid, path });
    const load = o.load;
    const begun = load?.begin() ?? 0;
    const send = (body: string) => {
      load?.end(begun);
      res.writeHead(200, XML);
      res.end(body);
      const seconds = (performance.now() - started) / 1000;
      o.observe?.answered(path, seconds);
      if (o.log.isDebugEnabled()) o.log.debug('webhook answered', { path, ms: Math.round(seconds * 1000) });
    };
    const route: WebhookRoute = matched.shed && load?.shedding() ? { ...matched, handle: matched.shed } : matched;
    if (!o.groupCommit) return send(handle(route, params, query, log, path));
    const id = correlationId();
    o.groupCommit.run(
      () => handle(route, params, query, log, path),
      // Answered in the turn that commits the group: back in this webhook's own correlation id.
      (outcome) =>
        withCorrelation(id, () => {
          if (outcome.committed) return send(outcome.value);
          log.error('webhook lost with its transaction (also when retried alone); answering the safe fallback', { from: maskPhone(params.From) });
          send(fallback(route, params, log, path));
        }),
    );
  }

  /** The route's answer; whatever fails inside is logged and answered with the safe fallback, never a 5xx. */
  function handle(route: WebhookRoute, params: WebhookParams, query: URLSearchParams, log: Logger, path: string): string {
    try {
      if (!(route.callSidOptional && params.CallSid === undefined) && !CALL_SID.test(params.CallSid ?? '')) throw new Error(`missing or malformed CallSid ${JSON.stringify(params.CallSid ?? '')}`);
      return route.handle(params, query, log);
    } catch (err) {
      log.error('webhook failed; answering the safe fallback', { err: errorText(err), stack: (err as Error).stack, from: maskPhone(params.From) });
      return fallback(route, params, log, path);
    }
  }

  function fallback(route: WebhookRoute, params: WebhookParams, log: Logger, path: string): string {
    if (route.kind === 'status') return o.emptyTwiml;
    o.observe?.fallback(path);
    try {
      if (CALL_SID.test(params.CallSid ?? '')) o.onFallback?.(params);
    } catch (e) {
      log.error('could not record the fallback queue entry', { err: errorText(e) });
    }
    return o.fallbackTwiml;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...HARDENING });
  res.end(text);
}

/** Answers 413 and closes the connection: the rest of an oversized body is never read. */
function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close', ...HARDENING });
  res.end('Payload too large', () => req.socket.destroy());
}

/** Form parameters in a null-prototype object: a key like `__proto__` or `constructor` is only a key. First one wins. */
function formParams(body: Buffer): WebhookParams {
  const params = Object.create(null) as WebhookParams;
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!Object.hasOwn(params, k)) params[k] = v;
  return params;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A child logger made on first use: most webhooks log nothing, and winston's child() is not free. */
function lazyChild(log: Logger, meta: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  return new Proxy(log, {
    get(_target, prop) {
      child ??= log.child(meta);
      const value = Reflect.get(child, prop, child) as unknown;
      return typeof value === 'function' ? value.bind(child) : value;
    },
  });
}
