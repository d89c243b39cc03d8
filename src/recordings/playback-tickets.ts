// Owns playback tickets: a browser's <audio> cannot send the bearer header, so the player gets a short-lived URL
// (`/api/recordings/:id/audio?ticket=…`) good for one recording, one staff member and the session that asked for it.
import { createHash, randomBytes } from 'node:crypto';
import { Busy } from '../errors/domain-errors';

export interface PlaybackTicketOptions {
  /** How long a ticket plays after it was issued; a player uses it for many Range requests meanwhile. @default 5 min */
  ttlMs?: number;
  /** Tickets one staff member may hold; their oldest is dropped beyond it (never someone else's). @default 20 */
  maxPerStaff?: number;
  /** Tickets held in all; beyond it new ones are refused (Busy). @default 10000 */
  maxPending?: number;
}

export interface PlaybackTicket {
  /** The bearer token it stands for: checked again on every use, so signing out or a revocation ends playback. */
  token: string;
  staffId: number;
  recordingId: number;
  expiresAt: number;
  /** The playback was written to the audit log (once per ticket, not once per Range request). */
  audited: boolean;
}

/**
 * Tickets live in this process's memory, keyed by their digest (a leaked heap dump reveals no usable ticket): a
 * ticket plays on the web process that issued it, the one process of a one-host deployment.
 */
export class PlaybackTickets {
  private readonly o: Required<PlaybackTicketOptions>;
  private readonly held = new Map<string, PlaybackTicket>();
  private readonly byStaff = new Map<number, string[]>();

  constructor(options: PlaybackTicketOptions = {}) {
    this.o = { ttlMs: 5 * 60_000, maxPerStaff: 20, maxPending: 10_000, ...options };
  }

  issue(token: string, staffId: number, recordingId: number, now: Date): { ticket: string; expiresAt: Date } {
    this.prune(now.getTime());
    const own = this.byStaff.get(staffId) ?? [];
    while (own.length >= this.o.maxPerStaff) this.held.delete(own.shift()!);
    if (this.held.size >= this.o.maxPending) throw new Busy(60, 'Too many playback tickets are held; try again shortly');
    const ticket = randomBytes(24).toString('base64url');
    const key = digest(ticket);
    const expiresAt = now.getTime() + this.o.ttlMs;
    this.held.set(key, { token, staffId, recordingId, expiresAt, audited: false });
    own.push(key);
    this.byStaff.set(staffId, own);
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The unexpired ticket (not used up: it serves every Range request of one playback), or undefined. */
  find(ticket: string, now: Date): PlaybackTicket | undefined {
    const p = this.held.get(digest(ticket));
    return p && p.expiresAt > now.getTime() ? p : undefined;
  }

  size(): number {
    return this.held.size;
  }

  private prune(now: number): void {
    for (const [key, p] of this.held) {
      if (p.expiresAt > now) continue;
      this.held.delete(key);
      const own = this.byStaff.get(p.staffId)?.filter((k) => k !== key);
      if (own?.length) this.byStaff.set(p.staffId, own);
      else this.byStaff.delete(p.staffId);
    }
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
