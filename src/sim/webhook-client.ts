// Sends the carrier's webhooks: form-encoded, signed with X-Twilio-Signature exactly as Twilio signs them.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export type WebhookParams = Record<string, string>;

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Base64(HMAC-SHA1(authToken, url + each POST param as key+value, sorted by key)). */
export function twilioSignature(authToken: string, url: string, params: WebhookParams): string {
  const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** A failed webhook, with the Twilio error code the carrier would report (11200 HTTP retrieval, 11205 connection). */
export class WebhookError extends Error {
  constructor(readonly code: number, message: string, readonly url: string, readonly status?: number) {
    super(message);
  }
}

/**
 * Keep-alive connections to the webhook host, as the carrier keeps them. node:http rather than fetch: fetch's web
 * streams, abort signals and header objects cost the simulator more CPU per request than the server spends answering
 * (bench:day at 35 calls/s), and the simulator's own event-loop lag then shows up as webhook latency. No limit on
 * connections per host, as the carrier has none: a cap would queue webhooks inside the simulator under overload.
 */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export class WebhookClient {
  constructor(
    private readonly authToken: string,
    private readonly log: (msg: string, meta?: object) => void,
    private readonly timeoutMs = 15000,
  ) {}

  async send(url: string, method: string, params: WebhookParams): Promise<WebhookResponse> {
    const get = method.toUpperCase() === 'GET';
    const target = get ? url + (url.includes('?') ? '&' : '?') + new URLSearchParams(params).toString() : url;
    const signature = twilioSignature(this.authToken, target, get ? {} : params);
    const body = get ? undefined : Buffer.from(new URLSearchParams(params).toString(), 'utf8');
    let res: { status: number; contentType: string; body: string };
    try {
      res = await this.request(target, get, signature, body).catch((err: Error & { reusedSocket?: boolean; code?: string }) => {
        // A kept-alive connection the server closed just as it was reused: send again on a new connection of its own
        // (Node's advice; the pool's other idle connections may have been closed at the same moment).
        if (err.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return this.request(target, get, signature, body, true);
        throw err;
      });
    } catch (err) {
      this.log('webhook failed', { url, error: (err as Error).message });
      throw new WebhookError(11205, `HTTP connection failure: ${(err as Error).message}`, url);
    }
    this.log('webhook', { url, status: res.status, callSid: params.CallSid });
    if (res.status < 200 || res.status >= 300) {
      throw new WebhookError(11200, `HTTP retrieval failure: status ${res.status}`, url, res.status);
    }
    return res;
  }

  private request(target: string, get: boolean, signature: string, body: Buffer | undefined, fresh = false): Promise<{ status: number; contentType: string; body: string }> {
    const u = new URL(target);
    const secure = u.protocol === 'https:';
    const headers: Record<string, string | number> = { 'X-Twilio-Signature': signature, 'User-Agent': 'TwilioProxy/1.1', Accept: '*/*' };
    if (body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      headers['Content-Length'] = body.length;
    }
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        { method: get ? 'GET' : 'POST', hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || (secure ? 443 : 80), path: u.pathname + u.search, headers, agent: fresh ? false : secure ? agents.https : agents.http },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(Object.assign(err, { reusedSocket: req.reusedSocket }));
      });
      req.end(body);
    });
  }
}
