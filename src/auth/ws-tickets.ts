// Owns WebSocket tickets: short-lived, single-use stand-ins for a bearer token, so no token ever goes into a URL.
import { createHash, randomBytes } from 'node:crypto';

export interface WsTicketOptions {
  /** How long a ticket can be redeemed after it was issued. @default 30 s */
  ttlMs?: number;
  /** Most tickets waiting at once; the oldest are dropped beyond it, so a client cannot grow memory. @default 10000 */
  maxPending?: number;
}

interface Pending {
  token: string;
  expiresAt: number;
}

/**
 * Tickets live in this process's memory (keyed by their digest): a ticket must be redeemed on the web process
 * that issued it, which is the one process of a one-host deployment.
 */
export class WsTickets {
  private readonly o: Required<WsTicketOptions>;
  private readonly pending = new Map<string, Pending>();

  constructor(options: WsTicketOptions = {}) {
    this.o = { ttlMs: 30_000, maxPending: 10_000, ...options };
  }

  /** A ticket standing for `token` (already authenticated by the caller) until `expiresAt`. */
  issue(token: string, now: Date): { ticket: string; expiresAt: Date } {
    this.prune(now.getTime());
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now.getTime() + this.o.ttlMs;
    this.pending.set(digest(ticket), { token, expiresAt });
    while (this.pending.size > this.o.maxPending) this.pending.delete(this.pending.keys().next().value!);
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The token behind an unexpired ticket, which is used up by this call; undefined when unknown, used or expired. */
  redeem(ticket: string, now: Date): string | undefined {
    const key = digest(ticket);
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.pending.delete(key);
    return p.expiresAt > now.getTime() ? p.token : undefined;
  }

  private prune(now: number): void {
    for (const [key, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(key);
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
