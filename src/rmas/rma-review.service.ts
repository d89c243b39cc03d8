// Owns the back office's review of RMAs (the list with the server's policy check, claims, approving a return with its
// refund or an exchange with its replacement, rejecting) and the departments' moves (refunded, shipped). Every status
// change is history and puts a call to the customer on the callback list, in the same transaction.
import type { AuditTrail } from '../audit/audit.repo';
import type { Principal } from '../auth/auth.service';
import type { Desk } from '../acd/agent-desks.repo';
import type { Department, RmaStatus } from '../db/schema/index';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, Unprocessable } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { maskPhone } from '../logging/logger';
import { callbackContact, type CustomerContacts } from '../office/customer-contact';
import { byNumberOrId, mustActOn, officeAccess, type OfficeList } from '../office/office-access';
import { liveClaim, type Claim, type ReviewClaims } from '../office/review-claims';
import type { ReviewHistoryRepo, ReviewHistoryRow } from '../office/review-history.repo';
import { checkRmaPolicy, type RmaPolicyResult } from './rma-policy';
import { yuanToFen } from '../office/money';
import type { RmaCallbackRow, RmaReviewRepo, RmaRow, RmaWithOrder } from './rma-review.repo';

/** Who acts; `ip` goes to the audit trail with each decision. */
export type Actor = Pick<Principal, 'id' | 'role'> & { ip?: string | null };

/** An RMA as the back office sees it, with the server's policy check. */
export interface ReviewedRma {
  rma: RmaRow;
  orderNumber: string;
  customer: { id: number; name: string; tier: string | null; phone: string | null };
  policy: RmaPolicyResult;
  claim: Claim | null;
}

export type ReviewedRmaDetail = ReviewedRma & { history: ReviewHistoryRow[]; callbacks: RmaCallbackRow[] };

export interface RmaListQuery {
  claimed?: 'mine' | 'free';
  /** @default 50 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/** A decision past a failed policy check needs `override` and a note saying why. */
export interface Override {
  override?: boolean;
  note?: string;
}

export interface NewRmaStatusCallback {
  source: 'rma_status';
  desk: 'back';
  ownerId: null;
  rmaId: number;
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

export interface RmaReviewDeps {
  repo: RmaReviewRepo;
  history: ReviewHistoryRepo;
  /** The one audit trail: each decision (approve, cancel, reject, refunded, shipped) is written there too. */
  audit: AuditTrail;
  claims: ReviewClaims;
  contacts: Pick<CustomerContacts, 'get'>;
  desks: { desksOf(staffId: number): Desk[] };
  staff: { byId(id: number): { department: Department | null } | undefined };
  /** The one callback list (CallbackRequestsRepo.add). */
  callbacks: { add(row: NewRmaStatusCallback): number | undefined };
  transact: Transact;
  clock: Clock;
  events: EventBus;
  returnWindowDays: number;
}

/** What each department moves on, and what it sees. */
const DEPARTMENT_WORK: Partial<Record<Department, { sees: RmaStatus; to: RmaStatus }>> = {
  finance: { sees: 'refund_pending', to: 'refunded' },
  logistics: { sees: 'exchange_pending', to: 'replacement_shipped' },
};

export class RmaReviewService {
  private readonly office: OfficeList;

  constructor(private readonly d: RmaReviewDeps) {
    this.office = { desk: 'back', list: 'The back-office RMA list', reviews: 'RMAs', desks: d.desks };
  }

  /** Clears lapsed claims (claim_expired history); the list does it too. */
  sweep(): number {
    const now = this.d.clock.now();
    return this.d.transact(() => this.d.claims.sweep(now));
  }

  list(actor: Actor, q: RmaListQuery = {}): { items: ReviewedRma[]; total: number; limit: number; offset: number } {
    const full = this.access(actor) === 'act';
    this.sweep();
    const now = this.d.clock.now();
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const { rows, total } = this.d.repo.list({ status: 'requested', claimed: q.claimed === 'mine' ? { mine: actor.id } : q.claimed, now, limit, offset });
    return { items: rows.map((r) => this.view(r, full, now)), total, limit, offset };
  }

  /** The department's own work: finance the refunds to make, logistics the replacements to ship (oldest first). */
  departmentList(actor: Actor, q: { limit?: number; offset?: number } = {}): { items: ReviewedRma[]; total: number; limit: number; offset: number } {
    const work = this.departmentWork(actor);
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    if (!work) return { items: [], total: 0, limit, offset };
    const now = this.d.clock.now();
    const { rows, total } = this.d.repo.list({ status: work.sees, now, limit, offset });
    return { items: rows.map((r) => this.view(r, false, now)), total, limit, offset };
  }

  get(actor: Actor, number: string): ReviewedRmaDetail {
    const r = this.find(number);
    let full = false;
    if (actor.role === 'department') {
      const work = this.departmentWork(actor);
      if (!work || (r.rma.status !== work.sees && r.rma.status !== work.to)) throw new Forbidden(`RMA ${r.rma.number} is not with your department`);
    } else {
      full = this.access(actor) === 'act';
    }
    return { ...this.view(r, full, this.d.clock.now()), history: this.d.history.list('rma', r.rma.id), callbacks: this.d.repo.callbacks(r.rma.id) };
  }

  /** Claims the requested RMA (or extends the agent's claim) and records the policy check the agent sees. */
  claim(actor: Actor, number: string): ReviewedRma {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const r = this.requested(number);
      const c = this.d.claims.claim(r.rma.id, actor.id, now);
      if (!c.ok) throw new Conflict(`RMA ${r.rma.number} is claimed by agent ${c.heldBy.by} until ${c.heldBy.until.toISOString()}`);
      const fresh = this.d.repo.byId(r.rma.id)!;
      const view = this.view(fresh, true, now);
      if (!c.extended) this.step(fresh.rma, 'rma_checked', actor.id, fresh.rma.status, now, null, { ...view.policy, windowEndsAt: view.policy.windowEndsAt?.toISOString() ?? null });
      return view;
    });
  }

  release(actor: Actor, number: string): ReviewedRma {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const r = this.requested(number);
      if (!this.d.claims.release(r.rma.id, actor.id, now)) throw new Conflict(`RMA ${r.rma.number} is not claimed by you`);
      return this.view(this.d.repo.byId(r.rma.id)!, true, now);
    });
  }

  /**
   * A return: the agent confirms the item (its SKU must be the RMA's) and enters the refund in yuan, more than 0 and
   * never more than was paid for the item; the RMA goes to finance as refund_pending.
   */
  approveReturn(actor: Actor, number: string, a: { itemSku: string; refund: string | number } & Override): ReviewedRma {
    this.mustAct(actor);
    this.overrideNote(a);
    const refundFen = yuanToFen(a.refund);
    if (refundFen === undefined) throw new Invalid('refund: give the amount in yuan with at most two decimals (e.g. "129.50")', ['refund: not an amount in yuan']);
    const now = this.d.clock.now();
    return this.decide(actor, number, now, (r) => {
      if (r.rma.kind !== 'return') throw new Conflict(`RMA ${r.rma.number} is an exchange: approve it with approve-exchange`);
      const problems: string[] = [];
      if (r.rma.itemSku === null) problems.push(`itemSku: RMA ${r.rma.number} names no item to confirm`);
      else if (a.itemSku !== r.rma.itemSku) problems.push(`itemSku: ${a.itemSku} is not the item of RMA ${r.rma.number}`);
      if (refundFen <= 0) problems.push('refund: must be more than 0');
      if (r.rma.paidFen === null) problems.push(`refund: RMA ${r.rma.number} has no paid amount to check the refund against`);
      else if (refundFen > r.rma.paidFen) problems.push(`refund: ${fenText(refundFen)} yuan is more than the ${fenText(r.rma.paidFen)} yuan paid for the item`);
      if (problems.length) throw new Unprocessable(problems.join('; '), problems);
      return { to: 'refund_pending', changes: { refundFen }, text: `return approved; refund of ${fenText(refundFen)} yuan with finance`, data: { refundFen } };
    }, a);
  }

  /** An exchange: the agent confirms the replacement (the one the customer asked for, when they named one); to logistics. */
  approveExchange(actor: Actor, number: string, a: { replacementSku: string } & Override): ReviewedRma {
    this.mustAct(actor);
    this.overrideNote(a);
    const now = this.d.clock.now();
    return this.decide(actor, number, now, (r) => {
      if (r.rma.kind !== 'exchange') throw new Conflict(`RMA ${r.rma.number} is a return: approve it with approve-return`);
      if (r.rma.replacementSku !== null && r.rma.replacementSku !== a.replacementSku) {
        throw new Unprocessable(`replacementSku: ${a.replacementSku} is not the replacement the customer asked for (${r.rma.replacementSku})`, ['replacementSku: does not match the request']);
      }
      return { to: 'exchange_pending', changes: { replacementSku: a.replacementSku }, text: `exchange approved; replacement ${a.replacementSku} with logistics`, data: { replacementSku: a.replacementSku } };
    }, a);
  }

  reject(actor: Actor, number: string, j: { reason: string }): ReviewedRma {
    this.mustAct(actor);
    const now = this.d.clock.now();
    return this.decide(actor, number, now, () => ({ to: 'rejected', changes: {}, text: `rejected: ${j.reason}`, data: null, note: j.reason, policyFree: true }), {});
  }

  /** Finance: the refund was paid. */
  refunded(actor: Actor, number: string, m: { reference?: string }): ReviewedRma {
    return this.departmentMove(actor, number, 'finance', (r) => ({ text: `refunded ${r.rma.refundFen !== null ? `${fenText(r.rma.refundFen)} yuan` : ''}`.trim(), data: m.reference ? { reference: m.reference } : null }));
  }

  /** Logistics: the replacement left the warehouse. */
  shipped(actor: Actor, number: string, m: { trackingNumber?: string }): ReviewedRma {
    return this.departmentMove(actor, number, 'logistics', () => ({ text: `replacement shipped${m.trackingNumber ? `, tracking ${m.trackingNumber}` : ''}`, data: m.trackingNumber ? { trackingNumber: m.trackingNumber } : null }));
  }

  private decide(
    actor: Actor,
    number: string,
    now: Date,
    rule: (r: RmaWithOrder) => { to: RmaStatus; changes: Partial<RmaRow>; text: string; data: Record<string, unknown> | null; note?: string; policyFree?: boolean },
    o: Override,
  ): ReviewedRma {
    const result = this.d.transact(() => {
      const r = this.requested(number);
      const claim = liveClaim(r.rma, now);
      if (claim?.by !== actor.id) throw new Conflict(claim ? `RMA ${r.rma.number} is claimed by agent ${claim.by}` : `Claim RMA ${r.rma.number} first (your claim may have expired)`);
      const d = rule(r);
      const policy = this.policy(r.rma);
      if (!d.policyFree && !policy.eligible && !o.override) {
        throw new Conflict(`RMA ${r.rma.number} fails the return policy: ${policy.reasons.join('; ')} (approve with override and a note to go ahead)`);
      }
      const moved =
        this.d.repo.transition(r.rma.id, 'requested', { ...d.changes, status: d.to, reviewedBy: actor.id, reviewedAt: now, claimedBy: null, claimExpiresAt: null, updatedAt: now }, { agentId: actor.id, now }) ??
        this.raced(r.rma);
      const overridden = !d.policyFree && !policy.eligible;
      const note = d.note ?? o.note ?? null;
      const callbackId = this.tellCustomer(r, moved, d.text, now);
      this.step(moved, d.to, actor.id, 'requested', now, note, { ...d.data, ...(overridden ? { override: true, policyReasons: policy.reasons } : {}), callbackId });
      this.d.audit.record({ at: now, actorId: actor.id, action: `rma.${d.to}`, subjectType: 'rma', subjectId: moved.number, reason: note, ip: actor.ip ?? null, detail: { from: 'requested', to: d.to, ...d.data, ...(overridden ? { override: true } : {}) } });
      return { view: this.view({ ...r, rma: moved }, true, now), callbackId };
    });
    this.published(result.callbackId, now);
    return result.view;
  }

  private departmentMove(actor: Actor, number: string, department: Department, move: (r: RmaWithOrder) => { text: string; data: Record<string, unknown> | null }): ReviewedRma {
    if (actor.role !== 'department') throw new Forbidden('Only department accounts move RMAs on');
    const now = this.d.clock.now();
    const result = this.d.transact(() => {
      const r = this.find(number);
      const work = DEPARTMENT_WORK[department]!;
      if (this.d.staff.byId(actor.id)?.department !== department) throw new Forbidden(`Only ${department} marks an RMA ${work.to}`);
      if (r.rma.status !== work.sees) throw new Conflict(`RMA ${r.rma.number} is ${r.rma.status}, not ${work.sees}`);
      const m = move(r);
      const moved = this.d.repo.transition(r.rma.id, work.sees, { status: work.to, updatedAt: now }) ?? this.raced(r.rma);
      const callbackId = this.tellCustomer(r, moved, m.text, now);
      this.step(moved, work.to, actor.id, work.sees, now, null, { ...m.data, callbackId });
      this.d.audit.record({ at: now, actorId: actor.id, action: `rma.${work.to}`, subjectType: 'rma', subjectId: moved.number, ip: actor.ip ?? null, detail: { from: work.sees, to: work.to, department, ...m.data } });
      return { view: this.view({ ...r, rma: moved }, false, now), callbackId };
    });
    this.published(result.callbackId, now);
    return result.view;
  }

  /** Puts the call telling the customer the new status on the back desk's list; null when no phone is on file. */
  private tellCustomer(r: RmaWithOrder, moved: RmaRow, text: string, now: Date): number | null {
    const contact = callbackContact(this.d.contacts.get(r.customerId), r.orderPhone);
    if (!contact) return null;
    return (
      this.d.callbacks.add({
        source: 'rma_status',
        desk: 'back',
        ownerId: null,
        rmaId: moved.id,
        orderId: moved.orderId,
        ...contact,
        reason: `rma_status:${moved.number}: ${moved.status}: ${text}`,
        requestedAt: now,
        dueAt: now,
        dedupeKey: `rma:${moved.id}:${moved.status}`,
        status: 'open',
      }) ?? null
    );
  }

  private published(callbackId: number | null, at: Date): void {
    if (callbackId !== null) this.d.events.publish({ type: 'CallbackRequested', callbackId, desk: 'back', source: 'rma_status', at });
  }

  private step(rma: RmaRow, action: string, actorId: number | null, from: string, at: Date, note: string | null, data: Record<string, unknown> | null): void {
    this.d.history.add({ subject: 'rma', subjectId: rma.id, action, actorId, fromStatus: from, toStatus: rma.status, note, data, at });
  }

  private overrideNote(o: Override): void {
    if (o.override && !o.note) throw new Invalid('note: an override needs a note saying why the policy is set aside', ['note: required with override']);
  }

  private policy(rma: RmaRow): RmaPolicyResult {
    return checkRmaPolicy(rma, { returnWindowDays: this.d.returnWindowDays });
  }

  private access(actor: Actor): 'act' | 'read' {
    return officeAccess(this.office, actor);
  }

  private mustAct(actor: Actor): void {
    mustActOn(this.office, actor);
  }

  private departmentWork(actor: Actor) {
    if (actor.role !== 'department') throw new Forbidden('Only department accounts have RMA work');
    const department = this.d.staff.byId(actor.id)?.department;
    return department ? DEPARTMENT_WORK[department] : undefined;
  }

  private find(number: string): RmaWithOrder {
    return byNumberOrId(this.d.repo, number, 'RMA');
  }

  private requested(number: string): RmaWithOrder {
    const r = this.find(number);
    if (r.rma.status !== 'requested') throw new Conflict(`RMA ${r.rma.number} is ${r.rma.status}, not waiting for review`);
    return r;
  }

  private raced(rma: RmaRow): never {
    throw new Conflict(`RMA ${rma.number} was changed meanwhile (claim lapsed or decided); reload it`);
  }

  private view(r: RmaWithOrder, full: boolean, now: Date): ReviewedRma {
    const customer = this.d.contacts.get(r.customerId);
    const phone = r.orderPhone ?? customer?.phone ?? null;
    return {
      rma: r.rma,
      orderNumber: r.orderNumber,
      customer: { id: r.customerId, name: r.customerName, tier: customer?.tier ?? null, phone: phone && !full ? maskPhone(phone) : phone },
      policy: this.policy(r.rma),
      claim: liveClaim(r.rma, now),
    };
  }
}

function fenText(fen: number): string {
  return (fen / 100).toFixed(2);
}
