// Claims on orders and RMAs under review, shared by the middle and back office: one agent holds a record at a time,
// for claimMinutes; an expired claim is simply claimable again, and its expiry is written to the history once.
import { and, asc, eq, gt, isNotNull, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { orders, rmas } from '../db/schema/index';
import type { ReviewHistoryRepo, ReviewSubject } from './review-history.repo';

export interface Claim {
  by: number;
  until: Date;
}

interface Claimable {
  claimedBy: number | null;
  claimExpiresAt: Date | null;
}

/** The claim that holds now; an expired one is no claim at all. */
export function liveClaim(row: Claimable, now: Date): Claim | null {
  if (row.claimedBy === null || row.claimExpiresAt === null || row.claimExpiresAt.getTime() <= now.getTime()) return null;
  return { by: row.claimedBy, until: row.claimExpiresAt };
}

export function holdsClaim(row: Claimable, agentId: number, now: Date): boolean {
  return liveClaim(row, now)?.by === agentId;
}

export type ClaimResult = { ok: true; until: Date; extended: boolean } | { ok: false; heldBy: Claim };

// Orders and RMAs share the claim columns; drizzle's builders are typed per table, so the one helper sees them as orders.
type ClaimTable = typeof orders;

export interface ReviewClaimsOptions {
  db: Db;
  table: typeof orders | typeof rmas;
  subject: ReviewSubject;
  history: ReviewHistoryRepo;
  /** A claim lasts this long unless renewed. */
  claimMinutes: number;
  /** Which rows are under review (claims apply only to them): held orders, requested RMAs. */
  inReview: SQL;
}

export class ReviewClaims {
  private readonly t: ClaimTable;

  constructor(private readonly o: ReviewClaimsOptions) {
    this.t = o.table as unknown as ClaimTable;
  }

  /**
   * Claims the row for the agent, or extends the agent's own claim: one conditional UPDATE, so two agents can never
   * both hold it. Run it inside a transaction (it writes history).
   */
  claim(id: number, agentId: number, now: Date): ClaimResult {
    const t = this.t;
    const before = this.o.db.select({ claimedBy: t.claimedBy, claimExpiresAt: t.claimExpiresAt, status: t.status }).from(t).where(eq(t.id, id)).get();
    const until = new Date(now.getTime() + this.o.claimMinutes * 60_000);
    const taken = this.o.db
      .update(t)
      .set({ claimedBy: agentId, claimExpiresAt: until })
      .where(and(eq(t.id, id), this.o.inReview, or(isNull(t.claimedBy), lte(t.claimExpiresAt, now), eq(t.claimedBy, agentId))))
      .run().changes;
    if (!taken || !before) {
      const holder = before ? liveClaim(before, now) : null;
      if (!holder) throw new Error(`claim of ${this.o.subject} ${id} refused with no live claim on it: check inReview first`);
      return { ok: false, heldBy: holder };
    }
    const previous = before.claimedBy !== null && before.claimExpiresAt !== null ? { by: before.claimedBy, until: before.claimExpiresAt } : null;
    // A lapsed claim the sweep had not cleared yet: its expiry is written now, before the new claim.
    if (previous && previous.until.getTime() <= now.getTime()) this.expired(id, previous, before.status);
    const extended = previous !== null && previous.by === agentId && previous.until.getTime() > now.getTime();
    this.step(id, 'claimed', agentId, before.status, now, { until: until.toISOString(), ...(extended ? { extended: true } : {}) });
    return { ok: true, until, extended };
  }

  /** Gives the agent's live claim back; false when the agent does not hold it. */
  release(id: number, agentId: number, now: Date): boolean {
    const t = this.t;
    const row = this.o.db.select({ status: t.status }).from(t).where(eq(t.id, id)).get();
    const freed = this.o.db
      .update(t)
      .set({ claimedBy: null, claimExpiresAt: null })
      .where(and(eq(t.id, id), eq(t.claimedBy, agentId), gt(t.claimExpiresAt, now)))
      .run().changes;
    if (!freed || !row) return false;
    this.step(id, 'released', agentId, row.status, now);
    return true;
  }

  /** Clears every lapsed claim on rows under review and writes claim_expired for each; returns how many. */
  sweep(now: Date): number {
    const t = this.t;
    const lapsed = this.o.db
      .select({ id: t.id, claimedBy: t.claimedBy, claimExpiresAt: t.claimExpiresAt, status: t.status })
      .from(t)
      .where(and(this.o.inReview, isNotNull(t.claimedBy), lte(t.claimExpiresAt, now)))
      .orderBy(asc(t.id))
      .all();
    let n = 0;
    for (const r of lapsed) {
      // Conditional on the same claim: one the agent renewed (or another agent took) meanwhile is left alone.
      const cleared = this.o.db
        .update(t)
        .set({ claimedBy: null, claimExpiresAt: null })
        .where(and(eq(t.id, r.id), eq(t.claimedBy, r.claimedBy!), eq(t.claimExpiresAt, r.claimExpiresAt!)))
        .run().changes;
      if (!cleared) continue;
      this.expired(r.id, { by: r.claimedBy!, until: r.claimExpiresAt! }, r.status);
      n++;
    }
    return n;
  }

  private expired(id: number, c: Claim, status: string): void {
    this.step(id, 'claim_expired', null, status, c.until, { agentId: c.by, expiredAt: c.until.toISOString() });
  }

  private step(id: number, action: string, actorId: number | null, status: string, at: Date, data?: Record<string, unknown>): void {
    this.o.history.add({ subject: this.o.subject, subjectId: id, action, actorId, fromStatus: status, toStatus: status, data, at });
  }
}
