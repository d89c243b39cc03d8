// Reads and writes what intake stores: customers and their phones, orders, RMAs and their review history.
// The queries are built with drizzle (so they follow the schema) but the hot ones run as raw better-sqlite3
// statements: the CSV import runs them tens of thousands of times a second, and drizzle's per-call placeholder filling
// and row mapping cost more than SQLite's own work here (measured: 6-12 µs against 1-3 µs per statement).
import { and, eq, gte, lte, sql, Placeholder, type SQL } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
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

/** What intake needs of a customer. */
export type IntakeCustomer = Pick<CustomerRow, 'id' | 'name' | 'tier' | 'timeZone' | 'preferredLanguage'>;

/** An order of the customer, as the duplicate rule compares it. */
export interface NearbyOrder {
  number: string;
  amountFen: number;
  status: string;
  review: string | null;
  items: string;
  placedAt: Date;
}

/** Where a known record stands: enough to decide "unchanged" without reading the whole row. */
export interface KnownRecord {
  id: number;
  version: number;
  status: string;
  review: string | null;
}

/** A placeholder drizzle passes through untouched (insert placeholders otherwise go through the column's mapping). */
const raw = (name: string) => sql`${sql.placeholder(name)}`;
const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const bit = (b: boolean | null | undefined) => (b === null || b === undefined ? null : b ? 1 : 0);
const placeholders = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, raw(k)])) as Record<K, SQL>;

/** A drizzle query compiled once into a raw statement; values are driver values (epoch ms, 0/1), by placeholder name. */
class Compiled {
  private readonly stmt: Statement;
  /** Each parameter's placeholder name, or undefined for a value drizzle inlined as a parameter. */
  private readonly names: (string | undefined)[];
  private readonly fixed: unknown[];

  constructor(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }, rows: 'none' | 'object' = 'object') {
    const { sql: text, params } = query.toSQL();
    this.stmt = db.$client.prepare(text);
    if (rows === 'none' && this.stmt.reader) throw new Error('a reader compiled as a writer');
    this.names = params.map((p) => (p instanceof Placeholder ? p.name : undefined));
    this.fixed = params;
  }

  private args(values: Record<string, unknown>): unknown[] {
    const out = new Array<unknown>(this.names.length);
    for (let i = 0; i < out.length; i++) {
      const name = this.names[i];
      out[i] = name === undefined ? this.fixed[i] : values[name];
    }
    return out;
  }

  run(values: Record<string, unknown>): number {
    return Number(this.stmt.run(this.args(values)).lastInsertRowid);
  }

  get<T>(values: Record<string, unknown>): T | undefined {
    return this.stmt.get(this.args(values)) as T | undefined;
  }

  all<T>(values: Record<string, unknown>): T[] {
    return this.stmt.all(this.args(values)) as T[];
  }

  /**
   * For the hot statements: checks once that the parameters are exactly `keys`, in order, so callers may pass an array
   * of values in that order (no object of named values and no second array per call: the import's GC is its largest cost).
   */
  positional(keys: readonly string[]): this {
    if (this.names.length !== keys.length || this.names.some((n, i) => n !== keys[i])) throw new Error(`parameters ${this.names.join(',')} are not ${keys.join(',')}`);
    return this;
  }

  runArgs(args: unknown[]): number {
    return Number(this.stmt.run(args).lastInsertRowid);
  }

  getArgs<T>(args: unknown[]): T | undefined {
    return this.stmt.get(args) as T | undefined;
  }

  allArgs<T>(args: unknown[]): T[] {
    return this.stmt.all(args) as T[];
  }
}

// In the table's column order, the order drizzle binds them in (checked by Compiled.positional).
const ORDER_INSERT_COLUMNS = ['number', 'customerId', 'amountFen', 'payment', 'status', 'items', 'address', 'invoiceTitle', 'invoiceTaxId', 'placedAt', 'updatedAt', 'version', 'phone', 'invoiceRequested', 'paidFen', 'review', 'holdReasons', 'checklist', 'heldAt'] as const;
const RMA_INSERT_COLUMNS = ['number', 'orderId', 'kind', 'status', 'reason', 'createdAt', 'updatedAt', 'version', 'itemSku', 'itemName', 'quantity', 'paidFen', 'deliveredAt', 'qcPassed', 'qcNote', 'replacementSku'] as const;
const HISTORY_COLUMNS = ['subject', 'subjectId', 'action', 'actorId', 'fromStatus', 'toStatus', 'note', 'data', 'at'] as const;

/** A step's values in HISTORY_COLUMNS order, appended to `out`. */
function pushHistory(out: unknown[], h: NewReviewHistory): unknown[] {
  out.push(h.subject, h.subjectId, h.action, h.actorId ?? null, h.fromStatus ?? null, h.toStatus ?? null, h.note ?? null, h.data ?? null, h.at.getTime());
  return out;
}

export class IntakeRepo {
  private readonly q;

  constructor(private readonly db: Db) {
    // Selected fields are aliased to their property names so raw rows read like drizzle's.
    const as = (col: AnySQLiteColumn, alias: string) => sql`${col}`.as(alias);
    this.q = {
      customerByAccount: new Compiled(
        db,
        db
          .select({ id: customers.id, name: customers.name, tier: customers.tier, timeZone: as(customers.timeZone, 'timeZone'), preferredLanguage: as(customers.preferredLanguage, 'preferredLanguage') })
          .from(customers)
          .where(eq(customers.accountNumber, sql.placeholder('account'))),
      ).positional(['account']),
      insertCustomer: new Compiled(db, db.insert(customers).values(placeholders(['accountNumber', 'name', 'tier', 'preferredLanguage', 'timeZone', 'createdAt'] as const)).returning({ id: customers.id })).positional(['accountNumber', 'name', 'tier', 'preferredLanguage', 'timeZone', 'createdAt']),
      addPhone: new Compiled(db, db.insert(customerPhones).values({ customerId: raw('customerId'), phone: raw('phone'), label: raw('label') }).onConflictDoNothing(), 'none').positional(['customerId', 'phone', 'label']),
      orderKnown: new Compiled(db, db.select({ id: orders.id, version: orders.version, status: orders.status, review: orders.review }).from(orders).where(eq(orders.number, sql.placeholder('number')))).positional(['number']),
      orderId: new Compiled(db, db.select({ id: orders.id }).from(orders).where(eq(orders.number, sql.placeholder('number')))),
      // orders_customer_placed serves this: one customer's orders in a time range.
      nearbyOrders: new Compiled(
        db,
        db
          .select({ number: orders.number, amountFen: as(orders.amountFen, 'amountFen'), status: orders.status, review: orders.review, items: orders.items, placedAt: as(orders.placedAt, 'placedAt') })
          .from(orders)
          .where(and(eq(orders.customerId, sql.placeholder('customerId')), gte(orders.placedAt, sql.placeholder('from')), lte(orders.placedAt, sql.placeholder('to')))),
      ).positional(['customerId', 'from', 'to']),
      insertOrder: new Compiled(db, db.insert(orders).values(placeholders(ORDER_INSERT_COLUMNS)), 'none').positional(ORDER_INSERT_COLUMNS),
      rmaKnown: new Compiled(db, db.select({ id: rmas.id, version: rmas.version, status: rmas.status }).from(rmas).where(eq(rmas.number, sql.placeholder('number')))),
      insertRma: new Compiled(db, db.insert(rmas).values(placeholders(RMA_INSERT_COLUMNS)).returning({ id: rmas.id })),
      addHistory: new Compiled(db, db.insert(reviewHistory).values(placeholders(HISTORY_COLUMNS)), 'none').positional(HISTORY_COLUMNS),
      // A new order's two steps (received, then held or auto_approved) in one statement.
      addHistoryPair: new Compiled(
        db,
        db.insert(reviewHistory).values([placeholders(HISTORY_COLUMNS), Object.fromEntries(HISTORY_COLUMNS.map((k) => [k, raw(`${k}2`)])) as Record<(typeof HISTORY_COLUMNS)[number], SQL>]),
        'none',
      ).positional([...HISTORY_COLUMNS, ...HISTORY_COLUMNS.map((k) => `${k}2`)]),
    };
  }

  customerByAccount(accountNumber: string): IntakeCustomer | undefined {
    return this.q.customerByAccount.getArgs<IntakeCustomer>([accountNumber]);
  }

  insertCustomer(c: Required<Omit<NewCustomer, 'createdAt'>> & { createdAt: Date }): IntakeCustomer {
    const { id } = this.q.insertCustomer.getArgs<{ id: number }>([c.accountNumber, c.name, c.tier, c.preferredLanguage, c.timeZone, c.createdAt.getTime()])!;
    return { id, name: c.name, tier: c.tier, timeZone: c.timeZone, preferredLanguage: c.preferredLanguage };
  }

  updateCustomer(id: number, changes: Partial<Pick<CustomerRow, 'name' | 'tier' | 'timeZone' | 'preferredLanguage'>>): void {
    this.db.update(customers).set(changes).where(eq(customers.id, id)).run();
  }

  /** Adds the number to the customer; a number already on file (anyone's: one number, one customer) is left as it is. */
  addPhone(customerId: number, phone: string): void {
    this.q.addPhone.runArgs([customerId, phone, 'mobile']);
  }

  orderKnown(number: string): KnownRecord | undefined {
    return this.q.orderKnown.getArgs<KnownRecord>([number]);
  }

  orderByNumber(number: string): OrderRow | undefined {
    return this.db.select().from(orders).where(eq(orders.number, number)).get();
  }

  orderIdByNumber(number: string): number | undefined {
    return this.q.orderId.get<{ id: number }>({ number })?.id;
  }

  /** The customer's orders placed between `from` and `to` (inclusive). */
  nearbyOrders(customerId: number, from: Date, to: Date): NearbyOrder[] {
    return this.nearbyOrderRows(customerId, from.getTime(), to.getTime()).map((o) => ({ ...o, placedAt: new Date(o.placedAt) }));
  }

  /** nearbyOrders with times as epoch ms, for the import's hot path (no Date objects for the usual empty answer). */
  nearbyOrderRows(customerId: number, fromMs: number, toMs: number): (Omit<NearbyOrder, 'placedAt'> & { placedAt: number })[] {
    return this.q.nearbyOrders.allArgs<Omit<NearbyOrder, 'placedAt'> & { placedAt: number }>([customerId, fromMs, toMs]);
  }

  insertOrder(o: NewOrder): number {
    // ORDER_INSERT_COLUMNS order.
    return this.q.insertOrder.runArgs([
      o.number,
      o.customerId,
      o.amountFen,
      o.payment,
      o.status,
      o.items,
      o.address ?? null,
      o.invoiceTitle ?? null,
      o.invoiceTaxId ?? null,
      ms(o.placedAt),
      ms(o.updatedAt),
      o.version ?? 0,
      o.phone ?? null,
      bit(o.invoiceRequested ?? false),
      o.paidFen ?? null,
      o.review ?? null,
      o.holdReasons ?? null,
      o.checklist ?? null,
      ms(o.heldAt),
    ]);
  }

  updateOrder(id: number, changes: Partial<Omit<OrderRow, 'id' | 'number'>>): void {
    this.db.update(orders).set(changes).where(eq(orders.id, id)).run();
  }

  rmaKnown(number: string): Omit<KnownRecord, 'review'> | undefined {
    return this.q.rmaKnown.get<Omit<KnownRecord, 'review'>>({ number });
  }

  rmaByNumber(number: string): RmaRow | undefined {
    return this.db.select().from(rmas).where(eq(rmas.number, number)).get();
  }

  insertRma(r: NewRma): number {
    return this.q.insertRma.get<{ id: number }>({
      ...Object.fromEntries(RMA_INSERT_COLUMNS.map((k) => [k, r[k] ?? null])),
      createdAt: ms(r.createdAt),
      updatedAt: ms(r.updatedAt),
      version: r.version ?? 0,
      quantity: r.quantity ?? 1,
      deliveredAt: ms(r.deliveredAt),
      qcPassed: bit(r.qcPassed),
    })!.id;
  }

  updateRma(id: number, changes: Partial<Omit<RmaRow, 'id' | 'number'>>): void {
    this.db.update(rmas).set(changes).where(eq(rmas.id, id)).run();
  }

  addHistory(h: NewReviewHistory): void {
    this.q.addHistory.runArgs(pushHistory([], h));
  }

  /** Two steps, `a` first (its id is the lower). */
  addHistoryPair(a: NewReviewHistory, b: NewReviewHistory): void {
    this.q.addHistoryPair.runArgs(pushHistory(pushHistory([], a), b));
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
