// Reads customers, their orders and RMAs for caller recognition and IVR self-service.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { customerPhones, customers, orders, rmas } from '../db/schema/index';
import type { CallerFacts, OrderFacts, RmaFacts, SelfServiceLookup } from '../ivr/flow-types';

/** Still being handled: the caller "has an open RMA" (the IVR's branch). */
const OPEN_RMA = ['requested', 'under_review', 'approved', 'refund_pending', 'exchange_pending'] as const;
/** What menu 2 speaks about: the open ones, and a refund or replacement already on its way (the customer may ask). */
const SPOKEN_RMA = [...OPEN_RMA, 'refunded', 'replacement_shipped'] as const;

export class CustomersRepo implements SelfServiceLookup {
  private readonly byPhone;
  private readonly orderByNumberQuery;
  private readonly latestOrderQuery;
  private readonly openRmaQuery;

  constructor(private readonly db: Db) {
    // One statement per call: whether the caller has an open RMA is an EXISTS here (latestOpenRma's ORDER BY needs a temp b-tree).
    this.byPhone = db
      .select({
        id: customers.id,
        name: customers.name,
        tier: customers.tier,
        preferredLanguage: customers.preferredLanguage,
        hasOpenRma: sql<boolean>`exists (select 1 from ${rmas} inner join ${orders} on ${orders.id} = ${rmas.orderId} where ${orders.customerId} = ${customers.id} and ${inArray(rmas.status, [...OPEN_RMA])})`.mapWith(Boolean),
      })
      .from(customerPhones)
      .innerJoin(customers, eq(customers.id, customerPhones.customerId))
      .where(eq(customerPhones.phone, sql.placeholder('phone')))
      .prepare();
    this.orderByNumberQuery = db.select().from(orders).where(eq(orders.number, sql.placeholder('number'))).prepare();
    this.latestOrderQuery = db
      .select()
      .from(orders)
      .where(eq(orders.customerId, sql.placeholder('customerId')))
      .orderBy(desc(orders.placedAt))
      .limit(1)
      .prepare();
    this.openRmaQuery = db
      .select({ number: rmas.number, kind: rmas.kind, status: rmas.status, updatedAt: rmas.updatedAt, orderNumber: orders.number, refundFen: rmas.refundFen })
      .from(rmas)
      .innerJoin(orders, eq(orders.id, rmas.orderId))
      .where(and(eq(orders.customerId, sql.placeholder('customerId')), inArray(rmas.status, [...SPOKEN_RMA])))
      .orderBy(desc(rmas.updatedAt))
      .limit(1)
      .prepare();
  }

  /** Recognizes a caller by the calling number. */
  callerFacts(phone: string): CallerFacts {
    const c = this.byPhone.get({ phone });
    if (!c) return { known: false, hasOpenRma: false };
    return {
      known: true,
      customerId: c.id,
      name: c.name,
      tier: c.tier,
      preferredLanguage: c.preferredLanguage,
      hasOpenRma: c.hasOpenRma,
    };
  }

  orderByNumber(number: string): OrderFacts | undefined {
    return this.orderByNumberQuery.get({ number });
  }

  latestOrder(customerId: number): OrderFacts | undefined {
    return this.latestOrderQuery.get({ customerId });
  }

  latestOpenRma(customerId: number): RmaFacts | undefined {
    return this.openRmaQuery.get({ customerId });
  }
}
