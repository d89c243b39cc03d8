// Owns who the client is behind proxies: which peers' X-Forwarded-For to believe (TRUST_PROXY), for express and the WebSocket upgrade alike.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** A hop count (0 believes no proxy), or the proxies' addresses and subnets (`loopback`, `10.0.0.0/8`, `2001:db8::1`). */
export type TrustProxy = number | readonly string[];

/** Whether the peer at `hop` (0 = the socket's own peer) with address `addr` is a proxy whose forwarded address to believe. */
export type TrustFn = (addr: string, hop: number) => boolean;

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Parses TRUST_PROXY: `false`/`0` (no proxy), a hop count, or a comma list of addresses, subnets and the names above. */
export function parseTrustProxy(text: string): TrustProxy {
  const t = text.trim();
  if (t === '' || t === 'false') return 0;
  if (/^\d+$/.test(t)) return Number(t);
  const entries = t.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of entries) if (!NAMED[e] && !subnet(e)) throw new Error(`"${e}" is neither a hop count, an IP address, a subnet (a.b.c.d/n) nor one of ${Object.keys(NAMED).join(', ')}`);
  return entries;
}

/** The trust function express's `trust proxy` setting takes, and clientAddress uses. */
export function trustFunction(trust: TrustProxy): TrustFn {
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  const list = new BlockList();
  for (const e of trust.flatMap((e) => NAMED[e] ?? [e])) {
    const s = subnet(e)!;
    if (s.prefix === undefined) list.addAddress(s.address, s.family);
    else list.addSubnet(s.address, s.prefix, s.family);
  }
  return (addr) => {
    const a = unmapped(addr);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address as express computes `req.ip`: walk from the socket's peer back through X-Forwarded-For
 * while each hop is a trusted proxy; the first untrusted one is the client.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const chain = [req.socket.remoteAddress ?? '', ...forwarded];
  for (let hop = 0; hop < chain.length - 1; hop++) if (!trust(chain[hop], hop)) return chain[hop];
  return chain[chain.length - 1];
}

function subnet(e: string): { address: string; prefix?: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, prefixText, ...rest] = e.split('/');
  const family = isIP(address);
  if (!family || rest.length) return undefined;
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  if (prefix !== undefined && (!/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128))) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is checked as `10.0.0.1`. */
function unmapped(addr: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(addr) ? addr.slice(7) : addr;
}
