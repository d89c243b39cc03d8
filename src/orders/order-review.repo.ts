// Reads and writes held orders for the middle office's review, and the need-information callbacks that belong to them
// (drizzle only; the rules are in order-review.service.ts).
import { and, asc, desc, eq, gt, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackRequests, customers, orders } from '../db/schema/index';

export type OrderRow = typeof orders.$inferSelect;
export type CallbackRow = typeof callbackRequests.$inferSelect;

export interface HeldOrderFilter {
  /** Only orders held for this rule (amount, missing_info, duplicate). */
  reason?: string;
  /** mine: claimed by this agent now; free: nobody holds a live claim. */
  claimed?: { mine: number } | 'free';
  now: Date;
  limit: number;
  offset: number;
}

export interface HeldOrderListRow {
  order: OrderRow;
  customerName: string;
}

export class OrderReviewRepo {
  constructor(private readonly db: Db) {}

  byNumber(number: string): OrderRow | undefined {
    return this.db.select().from(orders).where(eq(orders.number, number)).get();
  }

  byId(id: number): OrderRow | undefined {
    return this.db.select().from(orders).where(eq(orders.id, id)).get();
  }

  /** Held orders, oldest hold first, and how many match in all (for paging). */
  held(f: HeldOrderFilter): { rows: HeldOrderListRow[]; total: number } {
    const where: SQL[] = [eq(orders.review, 'held')];
    if (f.reason) where.push(sql`exists (select 1 from json_each(${orders.holdReasons}) where json_extract(value, '$.rule') = ${f.reason})`);
    if (f.claimed === 'free') where.push(or(isNull(orders.claimedBy), lte(orders.claimExpiresAt, f.now))!);
    else if (f.claimed) where.push(eq(orders.claimedBy, f.claimed.mine), gt(orders.claimExpiresAt, f.now));
    const rows = this.db
      .select({ order: orders, customerName: customers.name })
      .from(orders)
      .innerJoin(customers, eq(customers.id, orders.customerId))
      .where(and(...where))
      .orderBy(asc(orders.heldAt), asc(orders.id))
      .limit(f.limit)
      .offset(f.offset)
      .all();
    const total = this.db.select({ n: sql<number>`count(*)` }).from(orders).where(and(...where)).get()?.n ?? 0;
    return { rows, total };
  }

  /**
   * Applies `changes` only while the order is still held and claimed by `agentId` with a live claim; undefined when
   * the claim lapsed or someone else decided first.
   */
  updateHeldByClaimer(id: number, agentId: number, now: Date, changes: Partial<Omit<OrderRow, 'id' | 'number'>>): OrderRow | undefined {
    return this.db
      .update(orders)
      .set(changes)
      .where(and(eq(orders.id, id), eq(orders.review, 'held'), eq(orders.claimedBy, agentId), gt(orders.claimExpiresAt, now)))
      .returning()
      .get();
  }

  /** The order's need-information callbacks, oldest first. */
  questions(orderId: number): CallbackRow[] {
    return this.db
      .select()
      .from(callbackRequests)
      .where(and(eq(callbackRequests.orderId, orderId), eq(callbackRequests.source, 'need_info')))
      .orderBy(asc(callbackRequests.id))
      .all();
  }

  /** For each order, its newest question still waiting for an answer (not failed, no answer yet). */
  openQuestions(orderIds: number[]): Map<number, CallbackRow> {
    const found = new Map<number, CallbackRow>();
    if (!orderIds.length) return found;
    const rows = this.db
      .select()
      .from(callbackRequests)
      .where(and(inArray(callbackRequests.orderId, orderIds), eq(callbackRequests.source, 'need_info'), isNull(callbackRequests.answer), ne(callbackRequests.status, 'failed')))
      .orderBy(desc(callbackRequests.id))
      .all();
    for (const r of rows) if (r.orderId !== null && !found.has(r.orderId)) found.set(r.orderId, r);
    return found;
  }

  /** Stores the answer on the callback and closes it (reached); false when it was answered or closed otherwise meanwhile. */
  recordAnswer(callbackId: number, answer: string, now: Date): boolean {
    return (
      this.db
        .update(callbackRequests)
        .set({ answer, status: 'done', outcome: 'reached', reservedBy: null, closedAt: now, updatedAt: now })
        .where(and(eq(callbackRequests.id, callbackId), isNull(callbackRequests.answer), ne(callbackRequests.status, 'failed')))
        .run().changes === 1
    );
  }
}
