// Owns the middle office's review of held orders: the work list, claims, the checklist, and the decisions (approve,
// cancel, or ask the customer a question through the callback list, then record the answer); every step is history.
import type { AuditTrail } from '../audit/audit.repo';
import type { Principal } from '../auth/auth.service';
import type { Transact } from '../db/transaction';
import type { Desk } from '../acd/agent-desks.repo';
import { Conflict, Forbidden, Invalid } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { maskPhone } from '../logging/logger';
import { callbackContact, type CustomerContacts, type OfficeCustomer } from '../office/customer-contact';
import { byNumberOrId, mustActOn, officeAccess, type OfficeList } from '../office/office-access';
import { liveClaim, type Claim, type ReviewClaims } from '../office/review-claims';
import type { ReviewHistoryRepo, ReviewHistoryRow } from '../office/review-history.repo';
import type { CallbackRow, OrderReviewRepo, OrderRow } from './order-review.repo';

/** Who acts; `ip` goes to the audit trail with each decision. */
export type Actor = Pick<Principal, 'id' | 'role'> & { ip?: string | null };

export interface HoldReason {
  rule: string;
  detail?: string;
}

export interface ChecklistItem {
  item: string;
  done: boolean;
  by?: number;
  at?: string;
}

export interface OrderQuestion {
  callbackId: number;
  question: string | null;
  answer: string | null;
  ownerId: number | null;
  status: CallbackRow['status'];
  outcome: CallbackRow['outcome'];
  requestedAt: Date;
  closedAt: Date | null;
}

/** A held order as the work list shows it. Phones are in full only for middle-desk agents, who call the customer. */
export interface ReviewedOrder {
  order: OrderRow;
  holdReasons: HoldReason[];
  checklist: ChecklistItem[];
  claim: Claim | null;
  customer: { id: number; name: string; tier: string | null; timeZone: string | null; phone: string | null };
  /** The order's contact phone (or the customer's), full or masked. */
  phone: string | null;
  openQuestion: OrderQuestion | null;
}

export type ReviewedOrderDetail = ReviewedOrder & { history: ReviewHistoryRow[]; questions: OrderQuestion[] };

export interface HeldOrderQuery {
  reason?: string;
  claimed?: 'mine' | 'free';
  /** @default 50 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

export interface OrderReviewDeps {
  repo: OrderReviewRepo;
  history: ReviewHistoryRepo;
  /** The one audit trail: each decision (approve, cancel, reject, refunded, shipped) is written there too. */
  audit: AuditTrail;
  claims: ReviewClaims;
  contacts: Pick<CustomerContacts, 'get'>;
  desks: { desksOf(staffId: number): Desk[] };
  /** The one callback list (CallbackRequestsRepo.add): returns the new id, undefined when the dedupe key existed. */
  callbacks: { add(row: NewNeedInfoCallback): number | undefined };
  transact: Transact;
  clock: Clock;
  events: EventBus;
}

export interface NewNeedInfoCallback {
  source: 'need_info';
  desk: 'middle';
  ownerId: number;
  question: string;
  orderId: number;
  customerId: number;
  phone: string;
  timeZone: string;
  language: string;
  priority: number;
  reason: string;
  requestedAt: Date;
  dueAt: Date;
  dedupeKey: string;
  status: 'open';
}

export class OrderReviewService {
  private readonly office: OfficeList;

  constructor(private readonly d: OrderReviewDeps) {
    this.office = { desk: 'middle', list: 'The middle-office work list', reviews: 'orders', desks: d.desks };
  }

  /** Clears lapsed claims (claim_expired history); the list does it too, so it never shows a lapsed claim as held. */
  sweep(): number {
    const now = this.d.clock.now();
    return this.d.transact(() => this.d.claims.sweep(now));
  }

  list(actor: Actor, q: HeldOrderQuery = {}): { items: ReviewedOrder[]; total: number; limit: number; offset: number } {
    const full = this.access(actor) === 'act';
    this.sweep();
    const now = this.d.clock.now();
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const claimed = q.claimed === 'mine' ? { mine: actor.id } : q.claimed;
    const { rows, total } = this.d.repo.held({ reason: q.reason, claimed, now, limit, offset });
    const questions = this.d.repo.openQuestions(rows.map((r) => r.order.id));
    const contacts = new Map<number, OfficeCustomer | undefined>();
    const items = rows.map(({ order }) => {
      if (!contacts.has(order.customerId)) contacts.set(order.customerId, this.d.contacts.get(order.customerId));
      const q = questions.get(order.id);
      return this.view(order, contacts.get(order.customerId), full, now, q ? question(q) : null);
    });
    return { items, total, limit, offset };
  }

  get(actor: Actor, number: string): ReviewedOrderDetail {
    const full = this.access(actor) === 'act';
    const order = this.find(number);
    const questions = this.d.repo.questions(order.id).map(question);
    const open = [...questions].reverse().find((q) => q.answer === null && q.status !== 'failed') ?? null;
    return {
      ...this.view(order, this.d.contacts.get(order.customerId), full, this.d.clock.now(), open),
      history: this.d.history.list('order', order.id),
      questions,
    };
  }

  /** Claims the held order, or extends the agent's own claim; Conflict (409) while another agent holds it. */
  claim(actor: Actor, number: string): ReviewedOrder {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.heldOrder(number);
      const r = this.d.claims.claim(order.id, actor.id, now);
      if (!r.ok) throw new Conflict(`Order ${order.number} is claimed by agent ${r.heldBy.by} until ${r.heldBy.until.toISOString()}`);
      return this.viewOf(this.d.repo.byId(order.id)!, true, now);
    });
  }

  release(actor: Actor, number: string): ReviewedOrder {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.heldOrder(number);
      if (!this.d.claims.release(order.id, actor.id, now)) throw new Conflict(`Order ${order.number} is not claimed by you`);
      return this.viewOf(this.d.repo.byId(order.id)!, true, now);
    });
  }

  /** Ticks (or unticks) one checklist item; only the claim holder. */
  check(actor: Actor, number: string, c: { item: string; done: boolean }): ReviewedOrder {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.claimedBy(actor, number, now);
      const checklist = parse<ChecklistItem[]>(order.checklist, []);
      const entry = checklist.find((i) => i.item === c.item);
      if (!entry) throw new Invalid(`item: order ${order.number} has no checklist item "${c.item}" (it has: ${checklist.map((i) => i.item).join(', ') || 'none'})`);
      Object.assign(entry, { done: c.done, by: actor.id, at: now.toISOString() });
      const updated = this.d.repo.updateHeldByClaimer(order.id, actor.id, now, { checklist: JSON.stringify(checklist), updatedAt: now }) ?? this.raced(order);
      this.d.history.add({ subject: 'order', subjectId: order.id, action: 'checklist_checked', actorId: actor.id, fromStatus: order.status, toStatus: order.status, data: { item: c.item, done: c.done }, at: now });
      return this.viewOf(updated, true, now);
    });
  }

  /** Approves the order: every checklist item done, or `override` with a note saying why not. */
  approve(actor: Actor, number: string, a: { override?: boolean; note?: string }): ReviewedOrder {
    this.mustAct(actor);
    if (a.override && !a.note) throw new Invalid('note: an override needs a note saying why the checklist is not done', ['note: required with override']);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.claimedBy(actor, number, now);
      const open = parse<ChecklistItem[]>(order.checklist, []).filter((i) => !i.done).map((i) => i.item);
      if (open.length && !a.override) throw new Conflict(`Order ${order.number}: checklist items not done: ${open.join(', ')} (tick them, or approve with override and a note)`);
      const updated =
        this.d.repo.updateHeldByClaimer(order.id, actor.id, now, { status: 'confirmed', review: 'approved', decidedBy: actor.id, decidedAt: now, claimedBy: null, claimExpiresAt: null, updatedAt: now }) ??
        this.raced(order);
      this.d.history.add({
        subject: 'order', subjectId: order.id, action: 'approved', actorId: actor.id, fromStatus: order.status, toStatus: 'confirmed', note: a.note ?? null,
        data: open.length ? { override: true, notDone: open } : null, at: now,
      });
      this.d.audit.record({ at: now, actorId: actor.id, action: 'order.approved', subjectType: 'order', subjectId: order.number, reason: a.note ?? null, ip: actor.ip ?? null, detail: { from: order.status, to: 'confirmed', amountFen: order.amountFen, ...(open.length ? { override: true, notDone: open } : {}) } });
      return this.viewOf(updated, true, now);
    });
  }

  cancel(actor: Actor, number: string, c: { reason: string }): ReviewedOrder {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.claimedBy(actor, number, now);
      const updated =
        this.d.repo.updateHeldByClaimer(order.id, actor.id, now, { status: 'cancelled', review: 'cancelled', cancelReason: c.reason, decidedBy: actor.id, decidedAt: now, claimedBy: null, claimExpiresAt: null, updatedAt: now }) ??
        this.raced(order);
      this.d.history.add({ subject: 'order', subjectId: order.id, action: 'cancelled', actorId: actor.id, fromStatus: order.status, toStatus: 'cancelled', note: c.reason, at: now });
      this.d.audit.record({ at: now, actorId: actor.id, action: 'order.cancelled', subjectType: 'order', subjectId: order.number, reason: c.reason, ip: actor.ip ?? null, detail: { from: order.status, to: 'cancelled', amountFen: order.amountFen } });
      return this.viewOf(updated, true, now);
    });
  }

  /**
   * Puts a call to the customer on the callback list (this agent's own, with the question), releases the claim and
   * keeps the order held; all in one transaction.
   */
  needInfo(actor: Actor, number: string, n: { question: string }): ReviewedOrder & { callbackId: number } {
    this.mustAct(actor);
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const order = this.claimedBy(actor, number, now);
      const contact = callbackContact(this.d.contacts.get(order.customerId), order.phone);
      if (!contact) throw new Conflict(`Order ${order.number} has no phone to call; cancel it or decide without calling`);
      const asked = this.d.repo.questions(order.id).length;
      const callbackId = this.d.callbacks.add({
        source: 'need_info',
        desk: 'middle',
        ownerId: actor.id,
        question: n.question,
        orderId: order.id,
        ...contact,
        reason: `need_info:${order.number}`,
        requestedAt: now,
        dueAt: now,
        dedupeKey: `order:${order.id}:need_info:${asked + 1}`,
        status: 'open',
      });
      if (callbackId === undefined) this.raced(order);
      const updated = this.d.repo.updateHeldByClaimer(order.id, actor.id, now, { claimedBy: null, claimExpiresAt: null, updatedAt: now }) ?? this.raced(order);
      this.d.history.add({ subject: 'order', subjectId: order.id, action: 'need_info', actorId: actor.id, fromStatus: order.status, toStatus: order.status, note: n.question, data: { callbackId, question: n.question }, at: now });
      return { ...this.viewOf(updated, true, now), callbackId };
    });
    this.d.events.publish({ type: 'CallbackRequested', callbackId: r.callbackId, desk: 'middle', source: 'need_info', at: now });
    return r;
  }

  /**
   * Records the customer's answer on the open question's callback (closing it, reached) and claims the order for the
   * agent so they can decide. The callback's owner may answer, or any middle agent once it is in the desk's pool.
   */
  answer(actor: Actor, number: string, a: { answer: string }): ReviewedOrder & { callbackId: number; claimed: boolean } {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const order = this.find(number);
      if (order.review !== 'held') throw new Conflict(`Order ${order.number} is not held for review (it is ${order.review ?? 'not reviewed'})`);
      const open = [...this.d.repo.questions(order.id)].reverse().find((q) => q.answer === null && q.status !== 'failed');
      if (!open) throw new Conflict(`Order ${order.number} has no question waiting for an answer`);
      if (open.ownerId !== null && open.ownerId !== actor.id) throw new Forbidden(`The question on order ${order.number} belongs to agent ${open.ownerId}`);
      if (!this.d.repo.recordAnswer(open.id, a.answer, now)) throw new Conflict(`The question on order ${order.number} was answered meanwhile; reload it`);
      this.d.history.add({ subject: 'order', subjectId: order.id, action: 'answer_recorded', actorId: actor.id, fromStatus: order.status, toStatus: order.status, note: a.answer, data: { callbackId: open.id, question: open.question, answer: a.answer }, at: now });
      // Another agent may hold the order meanwhile: the answer is kept all the same, and the list shows who decides.
      const claimed = this.d.claims.claim(order.id, actor.id, now).ok;
      return { ...this.viewOf(this.d.repo.byId(order.id)!, true, now), callbackId: open.id, claimed };
    });
  }

  private access(actor: Actor): 'act' | 'read' {
    return officeAccess(this.office, actor);
  }

  private mustAct(actor: Actor): void {
    mustActOn(this.office, actor);
  }

  private find(number: string): OrderRow {
    return byNumberOrId(this.d.repo, number, 'order');
  }

  private heldOrder(number: string): OrderRow {
    const order = this.find(number);
    if (order.review !== 'held') throw new Conflict(`Order ${order.number} is not held for review (it is ${order.review ?? 'not reviewed'})`);
    return order;
  }

  private claimedBy(actor: Actor, number: string, now: Date): OrderRow {
    const order = this.heldOrder(number);
    const claim = liveClaim(order, now);
    if (claim?.by !== actor.id) {
      throw new Conflict(claim ? `Order ${order.number} is claimed by agent ${claim.by}` : `Claim order ${order.number} first (your claim may have expired)`);
    }
    return order;
  }

  private raced(order: OrderRow): never {
    throw new Conflict(`Order ${order.number} was changed meanwhile (claim lapsed or decided); reload it`);
  }

  private viewOf(order: OrderRow, full: boolean, now: Date): ReviewedOrder {
    return this.view(order, this.d.contacts.get(order.customerId), full, now, null);
  }

  private view(order: OrderRow, customer: OfficeCustomer | undefined, full: boolean, now: Date, openQuestion: OrderQuestion | null): ReviewedOrder {
    const shown = (p: string | null) => (p && !full ? maskPhone(p) : p);
    return {
      order: { ...order, phone: shown(order.phone) },
      holdReasons: parse<HoldReason[]>(order.holdReasons, []),
      checklist: parse<ChecklistItem[]>(order.checklist, []),
      claim: liveClaim(order, now),
      customer: { id: order.customerId, name: customer?.name ?? '', tier: customer?.tier ?? null, timeZone: customer?.timeZone ?? null, phone: shown(customer?.phone ?? null) },
      phone: shown(order.phone ?? customer?.phone ?? null),
      openQuestion,
    };
  }
}

function question(c: CallbackRow): OrderQuestion {
  return { callbackId: c.id, question: c.question, answer: c.answer, ownerId: c.ownerId, status: c.status, outcome: c.outcome, requestedAt: c.requestedAt, closedAt: c.closedAt };
}

function parse<T>(json: string | null, fallback: T): T {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}
