// Serves GET /metrics: on the main port behind a bearer token (METRICS_TOKEN), or on an internal port without one.
import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger';

export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Whether `header` is `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return !!m && timingSafeEqual(sha(m[1]), sha(token));
}

/** A node:http/express handler: the exposition text, or 401 without the token (when one is required). */
export function metricsEndpoint(source: MetricsSource, token: string | undefined, log: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' });
      res.end('The metrics need Authorization: Bearer <METRICS_TOKEN>');
      return;
    }
    source.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': source.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      },
      (err: unknown) => {
        log.error('metrics could not be collected', { err: String(err) });
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Metrics could not be collected; see the log');
      },
    );
  };
}

/** The internal metrics port (METRICS_PORT, WORKER_METRICS_PORT): GET /metrics only, no token, meant for loopback. */
export function startMetricsServer(source: MetricsSource, o: { port: number; host: string; log: Logger }): Promise<http.Server> {
  const handle = metricsEndpoint(source, undefined, o.log);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('Only /metrics here');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET' });
      return void res.end('Method not allowed');
    }
    handle(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
