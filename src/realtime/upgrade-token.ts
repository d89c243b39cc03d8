// Finds the credentials of a WebSocket upgrade: Authorization header, `bearer, <token>` subprotocols, or a single-use `?ticket=`.
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../http/auth-middleware';

/** The subprotocol a browser offers (with the token as the second one) and the server echoes back. */
export const BEARER_PROTOCOL = 'bearer';

export type UpgradeCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'ticket'; ticket: string }
  /** A bearer token in the URL: refused, since URLs end up in proxy and browser logs. */
  | { kind: 'token-in-url' }
  | { kind: 'none' };

/** Browsers cannot set headers on a WebSocket, so they offer `Sec-WebSocket-Protocol: bearer, <token>` or a ticket in the URL. */
export function upgradeCredentials(req: IncomingMessage): UpgradeCredentials {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  if (query.has('token') || query.has('access_token')) return { kind: 'token-in-url' };
  const fromHeader = bearerToken(req.headers);
  if (fromHeader) return { kind: 'token', token: fromHeader };
  const protocols = offeredProtocols(req);
  const at = protocols.indexOf(BEARER_PROTOCOL);
  if (at >= 0 && protocols[at + 1]) return { kind: 'token', token: protocols[at + 1] };
  const ticket = query.get('ticket');
  return ticket ? { kind: 'ticket', ticket } : { kind: 'none' };
}

export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The path of the upgrade request, without its query string. */
export function upgradePath(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}
