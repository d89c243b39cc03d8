// Owns WebSocket tickets: short-lived, single-use stand-ins for a bearer token, so no token ever goes into a URL.
import { createHash, randomBytes } from 'node:crypto';
import { Busy } from '../errors/domain-errors';

export interface WsTicketOptions {
  /** How long a ticket can be redeemed after it was issued. @default 30 s */
  ttlMs?: number;
  /** Tickets one staff member may hold unredeemed; their oldest is dropped beyond it (never someone else's). @default 5 */
  maxPerStaff?: number;
  /** Tickets waiting in all; beyond it new ones are refused (Busy), so no one can grow memory or evict others'. @default 10000 */
  maxPending?: number;
}

interface Pending {
  token: string;
  staffId: number;
  expiresAt: number;
}

/**
 * Tickets live in this process's memory (keyed by their digest): a ticket must be redeemed on the web process
 * that issued it, which is the one process of a one-host deployment.
 */
export class WsTickets {
  private readonly o: Required<WsTicketOptions>;
  private readonly pending = new Map<string, Pending>();
  /** Each staff member's ticket digests, oldest first. */
  private readonly byStaff = new Map<number, string[]>();

  constructor(options: WsTicketOptions = {}) {
    this.o = { ttlMs: 30_000, maxPerStaff: 5, maxPending: 10_000, ...options };
  }

  /** A ticket standing for `token` of staff member `staffId` (already authenticated by the caller) until `expiresAt`. */
  issue(token: string, staffId: number, now: Date): { ticket: string; expiresAt: Date } {
    this.prune(now.getTime());
    const own = this.byStaff.get(staffId) ?? [];
    while (own.length >= this.o.maxPerStaff) this.pending.delete(own.shift()!);
    if (this.pending.size >= this.o.maxPending) throw new Busy(Math.ceil(this.o.ttlMs / 1000), 'Too many WebSocket tickets are waiting; try again shortly');
    const ticket = randomBytes(24).toString('base64url');
    const key = digest(ticket);
    const expiresAt = now.getTime() + this.o.ttlMs;
    this.pending.set(key, { token, staffId, expiresAt });
    own.push(key);
    this.byStaff.set(staffId, own);
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The token behind an unexpired ticket, which is used up by this call; undefined when unknown, used or expired. */
  redeem(ticket: string, now: Date): string | undefined {
    const key = digest(ticket);
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.forget(key, p.staffId);
    return p.expiresAt > now.getTime() ? p.token : undefined;
  }

  /** Tickets waiting now (for tests). */
  size(): number {
    return this.pending.size;
  }

  private forget(key: string, staffId: number): void {
    this.pending.delete(key);
    const own = this.byStaff.get(staffId)?.filter((k) => k !== key);
    if (own?.length) this.byStaff.set(staffId, own);
    else this.byStaff.delete(staffId);
  }

  private prune(now: number): void {
    for (const [key, p] of this.pending) if (p.expiresAt <= now) this.forget(key, p.staffId);
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
