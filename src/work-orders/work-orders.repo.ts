// Reads and writes work orders, their history, the callback request a department's answer puts on the front desk's list,
// and the customer contact that callback needs (drizzle only; the rules are in work-order.service.ts).
import { and, asc, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackRequests, customerPhones, customers, workOrderHistory, workOrders, type Department } from '../db/schema/index';
import { WORK_ORDER_PREFIX } from './work-order-number';
import type { WorkOrderStatus } from './work-order-rules';
import { CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import { CustomerContacts } from '../office/customer-contact';

export type WorkOrderRow = typeof workOrders.$inferSelect;
export type NewWorkOrder = Omit<typeof workOrders.$inferInsert, 'id'>;
export type WorkOrderHistoryRow = typeof workOrderHistory.$inferSelect;
export type NewWorkOrderHistory = Omit<typeof workOrderHistory.$inferInsert, 'id'>;
export type WorkOrderCallback = typeof callbackRequests.$inferSelect;

export interface WorkOrderFilter {
  status?: WorkOrderStatus;
  customerId?: number;
  agentId?: number;
  department?: Department;
  /** @default 200 */
  limit?: number;
}

/** How to reach a customer: the primary phone (the first mobile, else the first number), null when none is on file. */
export interface CustomerContact {
  customerId: number;
  phone: string | null;
  preferredLanguage: 'zh' | 'en';
}

export class WorkOrdersRepo {
  private readonly getQuery;
  private readonly historyQuery;

  /** `callbacks`: the process's one callback list (so its settings are the dialer's); a new one on `db` by default. */
  constructor(
    private readonly db: Db,
    private readonly callbackList: CallbackRequestsRepo = new CallbackRequestsRepo(db),
  ) {
    this.getQuery = db.select().from(workOrders).where(eq(workOrders.id, sql.placeholder('id'))).prepare();
    this.historyQuery = db
      .select()
      .from(workOrderHistory)
      .where(eq(workOrderHistory.workOrderId, sql.placeholder('id')))
      .orderBy(asc(workOrderHistory.id))
      .prepare();
  }

  insert(w: NewWorkOrder): WorkOrderRow {
    return this.db.insert(workOrders).values(w).returning().get();
  }

  get(id: number): WorkOrderRow | undefined {
    return this.getQuery.get({ id });
  }

  /** Applies the changes only if the work order is still in `from`; undefined when something else moved it first. */
  transition(id: number, from: WorkOrderStatus, changes: Partial<Omit<WorkOrderRow, 'id' | 'number'>>): WorkOrderRow | undefined {
    return this.db
      .update(workOrders)
      .set(changes)
      .where(and(eq(workOrders.id, id), eq(workOrders.status, from)))
      .returning()
      .get();
  }

  /** Newest first. */
  list(f: WorkOrderFilter): WorkOrderRow[] {
    const where: SQL[] = [];
    if (f.status) where.push(eq(workOrders.status, f.status));
    if (f.customerId !== undefined) where.push(eq(workOrders.customerId, f.customerId));
    if (f.agentId !== undefined) where.push(eq(workOrders.agentId, f.agentId));
    if (f.department) where.push(eq(workOrders.department, f.department));
    return this.db
      .select()
      .from(workOrders)
      .where(and(...where))
      .orderBy(desc(workOrders.createdAt), desc(workOrders.id))
      .limit(f.limit ?? 200)
      .all();
  }

  /** The highest sequence number used on `day` (yyyymmdd), 0 when none. */
  lastSequence(day: string): number {
    const prefix = WORK_ORDER_PREFIX + day;
    const r = this.db
      .select({ n: sql<number | null>`max(cast(substr(${workOrders.number}, ${prefix.length + 1}) as integer))` })
      .from(workOrders)
      .where(like(workOrders.number, `${prefix}%`))
      .get();
    return r?.n ?? 0;
  }

  addHistory(h: NewWorkOrderHistory): WorkOrderHistoryRow {
    return this.db.insert(workOrderHistory).values(h).returning().get();
  }

  /** Oldest first. */
  history(workOrderId: number): WorkOrderHistoryRow[] {
    return this.historyQuery.all({ id: workOrderId });
  }

  customerContact(customerId: number): CustomerContact | undefined {
    const c = new CustomerContacts(this.db).get(customerId);
    return c && { customerId: c.id, phone: c.phone, preferredLanguage: c.preferredLanguage };
  }


  /**
   * Puts a work order's callback on the one callback list (the front desk's pool, in the customer's calling hours);
   * returns its id. The n-th answer of a work order has the dedupe key `work_order:<id>:<n>`.
   */
  addCallback(c: { workOrderId: number; customerId: number | null; phone: string; desk: 'front' | 'middle' | 'back'; reason: string; language: string; requestedAt: Date }): number {
    const n = this.callbackList.forWorkOrder(c.workOrderId).length + 1;
    const dedupeKey = `work_order:${c.workOrderId}:${n}`;
    const id = this.callbackList.add({ ...c, callSid: null, source: 'work_order', dedupeKey });
    if (id === undefined) throw new Error(`callback ${dedupeKey} is already on the list`);
    return id;
  }

  /** The customer was told: the work order's callbacks still waiting are closed as reached; returns how many. */
  finishCallbacks(workOrderId: number, now: Date): number {
    let closed = 0;
    for (const cb of this.callbackList.forWorkOrder(workOrderId)) if (this.callbackList.close(cb.id, 'reached', now)) closed++;
    return closed;
  }

  callbacks(workOrderId: number): WorkOrderCallback[] {
    return this.callbackList.forWorkOrder(workOrderId);
  }
}
