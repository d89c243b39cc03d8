// The callback list: every call the center owes a customer (virtual hold, after-hours requests, work-order answers,
// middle-office questions, RMA news), which the dialer picks from for a freed agent.
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { CALLBACK_TYPES, callbackAttempts, callbackRequests, callbackSettings, customerPhones, customers, doNotCall, orders, rmas, staff, workOrders, type CallbackType } from '../db/schema/index';
import { insideCallingHours, nextCallingTime, type CallingHours } from './calling-hours';
import { CustomerContacts } from '../office/customer-contact';

export type CallbackRequest = typeof callbackRequests.$inferSelect;
export type NewCallbackRequest = typeof callbackRequests.$inferInsert;
export type CallbackSetting = typeof callbackSettings.$inferSelect;
export type CallbackOutcome = NonNullable<CallbackRequest['outcome']>;
export type CallbackStatus = CallbackRequest['status'];
export type CallbackAttempt = typeof callbackAttempts.$inferSelect;
type Desk = CallbackRequest['desk'];

/** What a finished dial attempt did: a person answered, or why nobody did. */
export type AttemptResult = 'answered' | 'busy' | 'no-answer' | 'failed' | 'machine' | 'canceled' | 'wrong_number' | 'not_dialed' | 'agent_missed';

export const DEFAULT_CALLBACK_SETTING: Omit<CallbackSetting, 'type'> = { mode: 'progressive', callingStartMinute: 540, callingEndMinute: 1260, maxAttempts: 4, retryMinutes: 10 };

/** `LIMIT 1` in the SQL text: a bound LIMIT makes SQLite re-plan a prepared statement on every run. */
const LIMIT_1 = sql.raw('1') as unknown as number;
/**
 * How many due items outside their calling hours one pick may move to their next window before giving up for now: when
 * a time zone's window closes, its backlog moves a few rows per pick (the next pick goes on) instead of all at once.
 */
const MAX_DEFERRED_PER_PICK = 16;

/**
 * Bumped by every repo that writes callback_settings through a connection, so every other repo on that connection
 * (the server's, the dialer's) sees the change at its next pick; another process's write shows in PRAGMA data_version.
 */
const settingsGenerations = new WeakMap<object, number>();

export interface CallbackRepoOptions {
  /** The time zone of a caller the center does not know (config.timeZone). @default 'Asia/Shanghai' */
  timeZone?: string;
}

/** Who is looking at the list: everyone's items, or an agent's own plus the pools of their desks. */
export type CallbackScope = { all: true } | { ownerId: number; desks: readonly Desk[] };

export interface CallbackListFilter {
  statuses?: readonly CallbackStatus[];
  types?: readonly CallbackType[];
  desks?: readonly Desk[];
  /** An agent's id, or null for the desks' pools. */
  ownerId?: number | null;
  dueBefore?: Date;
  dueAfter?: Date;
  phone?: string;
  customerId?: number;
  limit: number;
  offset: number;
}

/** One item of the list with what the screens show beside it (customer, owner, linked numbers). */
export interface CallbackListRow {
  item: CallbackRequest;
  customerName: string | null;
  customerTier: 'new' | 'returning' | 'vip' | null;
  ownerName: string | null;
  orderNumber: string | null;
  rmaNumber: string | null;
  workOrderNumber: string | null;
}

type Statements = ReturnType<CallbackRequestsRepo['prepareStatements']>;

/** What a pick needs to judge a candidate; the winner's whole row is read once, by id. */
const CANDIDATE = {
  id: callbackRequests.id,
  phone: callbackRequests.phone,
  source: callbackRequests.source,
  timeZone: callbackRequests.timeZone,
  priority: callbackRequests.priority,
  eligibleAt: callbackRequests.eligibleAt,
};
type Candidate = { id: number; phone: string; source: CallbackType; timeZone: string; priority: number; eligibleAt: Date };

export class CallbackRequestsRepo {
  private settingsCache?: Map<CallbackType, CallbackSetting>;
  private seenGeneration = -1;
  private seenDataVersion = -1;
  private statements?: Statements;
  private statementsFor = '';
  private readonly dncQuery;
  private readonly dataVersion;
  private readonly customerZoneQuery;
  private readonly getQuery;
  private readonly openTimeZones;
  private readonly moveWindow;
  /** One transaction per pick: its reads share one snapshot and its few writes one commit (a savepoint when nested). */
  private readonly atomically: (fn: () => CallbackRequest | undefined) => CallbackRequest | undefined;
  readonly defaultTimeZone: string;
  private readonly contacts: CustomerContacts;

  constructor(
    private readonly db: Db,
    options: CallbackRepoOptions = {},
  ) {
    this.defaultTimeZone = options.timeZone ?? 'Asia/Shanghai';
    this.contacts = new CustomerContacts(db);
    this.dncQuery = db.select({ phone: doNotCall.phone }).from(doNotCall).where(eq(doNotCall.phone, sql.placeholder('phone'))).prepare();
    this.customerZoneQuery = db.select({ timeZone: customers.timeZone }).from(customers).where(eq(customers.id, sql.placeholder('id'))).prepare();
    this.dataVersion = db.$client.prepare('PRAGMA data_version').pluck();
    this.atomically = db.$client.transaction((fn: () => CallbackRequest | undefined) => fn()).immediate;
    this.getQuery = db.select().from(callbackRequests).where(eq(callbackRequests.id, sql.placeholder('id'))).prepare();
    // The time zones of open items, one index seek each on callback_requests_window (a skip scan written out).
    this.openTimeZones = db.$client.prepare<[], { timeZone: string }>(
      `WITH RECURSIVE z(tz) AS (
         SELECT min(time_zone) FROM callback_requests WHERE status = 'open'
         UNION ALL
         SELECT (SELECT min(time_zone) FROM callback_requests WHERE status = 'open' AND time_zone > z.tz) FROM z WHERE z.tz IS NOT NULL
       ) SELECT tz AS timeZone FROM z WHERE tz IS NOT NULL`,
    );
    this.moveWindow = db.$client.prepare<{ timeZone: string; source: CallbackType; now: number; next: number }>(
      `UPDATE callback_requests SET eligible_at = @next
        WHERE status = 'open' AND time_zone = @timeZone AND source = @source AND eligible_at <= @now`,
    );
  }

  /**
   * The pick statements, for the types dialed progressively (preview types are never offered by the dialer). All types
   * progressive: no filter, pure seeks on callback_requests_pool. Otherwise the pool is walked type by type
   * (`source = ?`), which is seeks on an index with source after owner_id (status, desk, owner_id, source, priority desc,
   * eligible_at) where the schema has one; without it a preview-heavy desk costs a walk over its preview items.
   */
  private prepareStatements(progressive: readonly CallbackType[]) {
    const db = this.db;
    const open = eq(callbackRequests.status, 'open');
    const everyType = progressive.length === CALLBACK_TYPES.length;
    const typed = everyType ? undefined : eq(callbackRequests.source, sql.placeholder('source'));
    const ownTyped = everyType ? undefined : inArray(callbackRequests.source, [...progressive]);
    return {
      /** The types to walk one by one; undefined: the whole pool at once. */
      perType: everyType ? undefined : progressive,
      // The highest priority below a bound in a desk's pool: one index seek on callback_requests_pool.
      topPriority: db
        .select({ priority: callbackRequests.priority })
        .from(callbackRequests)
        .where(and(open, eq(callbackRequests.desk, sql.placeholder('desk')), isNull(callbackRequests.ownerId), lt(callbackRequests.priority, sql.placeholder('below')), typed))
        .orderBy(desc(callbackRequests.priority))
        .limit(LIMIT_1)
        .prepare(),
      // The earliest eligible item of one priority in a desk's pool: one more seek.
      poolHead: db
        .select(CANDIDATE)
        .from(callbackRequests)
        .where(
          and(
            open,
            eq(callbackRequests.desk, sql.placeholder('desk')),
            isNull(callbackRequests.ownerId),
            eq(callbackRequests.priority, sql.placeholder('priority')),
            lte(callbackRequests.eligibleAt, sql`${sql.placeholder('now')}`),
            typed,
          ),
        )
        .orderBy(asc(callbackRequests.eligibleAt), asc(callbackRequests.id))
        .limit(LIMIT_1)
        .prepare(),
      // An agent's own items (few): on callback_requests_owner.
      ownHead: db
        .select(CANDIDATE)
        .from(callbackRequests)
        .where(and(open, eq(callbackRequests.ownerId, sql.placeholder('ownerId')), lte(callbackRequests.eligibleAt, sql`${sql.placeholder('now')}`), ownTyped))
        .orderBy(desc(callbackRequests.priority), asc(callbackRequests.eligibleAt), asc(callbackRequests.id))
        .limit(LIMIT_1)
        .prepare(),
    };
  }

  /** Drops the cached settings when this connection or another process changed them. */
  private refreshSettings(): void {
    const generation = settingsGenerations.get(this.db.$client) ?? 0;
    const version = this.dataVersion.get() as number;
    if (generation === this.seenGeneration && version === this.seenDataVersion && this.settingsCache) return;
    this.seenGeneration = generation;
    this.seenDataVersion = version;
    this.settingsCache = new Map(this.db.select().from(callbackSettings).all().map((s) => [s.type, s]));
  }

  private picks(): Statements {
    this.refreshSettings();
    const progressive = CALLBACK_TYPES.filter((t) => this.settings(t).mode === 'progressive');
    const key = progressive.join(',');
    if (!this.statements || key !== this.statementsFor) {
      this.statements = this.prepareStatements(progressive);
      this.statementsFor = key;
    }
    return this.statements;
  }

  /** EXPLAIN QUERY PLAN of each pick statement as it runs now (benchmarks and tests: seeks, never a scan). */
  explainPicks(): { statement: string; sql: string; plan: string[] }[] {
    const sample: Record<string, unknown> = { desk: 'middle', source: 'rma_status', below: Number.MAX_SAFE_INTEGER, priority: 10, now: 0, ownerId: 1 };
    const { topPriority, poolHead, ownHead } = this.picks();
    return Object.entries({ topPriority, poolHead, ownHead }).map(([statement, q]) => {
      const query = q.getQuery();
      const params = (query.params as unknown[]).map((p) => (p && typeof p === 'object' && 'name' in p ? sample[(p as { name: string }).name] : p));
      const plan = (this.db.$client.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      return { statement, sql: query.sql, plan };
    });
  }

  /** The settings of a callback type (dialing mode, calling hours, retries). */
  settings(type: CallbackType): CallbackSetting {
    if (!this.settingsCache) this.refreshSettings();
    return this.settingsCache!.get(type) ?? { type, ...DEFAULT_CALLBACK_SETTING };
  }

  /** Every type's settings, fresh from the database. */
  allSettings(): CallbackSetting[] {
    this.refreshSettings();
    return CALLBACK_TYPES.map((t) => this.settings(t));
  }

  /** Call after changing callback_settings other than through saveSetting. */
  reloadSettings(): void {
    settingsGenerations.set(this.db.$client, (settingsGenerations.get(this.db.$client) ?? 0) + 1);
    this.settingsCache = undefined;
  }

  /**
   * Changes a type's settings; open items of that type not yet eligible get their place in line from the new hours.
   * Run it inside a transaction.
   */
  saveSetting(type: CallbackType, changes: Partial<Omit<CallbackSetting, 'type'>>, now: Date): CallbackSetting {
    const next = { ...this.settings(type), ...changes, type };
    this.db.insert(callbackSettings).values(next).onConflictDoUpdate({ target: callbackSettings.type, set: changes }).run();
    this.reloadSettings();
    const hours = callingHours(next);
    const waiting = this.db
      .select({ id: callbackRequests.id, dueAt: callbackRequests.dueAt, timeZone: callbackRequests.timeZone })
      .from(callbackRequests)
      .where(and(eq(callbackRequests.status, 'open'), eq(callbackRequests.source, type), gte(callbackRequests.eligibleAt, now)))
      .all();
    for (const w of waiting) {
      const from = w.dueAt.getTime() > now.getTime() ? w.dueAt : now;
      this.db.update(callbackRequests).set({ eligibleAt: nextCallingTime(from, w.timeZone, hours) }).where(eq(callbackRequests.id, w.id)).run();
    }
    return next;
  }

  isDoNotCall(phone: string): boolean {
    return !!this.dncQuery.get({ phone });
  }

  /** The customer's own time zone, else the center's. */
  timeZoneFor(customerId: number | null | undefined): string {
    if (customerId === null || customerId === undefined) return this.defaultTimeZone;
    return this.customerZoneQuery.get({ id: customerId })?.timeZone ?? this.defaultTimeZone;
  }

  /** How to reach a customer: the first mobile (else the first number), their language and tier. */
  customerContact(customerId: number): { customerId: number; phone: string | null; preferredLanguage: 'zh' | 'en'; tier: 'new' | 'returning' | 'vip' } | undefined {
    const c = this.contacts.get(customerId);
    return c && { customerId: c.id, phone: c.phone, preferredLanguage: c.preferredLanguage, tier: c.tier };
  }


  /**
   * Puts a callback on the list; a repeated add (same call, same dedupe key) adds nothing and returns undefined.
   * Due now unless said otherwise; its place in line is the first moment inside its calling hours (a virtual-hold
   * callback keeps the time its caller already waited). The time zone is the customer's unless given (the center's for
   * an unknown caller). A do-not-call number is stored closed, never dialed.
   */
  add(request: NewCallbackRequest): number | undefined {
    const type = request.source ?? 'ivr';
    const due = request.dueAt ?? request.requestedAt;
    const tz = request.timeZone ?? this.timeZoneFor(request.customerId);
    this.refreshSettings();
    const hours = callingHours(this.settings(type));
    let eligibleAt = nextCallingTime(due, tz, hours);
    // A caller who waited in the queue keeps their place: ahead of anyone of the same priority who asked later.
    if (type === 'queue' && eligibleAt.getTime() === due.getTime()) eligibleAt = new Date(due.getTime() - (request.queueSeconds ?? 0) * 1000);
    const blocked = this.isDoNotCall(request.phone);
    return this.db
      .insert(callbackRequests)
      .values({
        ...request,
        source: type,
        timeZone: tz,
        dueAt: due,
        eligibleAt,
        updatedAt: request.requestedAt,
        ...(blocked ? { status: 'failed' as const, outcome: 'do_not_call' as const, closedAt: request.requestedAt } : {}),
      })
      .onConflictDoNothing()
      .returning({ id: callbackRequests.id })
      .get()?.id;
  }

  get(id: number): CallbackRequest | undefined {
    return this.getQuery.get({ id });
  }

  forCall(callSid: string): CallbackRequest | undefined {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.callSid, callSid)).get();
  }

  open(): CallbackRequest[] {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.status, 'open')).orderBy(callbackRequests.requestedAt).all();
  }

  /** A work order's callbacks, oldest first. */
  forWorkOrder(workOrderId: number): CallbackRequest[] {
    return this.db
      .select()
      .from(callbackRequests)
      .where(and(eq(callbackRequests.workOrderId, workOrderId), eq(callbackRequests.source, 'work_order')))
      .orderBy(asc(callbackRequests.id))
      .all();
  }

  /**
   * The callback a freed agent should make next: their own first, then the best of their desks' pools (priority, then
   * place in line). Only types dialed progressively, only inside the customer's calling hours; an item found outside
   * them moves to its next window, one on the do-not-call list is closed. Index seeks only, however long the list.
   */
  nextFor(agentId: number, desks: readonly Desk[], now: Date): CallbackRequest | undefined {
    return this.atomically(() => this.pick(agentId, desks, now));
  }

  private pick(agentId: number, desks: readonly Desk[], now: Date): CallbackRequest | undefined {
    const q = this.picks();
    const budget = { deferrals: MAX_DEFERRED_PER_PICK };
    const own = this.firstCallable(() => q.ownHead.get({ ownerId: agentId, now: now.getTime() }), now, budget);
    if (own) return this.get(own.id);
    let best: Candidate | undefined;
    for (const desk of desks) {
      const head = this.poolHead(q, desk, now, budget);
      if (head && (!best || head.priority > best.priority || (head.priority === best.priority && head.eligibleAt.getTime() < best.eligibleAt.getTime()))) best = head;
    }
    return best && this.get(best.id);
  }

  /** Takes an open item for an agent; false if someone else took it first. */
  reserve(id: number, agentId: number, now: Date): boolean {
    return (
      this.db
        .update(callbackRequests)
        .set({ status: 'in_progress', reservedBy: agentId, updatedAt: now })
        .where(and(eq(callbackRequests.id, id), eq(callbackRequests.status, 'open')))
        .run().changes > 0
    );
  }

  /** Back to the list in the place it had (the agent did not take it, or the call could not be placed). */
  release(id: number, now: Date): void {
    this.db
      .update(callbackRequests)
      .set({ status: 'open', reservedBy: null, updatedAt: now })
      .where(and(eq(callbackRequests.id, id), eq(callbackRequests.status, 'in_progress')))
      .run();
  }

  /**
   * A dial attempt finished. A person answered: the item stays with the agent until they record the outcome. A wrong
   * number closes it. An attempt that never reached the customer (not dialed, the agent missed it) costs nothing and
   * keeps the item's place. Otherwise it is tried again after a doubling wait (inside calling hours), until the
   * type's maximum.
   */
  attemptFinished(id: number, result: AttemptResult, now: Date): 'answered' | 'retry' | 'closed' | 'unchanged' {
    const item = this.get(id);
    if (!item || item.status === 'done' || item.status === 'failed') return 'unchanged';
    this.refreshSettings();
    if (result === 'not_dialed' || result === 'agent_missed') {
      this.db.update(callbackRequests).set({ status: 'open', reservedBy: null, lastResult: result, updatedAt: now }).where(eq(callbackRequests.id, id)).run();
      return 'retry';
    }
    const attempts = item.attempts + 1;
    if (result === 'answered') {
      this.db.update(callbackRequests).set({ attempts, lastResult: result, updatedAt: now }).where(eq(callbackRequests.id, id)).run();
      return 'answered';
    }
    if (result === 'wrong_number') {
      this.close(id, 'wrong_number', now, { attempts, lastResult: result });
      return 'closed';
    }
    const s = this.settings(item.source);
    if (attempts >= s.maxAttempts) {
      this.close(id, 'max_attempts', now, { attempts, lastResult: result });
      return 'closed';
    }
    const due = new Date(now.getTime() + s.retryMinutes * 2 ** (attempts - 1) * 60_000);
    this.db
      .update(callbackRequests)
      .set({ status: 'open', reservedBy: null, attempts, lastResult: result, dueAt: due, eligibleAt: nextCallingTime(due, item.timeZone, callingHours(s)), updatedAt: now })
      .where(eq(callbackRequests.id, id))
      .run();
    return 'retry';
  }

  /** Ends an item for good: reached (done) or any other outcome (failed). */
  close(id: number, outcome: CallbackOutcome, now: Date, extra: Partial<Pick<CallbackRequest, 'attempts' | 'lastResult' | 'answer'>> = {}): boolean {
    return (
      this.db
        .update(callbackRequests)
        .set({ ...extra, status: outcome === 'reached' ? 'done' : 'failed', outcome, reservedBy: null, closedAt: now, updatedAt: now })
        .where(and(eq(callbackRequests.id, id), inArray(callbackRequests.status, ['open', 'in_progress'])))
        .run().changes > 0
    );
  }

  /**
   * The calling-window sweep: every open item whose place in line has come while its customer's calling hours are
   * closed moves to the next window, one UPDATE per time zone and type (index range seeks). Run on a timer, it keeps
   * these writes off the pick path (a pick still moves any item it meets between sweeps). Returns how many moved.
   */
  moveClosedWindows(now: Date): number {
    this.refreshSettings();
    let moved = 0;
    for (const { timeZone } of this.openTimeZones.all()) {
      for (const type of CALLBACK_TYPES) {
        const hours = callingHours(this.settings(type));
        if (insideCallingHours(now, timeZone, hours)) continue;
        moved += this.moveWindow.run({ timeZone, source: type, now: now.getTime(), next: nextCallingTime(now, timeZone, hours).getTime() }).changes;
      }
    }
    return moved;
  }

  /** Closes every item waiting for `phone` (it went on the do-not-call list); returns their ids. */
  closeWaitingFor(phone: string, outcome: CallbackOutcome, now: Date): number[] {
    return this.db
      .update(callbackRequests)
      .set({ status: 'failed', outcome, reservedBy: null, closedAt: now, updatedAt: now })
      .where(and(eq(callbackRequests.phone, phone), eq(callbackRequests.status, 'open')))
      .returning({ id: callbackRequests.id })
      .all()
      .map((r) => r.id);
  }

  /** Changes an item that is still open (owner, due time and so its place in line, priority); false when it is not open. */
  change(id: number, c: { ownerId?: number | null; dueAt?: Date; priority?: number }, now: Date): boolean {
    const item = this.get(id);
    if (!item || item.status !== 'open') return false;
    const set: Partial<CallbackRequest> = { updatedAt: now };
    if (c.ownerId !== undefined) set.ownerId = c.ownerId;
    if (c.priority !== undefined) set.priority = c.priority;
    if (c.dueAt !== undefined) {
      set.dueAt = c.dueAt;
      set.eligibleAt = nextCallingTime(c.dueAt, item.timeZone, callingHours(this.settings(item.source)));
    }
    return this.db.update(callbackRequests).set(set).where(and(eq(callbackRequests.id, id), eq(callbackRequests.status, 'open'))).run().changes > 0;
  }

  /** A page of the list in dialing order (priority, then place in line), with the customer, owner and linked numbers. */
  list(scope: CallbackScope, f: CallbackListFilter): CallbackListRow[] {
    const where: (SQL | undefined)[] = [];
    if (!('all' in scope)) {
      const pool = scope.desks.length ? and(isNull(callbackRequests.ownerId), inArray(callbackRequests.desk, [...scope.desks])) : undefined;
      where.push(pool ? or(eq(callbackRequests.ownerId, scope.ownerId), pool) : eq(callbackRequests.ownerId, scope.ownerId));
    }
    if (f.statuses?.length) where.push(inArray(callbackRequests.status, [...f.statuses]));
    if (f.types?.length) where.push(inArray(callbackRequests.source, [...f.types]));
    if (f.desks?.length) where.push(inArray(callbackRequests.desk, [...f.desks]));
    if (f.ownerId === null) where.push(isNull(callbackRequests.ownerId));
    else if (f.ownerId !== undefined) where.push(eq(callbackRequests.ownerId, f.ownerId));
    if (f.dueBefore) where.push(lt(callbackRequests.dueAt, f.dueBefore));
    if (f.dueAfter) where.push(gte(callbackRequests.dueAt, f.dueAfter));
    if (f.phone) where.push(eq(callbackRequests.phone, f.phone));
    if (f.customerId !== undefined) where.push(eq(callbackRequests.customerId, f.customerId));
    return this.listRows()
      .where(and(...where))
      .orderBy(desc(callbackRequests.priority), asc(callbackRequests.eligibleAt), asc(callbackRequests.id))
      .limit(f.limit)
      .offset(f.offset)
      .all();
  }

  /** A callback with what a list shows beside it: customer, owner, and the order, RMA or work order it is about. */
  private listRows() {
    return this.db
      .select({
        item: callbackRequests,
        customerName: customers.name,
        customerTier: customers.tier,
        ownerName: staff.displayName,
        orderNumber: orders.number,
        rmaNumber: rmas.number,
        workOrderNumber: workOrders.number,
      })
      .from(callbackRequests)
      .leftJoin(customers, eq(customers.id, callbackRequests.customerId))
      .leftJoin(staff, eq(staff.id, callbackRequests.ownerId))
      .leftJoin(orders, eq(orders.id, callbackRequests.orderId))
      .leftJoin(rmas, eq(rmas.id, callbackRequests.rmaId))
      .leftJoin(workOrders, eq(workOrders.id, callbackRequests.workOrderId));
  }

  /** One item as list() shows it. */
  row(id: number): CallbackListRow | undefined {
    return this.listRows()
      .where(eq(callbackRequests.id, id))
      .get();
  }

  /** The attempts of these items, oldest first, with the agent's name. */
  attempts(callbackIds: readonly number[]): (CallbackAttempt & { agentName: string | null })[] {
    if (!callbackIds.length) return [];
    return this.db
      .select({ attempt: callbackAttempts, agentName: staff.displayName })
      .from(callbackAttempts)
      .leftJoin(staff, eq(staff.id, callbackAttempts.agentId))
      .where(inArray(callbackAttempts.callbackId, [...callbackIds]))
      .orderBy(asc(callbackAttempts.id))
      .all()
      .map((r) => ({ ...r.attempt, agentName: r.agentName }));
  }

  /** The best callable item of a desk's pool, walking its priority levels from the top (a seek per level). */
  private poolHead(q: Statements, desk: Desk, now: Date, budget: { deferrals: number }): Candidate | undefined {
    if (!q.perType) return this.levelHead(q, desk, undefined, now, budget);
    let best: Candidate | undefined;
    for (const source of q.perType) {
      const head = this.levelHead(q, desk, source, now, budget);
      if (head && (!best || head.priority > best.priority || (head.priority === best.priority && head.eligibleAt.getTime() < best.eligibleAt.getTime()))) best = head;
    }
    return best;
  }

  /** The best callable item of a desk's pool (of one type), walking its priority levels from the top (a seek per level). */
  private levelHead(q: Statements, desk: Desk, source: CallbackType | undefined, now: Date, budget: { deferrals: number }): Candidate | undefined {
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const top = q.topPriority.get({ desk, source, below })?.priority;
      if (top === undefined) return undefined;
      const item = this.firstCallable(() => q.poolHead.get({ desk, source, priority: top, now: now.getTime() }), now, budget);
      if (item) return item;
      if (budget.deferrals <= 0) return undefined;
      below = top;
    }
  }

  /** The head `read` returns, once it is dialable now: heads outside their hours move on, do-not-call heads close. */
  private firstCallable(read: () => Candidate | undefined, now: Date, budget: { deferrals: number }): Candidate | undefined {
    for (;;) {
      const item = read();
      if (!item) return undefined;
      if (this.isDoNotCall(item.phone)) {
        this.close(item.id, 'do_not_call', now);
        continue;
      }
      const s = this.settings(item.source);
      // The statements filter preview types out; one that slipped through a settings change is left where it is.
      if (s.mode !== 'progressive') return undefined;
      if (insideCallingHours(now, item.timeZone, callingHours(s))) return item;
      if (budget.deferrals-- <= 0) return undefined;
      this.db.update(callbackRequests).set({ eligibleAt: nextCallingTime(now, item.timeZone, callingHours(s)) }).where(eq(callbackRequests.id, item.id)).run();
    }
  }
}

export function callingHours(s: Pick<CallbackSetting, 'callingStartMinute' | 'callingEndMinute'>): CallingHours {
  return { startMinute: s.callingStartMinute, endMinute: s.callingEndMinute };
}
