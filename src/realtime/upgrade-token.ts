// Finds the bearer token of a WebSocket upgrade: Authorization header, `bearer, <token>` subprotocols, or `?token=`.
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../http/auth-middleware';

/** The subprotocol a browser offers (with the token as the second one) and the server echoes back. */
export const BEARER_PROTOCOL = 'bearer';

/** Browsers cannot set headers on a WebSocket, so they offer `Sec-WebSocket-Protocol: bearer, <token>` or add `?token=`. */
export function upgradeToken(req: IncomingMessage): string | undefined {
  const fromHeader = bearerToken(req.headers);
  if (fromHeader) return fromHeader;
  const protocols = offeredProtocols(req);
  const at = protocols.indexOf(BEARER_PROTOCOL);
  if (at >= 0 && protocols[at + 1]) return protocols[at + 1];
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  return query || undefined;
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
