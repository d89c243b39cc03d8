// Reads and writes RMAs for the back office's review and the departments' moves, and the status callbacks that belong to
// them (drizzle only; the rules are in rma-policy.ts and rma-review.service.ts).
import { and, asc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackRequests, customers, orders, rmas, type RmaStatus } from '../db/schema/index';

export type RmaRow = typeof rmas.$inferSelect;
export type RmaCallbackRow = typeof callbackRequests.$inferSelect;

/** An RMA with what the back office needs from its order. */
export interface RmaWithOrder {
  rma: RmaRow;
  orderNumber: string;
  orderPhone: string | null;
  customerId: number;
  customerName: string;
}

export interface RmaListFilter {
  status: RmaStatus;
  /** mine: claimed by this agent now; free: nobody holds a live claim. */
  claimed?: { mine: number } | 'free';
  now: Date;
  limit: number;
  offset: number;
}

export class RmaReviewRepo {
  constructor(private readonly db: Db) {}

  private selectWithOrder() {
    return this.db
      .select({ rma: rmas, orderNumber: orders.number, orderPhone: orders.phone, customerId: orders.customerId, customerName: customers.name })
      .from(rmas)
      .innerJoin(orders, eq(orders.id, rmas.orderId))
      .innerJoin(customers, eq(customers.id, orders.customerId));
  }

  byNumber(number: string): RmaWithOrder | undefined {
    return this.selectWithOrder().where(eq(rmas.number, number)).get();
  }

  byId(id: number): RmaWithOrder | undefined {
    return this.selectWithOrder().where(eq(rmas.id, id)).get();
  }

  /** RMAs in one status, oldest request first, and how many match in all (for paging). */
  list(f: RmaListFilter): { rows: RmaWithOrder[]; total: number } {
    const where: SQL[] = [eq(rmas.status, f.status)];
    if (f.claimed === 'free') where.push(or(isNull(rmas.claimedBy), lte(rmas.claimExpiresAt, f.now))!);
    else if (f.claimed) where.push(eq(rmas.claimedBy, f.claimed.mine), gt(rmas.claimExpiresAt, f.now));
    const rows = this.selectWithOrder()
      .where(and(...where))
      .orderBy(asc(rmas.createdAt), asc(rmas.id))
      .limit(f.limit)
      .offset(f.offset)
      .all();
    const total = this.db.select({ n: sql<number>`count(*)` }).from(rmas).where(and(...where)).get()?.n ?? 0;
    return { rows, total };
  }

  /**
   * Moves the RMA from `from` with `changes`, only if it is still there (and, with `claimer`, still claimed by that agent
   * with a live claim); undefined when something else moved it first.
   */
  transition(id: number, from: RmaStatus, changes: Partial<Omit<RmaRow, 'id' | 'number'>>, claimer?: { agentId: number; now: Date }): RmaRow | undefined {
    const where: SQL[] = [eq(rmas.id, id), eq(rmas.status, from)];
    if (claimer) where.push(eq(rmas.claimedBy, claimer.agentId), gt(rmas.claimExpiresAt, claimer.now));
    return this.db
      .update(rmas)
      .set(changes)
      .where(and(...where))
      .returning()
      .get();
  }

  /** The RMA's status callbacks, oldest first. */
  callbacks(rmaId: number): RmaCallbackRow[] {
    return this.db
      .select()
      .from(callbackRequests)
      .where(and(eq(callbackRequests.rmaId, rmaId), eq(callbackRequests.source, 'rma_status')))
      .orderBy(asc(callbackRequests.id))
      .all();
  }
}
