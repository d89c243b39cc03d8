// Reads and writes what intake stores: customers and their phones, orders, RMAs and their review history (drizzle only).
// Hot paths are prepared once: the CSV import runs them tens of thousands of times a second.
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { customerPhones, customers, orders, reviewHistory, rmas } from '../db/schema/index';

export type OrderRow = typeof orders.$inferSelect;
export type NewOrder = Omit<typeof orders.$inferInsert, 'id'>;
export type RmaRow = typeof rmas.$inferSelect;
export type NewRma = Omit<typeof rmas.$inferInsert, 'id'>;
export type CustomerRow = typeof customers.$inferSelect;
export type NewCustomer = Omit<typeof customers.$inferInsert, 'id'>;
export type NewReviewHistory = Omit<typeof reviewHistory.$inferInsert, 'id'>;
export type ReviewHistoryRow = typeof reviewHistory.$inferSelect;

/** An order of the customer, as the duplicate rule compares it. */
export interface NearbyOrder {
  id: number;
  number: string;
  amountFen: number;
  status: string;
  review: string | null;
  items: string;
  placedAt: Date;
}

export class IntakeRepo {
  private readonly customerByAccountQuery;
  private readonly phoneOwnerQuery;
  private readonly orderByNumberQuery;
  private readonly orderIdByNumberQuery;
  private readonly rmaByNumberQuery;
  private readonly nearbyOrdersQuery;
  private readonly insertHistoryQuery;
  private readonly insertPhoneQuery;

  constructor(private readonly db: Db) {
    this.customerByAccountQuery = db.select().from(customers).where(eq(customers.accountNumber, sql.placeholder('account'))).prepare();
    this.phoneOwnerQuery = db.select({ customerId: customerPhones.customerId }).from(customerPhones).where(eq(customerPhones.phone, sql.placeholder('phone'))).prepare();
    this.orderByNumberQuery = db.select().from(orders).where(eq(orders.number, sql.placeholder('number'))).prepare();
    this.orderIdByNumberQuery = db.select({ id: orders.id }).from(orders).where(eq(orders.number, sql.placeholder('number'))).prepare();
    this.rmaByNumberQuery = db.select().from(rmas).where(eq(rmas.number, sql.placeholder('number'))).prepare();
    // orders_customer_placed serves this: one customer's orders in a time range.
    this.nearbyOrdersQuery = db
      .select({ id: orders.id, number: orders.number, amountFen: orders.amountFen, status: orders.status, review: orders.review, items: orders.items, placedAt: orders.placedAt })
      .from(orders)
      .where(and(eq(orders.customerId, sql.placeholder('customerId')), gte(orders.placedAt, sql.placeholder('from')), lte(orders.placedAt, sql.placeholder('to'))))
      .prepare();
    this.insertHistoryQuery = db
      .insert(reviewHistory)
      .values({
        subject: sql.placeholder('subject'),
        subjectId: sql.placeholder('subjectId'),
        action: sql.placeholder('action'),
        actorId: sql.placeholder('actorId'),
        fromStatus: sql.placeholder('fromStatus'),
        toStatus: sql.placeholder('toStatus'),
        note: sql.placeholder('note'),
        data: sql.placeholder('data'),
        at: sql.placeholder('at'),
      })
      .prepare();
    this.insertPhoneQuery = db
      .insert(customerPhones)
      .values({ customerId: sql.placeholder('customerId'), phone: sql.placeholder('phone'), label: 'mobile' })
      .onConflictDoNothing()
      .prepare();
  }

  customerByAccount(accountNumber: string): CustomerRow | undefined {
    return this.customerByAccountQuery.get({ account: accountNumber });
  }

  insertCustomer(c: NewCustomer): CustomerRow {
    return this.db.insert(customers).values(c).returning().get();
  }

  updateCustomer(id: number, changes: Partial<Pick<CustomerRow, 'name' | 'tier' | 'timeZone' | 'preferredLanguage'>>): void {
    this.db.update(customers).set(changes).where(eq(customers.id, id)).run();
  }

  /** The customer a phone number is on file for, if any (a number belongs to one customer: customer_phones_phone). */
  phoneOwner(phone: string): number | undefined {
    return this.phoneOwnerQuery.get({ phone })?.customerId;
  }

  /** Adds the number to the customer; a number already on file (anyone's) is left as it is. */
  addPhone(customerId: number, phone: string): void {
    this.insertPhoneQuery.run({ customerId, phone });
  }

  orderByNumber(number: string): OrderRow | undefined {
    return this.orderByNumberQuery.get({ number });
  }

  orderIdByNumber(number: string): number | undefined {
    return this.orderIdByNumberQuery.get({ number })?.id;
  }

  /** The customer's orders placed between `from` and `to` (inclusive). */
  nearbyOrders(customerId: number, from: Date, to: Date): NearbyOrder[] {
    // Placeholders skip the column's Date mapping: timestamp_ms columns compare as epoch milliseconds.
    return this.nearbyOrdersQuery.all({ customerId, from: from.getTime(), to: to.getTime() });
  }

  insertOrder(o: NewOrder): number {
    return this.db.insert(orders).values(o).returning({ id: orders.id }).get().id;
  }

  updateOrder(id: number, changes: Partial<Omit<OrderRow, 'id' | 'number'>>): void {
    this.db.update(orders).set(changes).where(eq(orders.id, id)).run();
  }

  rmaByNumber(number: string): RmaRow | undefined {
    return this.rmaByNumberQuery.get({ number });
  }

  insertRma(r: NewRma): number {
    return this.db.insert(rmas).values(r).returning({ id: rmas.id }).get().id;
  }

  updateRma(id: number, changes: Partial<Omit<RmaRow, 'id' | 'number'>>): void {
    this.db.update(rmas).set(changes).where(eq(rmas.id, id)).run();
  }

  addHistory(h: NewReviewHistory): void {
    // Insert placeholders go through the column's mapping (Date → epoch ms); where-clause placeholders do not.
    this.insertHistoryQuery.run({
      subject: h.subject,
      subjectId: h.subjectId,
      action: h.action,
      actorId: h.actorId ?? null,
      fromStatus: h.fromStatus ?? null,
      toStatus: h.toStatus ?? null,
      note: h.note ?? null,
      data: h.data ?? null,
      at: h.at,
    });
  }

  history(subject: 'order' | 'rma', subjectId: number): ReviewHistoryRow[] {
    return this.db
      .select()
      .from(reviewHistory)
      .where(and(eq(reviewHistory.subject, subject), eq(reviewHistory.subjectId, subjectId)))
      .orderBy(reviewHistory.id)
      .all();
  }
}
