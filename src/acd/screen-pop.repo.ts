// Reads what a screen pop shows: the call, its caller's account, orders, RMAs, work orders and queue entry (drizzle only).
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { calls, customerPhones, customers, interactions, orders, queueEntries, rmas, workOrders } from '../db/schema/index';

// Still being handled, including a refund or replacement the back office approved and a department has not done yet.
const OPEN_RMA = ['requested', 'under_review', 'approved', 'refund_pending', 'exchange_pending'] as const;
const LIVE_INTERACTION = ['offered', 'connected'] as const;

/** How many of the latest orders a pop lists. */
export const RECENT_ORDERS = 5;
/** A customer with more open work orders than this is rare; the pop shows the most recently updated. */
const MAX_OPEN_WORK_ORDERS = 20;

export class ScreenPopRepo {
  private readonly callQuery;
  private readonly customerQuery;
  private readonly customerByPhoneQuery;
  private readonly phonesQuery;
  private readonly ordersQuery;
  private readonly rmasQuery;
  private readonly workOrdersQuery;
  private readonly queueEntryQuery;
  private readonly liveInteractionQuery;

  constructor(db: Db) {
    this.callQuery = db
      .select({
        sid: calls.sid,
        from: calls.from,
        customerId: calls.customerId,
        flowId: calls.flowId,
        language: calls.language,
        ivrPath: calls.ivrPath,
        ivrState: calls.ivrState,
        startedAt: calls.startedAt,
      })
      .from(calls)
      .where(eq(calls.sid, sql.placeholder('sid')))
      .prepare();
    this.customerQuery = db
      .select({
        id: customers.id,
        accountNumber: customers.accountNumber,
        name: customers.name,
        tier: customers.tier,
        preferredLanguage: customers.preferredLanguage,
        createdAt: customers.createdAt,
      })
      .from(customers)
      .where(eq(customers.id, sql.placeholder('id')))
      .prepare();
    this.customerByPhoneQuery = db
      .select({ customerId: customerPhones.customerId })
      .from(customerPhones)
      .where(eq(customerPhones.phone, sql.placeholder('phone')))
      .prepare();
    this.phonesQuery = db
      .select({ phone: customerPhones.phone, label: customerPhones.label })
      .from(customerPhones)
      .where(eq(customerPhones.customerId, sql.placeholder('customerId')))
      .orderBy(customerPhones.id)
      .prepare();
    this.ordersQuery = db
      .select({
        number: orders.number,
        amountFen: orders.amountFen,
        payment: orders.payment,
        status: orders.status,
        shippingCarrier: orders.shippingCarrier,
        trackingNumber: orders.trackingNumber,
        items: orders.items,
        placedAt: orders.placedAt,
        updatedAt: orders.updatedAt,
      })
      .from(orders)
      .where(eq(orders.customerId, sql.placeholder('customerId')))
      .orderBy(desc(orders.placedAt), desc(orders.id))
      .limit(RECENT_ORDERS)
      .prepare();
    this.rmasQuery = db
      .select({
        number: rmas.number,
        kind: rmas.kind,
        status: rmas.status,
        reason: rmas.reason,
        orderNumber: orders.number,
        createdAt: rmas.createdAt,
        updatedAt: rmas.updatedAt,
      })
      .from(rmas)
      .innerJoin(orders, eq(orders.id, rmas.orderId))
      .where(and(eq(orders.customerId, sql.placeholder('customerId')), inArray(rmas.status, [...OPEN_RMA])))
      .orderBy(desc(rmas.updatedAt), desc(rmas.id))
      .prepare();
    this.workOrdersQuery = db
      .select({
        number: workOrders.number,
        category: workOrders.category,
        complaintType: workOrders.complaintType,
        status: workOrders.status,
        department: workOrders.department,
        description: workOrders.description,
        orderNumber: workOrders.orderNumber,
        createdAt: workOrders.createdAt,
        updatedAt: workOrders.updatedAt,
      })
      .from(workOrders)
      .where(and(eq(workOrders.customerId, sql.placeholder('customerId')), ne(workOrders.status, 'closed')))
      .orderBy(desc(workOrders.updatedAt), desc(workOrders.id))
      .limit(MAX_OPEN_WORK_ORDERS)
      .prepare();
    this.queueEntryQuery = db
      .select({
        queue: queueEntries.queue,
        desk: queueEntries.desk,
        priority: queueEntries.priority,
        reason: queueEntries.reason,
        status: queueEntries.status,
        enqueuedAt: queueEntries.enqueuedAt,
      })
      .from(queueEntries)
      .where(eq(queueEntries.callSid, sql.placeholder('callSid')))
      .prepare();
    this.liveInteractionQuery = db
      .select({ id: interactions.id, callSid: interactions.callSid, status: interactions.status, queue: queueEntries.queue })
      .from(interactions)
      .leftJoin(queueEntries, eq(queueEntries.callSid, interactions.callSid))
      .where(and(eq(interactions.agentId, sql.placeholder('agentId')), inArray(interactions.status, [...LIVE_INTERACTION])))
      .orderBy(desc(interactions.id))
      .limit(1)
      .prepare();
  }

  call(sid: string) {
    return this.callQuery.get({ sid });
  }

  customer(id: number) {
    return this.customerQuery.get({ id });
  }

  customerIdByPhone(phone: string): number | undefined {
    return this.customerByPhoneQuery.get({ phone })?.customerId;
  }

  phones(customerId: number) {
    return this.phonesQuery.all({ customerId });
  }

  recentOrders(customerId: number) {
    return this.ordersQuery.all({ customerId });
  }

  openRmas(customerId: number) {
    return this.rmasQuery.all({ customerId });
  }

  openWorkOrders(customerId: number) {
    return this.workOrdersQuery.all({ customerId });
  }

  queueEntry(callSid: string) {
    return this.queueEntryQuery.get({ callSid });
  }

  /** The call the agent is being offered or is talking on, if any. */
  liveInteraction(agentId: number) {
    return this.liveInteractionQuery.get({ agentId });
  }
}
