// The callback list: every call the center owes a customer (virtual hold, after-hours requests, work-order answers,
// middle-office questions, RMA news), which the dialer picks from for a freed agent.
import { and, asc, desc, eq, inArray, isNull, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackRequests, callbackSettings, doNotCall, type CallbackType } from '../db/schema/index';
import { insideCallingHours, nextCallingTime, type CallingHours } from './calling-hours';

export type CallbackRequest = typeof callbackRequests.$inferSelect;
export type NewCallbackRequest = typeof callbackRequests.$inferInsert;
export type CallbackSetting = typeof callbackSettings.$inferSelect;
export type CallbackOutcome = NonNullable<CallbackRequest['outcome']>;
type Desk = CallbackRequest['desk'];

/** What a finished dial attempt did: a person answered, or why nobody did. */
export type AttemptResult = 'answered' | 'busy' | 'no-answer' | 'failed' | 'machine' | 'canceled' | 'wrong_number' | 'not_dialed' | 'agent_missed';

const DEFAULT_SETTING: Omit<CallbackSetting, 'type'> = { mode: 'progressive', callingStartMinute: 540, callingEndMinute: 1260, maxAttempts: 4, retryMinutes: 10 };

/** `LIMIT 1` in the SQL text: a bound LIMIT makes SQLite re-plan a prepared statement on every run. */
const LIMIT_1 = sql.raw('1') as unknown as number;
/** How many due items outside their calling hours one pick may move to their next window before giving up for now. */
const MAX_DEFERRED_PER_PICK = 50;

export class CallbackRequestsRepo {
  private settingsCache?: Map<CallbackType, CallbackSetting>;
  private readonly topPriorityQuery;
  private readonly poolHeadQuery;
  private readonly ownHeadQuery;
  private readonly dncQuery;

  constructor(private readonly db: Db) {
    const open = eq(callbackRequests.status, 'open');
    // The highest priority below a bound in a desk's pool: one index seek on callback_requests_pool.
    this.topPriorityQuery = db
      .select({ priority: sql<number>`max(${callbackRequests.priority})` })
      .from(callbackRequests)
      .where(and(open, eq(callbackRequests.desk, sql.placeholder('desk')), isNull(callbackRequests.ownerId), lt(callbackRequests.priority, sql.placeholder('below'))))
      .prepare();
    // The earliest eligible item of one priority in a desk's pool: one more seek.
    this.poolHeadQuery = db
      .select()
      .from(callbackRequests)
      .where(
        and(
          open,
          eq(callbackRequests.desk, sql.placeholder('desk')),
          isNull(callbackRequests.ownerId),
          eq(callbackRequests.priority, sql.placeholder('priority')),
          lte(callbackRequests.eligibleAt, sql`${sql.placeholder('now')}`),
        ),
      )
      .orderBy(asc(callbackRequests.eligibleAt), asc(callbackRequests.id))
      .limit(LIMIT_1)
      .prepare();
    // An agent's own items (few): on callback_requests_owner.
    this.ownHeadQuery = db
      .select()
      .from(callbackRequests)
      .where(and(open, eq(callbackRequests.ownerId, sql.placeholder('ownerId')), lte(callbackRequests.eligibleAt, sql`${sql.placeholder('now')}`)))
      .orderBy(desc(callbackRequests.priority), asc(callbackRequests.eligibleAt), asc(callbackRequests.id))
      .limit(LIMIT_1)
      .prepare();
    this.dncQuery = db.select({ phone: doNotCall.phone }).from(doNotCall).where(eq(doNotCall.phone, sql.placeholder('phone'))).prepare();
  }

  /** The settings of a callback type (dialing mode, calling hours, retries). */
  settings(type: CallbackType): CallbackSetting {
    if (!this.settingsCache) this.settingsCache = new Map(this.db.select().from(callbackSettings).all().map((s) => [s.type, s]));
    return this.settingsCache.get(type) ?? { type, ...DEFAULT_SETTING };
  }

  /** Call after changing callback_settings. */
  reloadSettings(): void {
    this.settingsCache = undefined;
  }

  isDoNotCall(phone: string): boolean {
    return !!this.dncQuery.get({ phone });
  }

  /**
   * Puts a callback on the list; a repeated add (same call, same dedupe key) adds nothing and returns undefined.
   * Due now unless said otherwise; its place in line is the first moment inside its calling hours (a virtual-hold
   * callback keeps the time its caller already waited). A do-not-call number is stored closed, never dialed.
   */
  add(request: NewCallbackRequest): number | undefined {
    const type = request.source ?? 'ivr';
    const due = request.dueAt ?? request.requestedAt;
    const tz = request.timeZone ?? 'Asia/Shanghai';
    const hours = callingHours(this.settings(type));
    let eligibleAt = nextCallingTime(due, tz, hours);
    if (type === 'queue' && eligibleAt.getTime() === due.getTime()) eligibleAt = new Date(due.getTime() - (request.queueSeconds ?? 0) * 1000);
    const blocked = this.isDoNotCall(request.phone);
    return this.db
      .insert(callbackRequests)
      .values({
        ...request,
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
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.id, id)).get();
  }

  forCall(callSid: string): CallbackRequest | undefined {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.callSid, callSid)).get();
  }

  open(): CallbackRequest[] {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.status, 'open')).orderBy(callbackRequests.requestedAt).all();
  }

  /**
   * The callback a freed agent should make next: their own first, then the best of their desks' pools (priority, then
   * place in line). Only types dialed progressively, only inside the customer's calling hours; an item found outside
   * them moves to its next window, one on the do-not-call list is closed. Index seeks only, however long the list.
   */
  nextFor(agentId: number, desks: readonly Desk[], now: Date): CallbackRequest | undefined {
    const budget = { deferrals: MAX_DEFERRED_PER_PICK };
    const own = this.firstCallable(() => this.ownHeadQuery.get({ ownerId: agentId, now: now.getTime() }), now, budget);
    if (own) return own;
    let best: CallbackRequest | undefined;
    for (const desk of desks) {
      const head = this.poolHead(desk, now, budget);
      if (head && (!best || head.priority > best.priority || (head.priority === best.priority && head.eligibleAt.getTime() < best.eligibleAt.getTime()))) best = head;
    }
    return best;
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
   * number closes it. Otherwise it is tried again after a doubling wait (inside calling hours), until the type's maximum.
   */
  attemptFinished(id: number, result: AttemptResult, now: Date): 'answered' | 'retry' | 'closed' | 'unchanged' {
    const item = this.get(id);
    if (!item || item.status === 'done' || item.status === 'failed') return 'unchanged';
    const counted = result !== 'not_dialed' && result !== 'agent_missed';
    const attempts = item.attempts + (counted ? 1 : 0);
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
    const waitMinutes = counted ? s.retryMinutes * 2 ** Math.max(0, attempts - 1) : 0;
    const due = new Date(now.getTime() + waitMinutes * 60_000);
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

  /** The best callable item of a desk's pool, walking its priority levels from the top (a seek per level). */
  private poolHead(desk: Desk, now: Date, budget: { deferrals: number }): CallbackRequest | undefined {
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const top = this.topPriorityQuery.get({ desk, below })?.priority;
      if (top === null || top === undefined) return undefined;
      const item = this.firstCallable(() => this.poolHeadQuery.get({ desk, priority: top, now: now.getTime() }), now, budget);
      if (item) return item;
      if (budget.deferrals <= 0) return undefined;
      below = top;
    }
  }

  /** The head `read` returns, once it is dialable now: heads outside their hours move on, do-not-call heads close. */
  private firstCallable(read: () => CallbackRequest | undefined, now: Date, budget: { deferrals: number }): CallbackRequest | undefined {
    for (;;) {
      const item = read();
      if (!item) return undefined;
      const s = this.settings(item.source);
      if (this.isDoNotCall(item.phone)) {
        this.close(item.id, 'do_not_call', now);
        continue;
      }
      if (s.mode === 'progressive' && insideCallingHours(now, item.timeZone, callingHours(s))) return item;
      if (budget.deferrals-- <= 0) return undefined;
      // Preview items wait for an agent to press call: they are moved out of the progressive line until tomorrow's window.
      const next = nextCallingTime(s.mode === 'preview' ? new Date(now.getTime() + 86_400_000) : now, item.timeZone, callingHours(s));
      this.db.update(callbackRequests).set({ eligibleAt: next }).where(eq(callbackRequests.id, item.id)).run();
    }
  }
}

export function callingHours(s: CallbackSetting): CallingHours {
  return { startMinute: s.callingStartMinute, endMinute: s.callingEndMinute };
}
