// Sends the carrier's webhooks: form-encoded, signed with X-Twilio-Signature exactly as Twilio signs them.
import { createHmac } from 'node:crypto';
import { KeepAlivePool, type KeepAliveAnswer } from '../net/keep-alive-request';

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

/** The carrier keeps its connections to the webhook host alive, with no limit per host. */
const pool = new KeepAlivePool();

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
    const headers: Record<string, string | number> = { 'X-Twilio-Signature': signature, 'User-Agent': 'TwilioProxy/1.1', Accept: '*/*' };
    if (body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      headers['Content-Length'] = body.length;
    }
    let res: KeepAliveAnswer;
    try {
      res = await pool.request(new URL(target), { method: get ? 'GET' : 'POST', headers, body, timeoutMs: this.timeoutMs });
    } catch (err) {
      this.log('webhook failed', { url, error: (err as Error).message });
      throw new WebhookError(11205, `HTTP connection failure: ${(err as Error).message}`, url);
    }
    this.log('webhook', { url, status: res.status, callSid: params.CallSid });
    if (res.status < 200 || res.status >= 300) {
      throw new WebhookError(11200, `HTTP retrieval failure: status ${res.status}`, url, res.status);
    }
    return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
  }
}
