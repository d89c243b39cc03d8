// A tiny TwiML app for the simulator's tests: checks every request's Twilio signature and answers with scripted TwiML.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface Hit {
  path: string;
  method: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

export type Reply = string | { status?: number; type?: string; body: string };
export type Handler = (params: Record<string, string>, hit: Hit) => Reply;

export class TwimlTestServer {
  readonly hits: Hit[] = [];
  private readonly routes = new Map<string, Handler>();
  private server?: http.Server;
  base = '';

  constructor(private readonly authToken: string) {}

  on(path: string, handler: Handler | Reply): this {
    this.routes.set(path, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  url(path: string): string {
    return this.base + path;
  }

  hitsFor(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const full = this.base + req.url;
        const u = new URL(full);
        const params = req.method === 'GET' ? {} : Object.fromEntries(new URLSearchParams(body));
        const signatureValid = twilio.validateRequest(this.authToken, String(req.headers['x-twilio-signature'] ?? ''), full, params);
        const all = req.method === 'GET' ? Object.fromEntries(u.searchParams) : params;
        const hit: Hit = { path: u.pathname, method: req.method ?? '', params: all, signatureValid };
        this.hits.push(hit);
        if (!signatureValid) return void res.writeHead(403).end('bad signature');
        const handler = this.routes.get(u.pathname);
        const reply: Reply = handler ? handler(all, hit) : '<Response/>';
        const r = typeof reply === 'string' ? { body: reply } : reply;
        res.writeHead(r.status ?? 200, { 'Content-Type': r.type ?? 'text/xml' }).end(r.body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export const ACCOUNT_SID = 'AC' + '1'.repeat(32);
export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const API_KEY_SID = 'SK' + '2'.repeat(32);
export const API_KEY_SECRET = 'test-api-key-secret';
export const HOTLINE = '+864008008888';
export const CUSTOMER = '+8613800138000';

/** Waits for a condition checked by `fn` (which throws until it holds). */
export async function until<T>(fn: () => T | Promise<T>, ms = 3000): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() - start > ms) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
