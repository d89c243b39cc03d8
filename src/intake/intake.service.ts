// Stores the order system's orders and RMAs: validates each record, keeps the newest version by number, runs the
// special-order rules on orders, and writes every step to review_history. The API and the CSV import both come here.
import type { Transact } from '../db/transaction';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { carryOverChecklist, reviewOrder, type ChecklistItem, type EarlierOrder, type OrderFacts, type ReviewOutcome, type RuleSettings } from '../orders/order-rules';
import { parseOrderRecord, parseRmaRecord, type FieldError, type OrderRecord, type RmaRecord } from './intake-records';
import type { IntakeRepo, NewOrder, OrderRow } from './intake.repo';

export type IntakeOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface IntakeResult {
  /** The record's position in the request (0-based) or, for the import, its row number. */
  index: number;
  /** The record's number when it could be read. */
  number?: string;
  result: IntakeOutcome;
  /** The stored order's or RMA's id. */
  id?: number;
  /** Orders: the status and review after this record (pending_review/held or confirmed/auto_approved...). */
  status?: string;
  review?: string | null;
  errors?: FieldError[];
}

export interface IntakeSummary {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface IntakeServiceDeps {
  repo: IntakeRepo;
  transact: Transact;
  clock: Clock;
  settings: RuleSettings;
  events?: EventBus;
  /** Told about a record that failed to store for a reason other than its content (a bug, a full disk). */
  onStoreError?: (err: unknown, kind: 'order' | 'rma', number: string) => void;
}

interface Stored {
  result: Exclude<IntakeOutcome, 'rejected'>;
  id: number;
  status?: string;
  review?: string | null;
  held?: { reasons: string[] };
}

/** A record whose content the database refuses for a domain reason (an RMA for an unknown order). */
class RecordRefused extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

const json = (v: unknown) => JSON.stringify(v);

export function summarize(results: readonly IntakeResult[]): IntakeSummary {
  const s: IntakeSummary = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

export class IntakeService {
  constructor(private readonly d: IntakeServiceDeps) {}

  /** Validates and stores each order in its own savepoint, all in one transaction; `firstIndex` numbers the results. */
  orders(records: readonly unknown[], firstIndex = 0): IntakeResult[] {
    return this.batch(records, firstIndex, 'order');
  }

  rmas(records: readonly unknown[], firstIndex = 0): IntakeResult[] {
    return this.batch(records, firstIndex, 'rma');
  }

  private batch(records: readonly unknown[], firstIndex: number, kind: 'order' | 'rma'): IntakeResult[] {
    const now = this.d.clock.now();
    const held: { id: number; number: string; reasons: string[] }[] = [];
    const results = this.d.transact(() =>
      records.map((input, i): IntakeResult => {
        const index = firstIndex + i;
        const parsed = kind === 'order' ? parseOrderRecord(input) : parseRmaRecord(input);
        if (!parsed.ok) return { index, number: numberOf(input), result: 'rejected', errors: kind === 'rma' ? [...parsed.errors, ...this.unknownOrder(input, parsed.errors)] : parsed.errors };
        const number = parsed.record.number;
        try {
          // A savepoint per record: a record that fails half-way leaves nothing behind, and the others still commit.
          const stored = this.d.transact(() => (kind === 'order' ? this.storeOrder(parsed.record as OrderRecord, now) : this.storeRma(parsed.record as RmaRecord, now)));
          if (stored.held) held.push({ id: stored.id, number, reasons: stored.held.reasons });
          return { index, number, result: stored.result, id: stored.id, ...(kind === 'order' ? { status: stored.status, review: stored.review } : { status: stored.status }) };
        } catch (err) {
          if (err instanceof RecordRefused) return { index, number, result: 'rejected', errors: err.errors };
          this.d.onStoreError?.(err, kind, number);
          return { index, number, result: 'rejected', errors: [{ path: '', message: 'the record could not be stored; it has been logged' }] };
        }
      }),
    );
    for (const h of held) this.d.events?.publish({ type: 'OrderHeld', orderId: h.id, number: h.number, reasons: h.reasons, at: now });
    return results;
  }

  /** An invalid RMA record whose orderNumber reads well but names no order: say so too, with its other errors. */
  private unknownOrder(input: unknown, errors: readonly FieldError[]): FieldError[] {
    const orderNumber = (input as { orderNumber?: unknown } | null)?.orderNumber;
    if (typeof orderNumber !== 'string' || !orderNumber.trim() || errors.some((e) => e.path === 'orderNumber')) return [];
    return this.d.repo.orderIdByNumber(orderNumber.trim()) === undefined ? [{ path: 'orderNumber', message: `no order ${orderNumber.trim()}` }] : [];
  }

  /** The customer's id, and whether they are new (a new customer has no earlier orders to compare with). */
  private customerFor(r: OrderRecord, now: Date): { id: number; isNew: boolean } {
    const c = r.customer;
    let customer = this.d.repo.customerByAccount(c.accountNumber);
    const isNew = !customer;
    if (!customer) {
      customer = this.d.repo.insertCustomer({
        accountNumber: c.accountNumber,
        name: c.name,
        tier: c.tier ?? 'new',
        preferredLanguage: c.language ?? 'zh',
        timeZone: c.timeZone ?? 'Asia/Shanghai',
        createdAt: now,
      });
    } else {
      const changes: Parameters<IntakeRepo['updateCustomer']>[1] = {};
      if (c.name !== customer.name) changes.name = c.name;
      if (c.tier && c.tier !== customer.tier) changes.tier = c.tier;
      if (c.timeZone && c.timeZone !== customer.timeZone) changes.timeZone = c.timeZone;
      if (c.language && c.language !== customer.preferredLanguage) changes.preferredLanguage = c.language;
      if (Object.keys(changes).length) this.d.repo.updateCustomer(customer.id, changes);
    }
    // A number already on file stays with its customer (one number, one customer); the order still carries its own phone.
    this.d.repo.addPhone(customer.id, c.phone);
    return { id: customer.id, isNew };
  }

  private facts(r: OrderRecord): OrderFacts {
    return {
      number: r.number,
      amountFen: r.amount,
      payment: r.payment,
      paidFen: r.paid ?? null,
      address: r.address,
      phone: r.phone,
      invoiceRequested: Boolean(r.invoiceRequested || r.invoice),
      invoiceTitle: r.invoice?.title ?? null,
      invoiceTaxId: r.invoice?.taxId ?? null,
      items: r.items,
      placedAt: r.placedAt,
    };
  }

  private review(customer: { id: number; isNew: boolean }, f: OrderFacts): ReviewOutcome {
    if (customer.isNew) return reviewOrder(f, [], this.d.settings);
    const customerId = customer.id;
    const windowMs = this.d.settings.duplicateWindowMinutes * 60_000;
    const others: EarlierOrder[] = this.d.repo
      .nearbyOrders(customerId, new Date(f.placedAt.getTime() - windowMs), new Date(f.placedAt.getTime() + windowMs))
      .map((o) => ({ ...o, items: JSON.parse(o.items) as { sku: string; quantity: number }[] }));
    return reviewOrder(f, others, this.d.settings);
  }

  private orderColumns(r: OrderRecord, f: OrderFacts, customerId: number, now: Date): Omit<NewOrder, 'status'> {
    return {
      number: r.number,
      customerId,
      amountFen: r.amount,
      payment: r.payment,
      items: json(r.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, priceFen: i.price }))),
      address: r.address,
      phone: r.phone,
      invoiceRequested: f.invoiceRequested,
      invoiceTitle: f.invoiceTitle,
      invoiceTaxId: f.invoiceTaxId,
      paidFen: r.paid ?? null,
      placedAt: r.placedAt,
      updatedAt: now,
      version: r.version,
    };
  }

  private storeOrder(r: OrderRecord, now: Date): Stored {
    const known = this.d.repo.orderKnown(r.number);
    if (known && r.version <= known.version) return { result: 'unchanged', id: known.id, status: known.status, review: known.review };
    const customer = this.customerFor(r, now);
    const f = this.facts(r);
    const outcome = this.review(customer, f);
    return known ? this.updateOrder(this.d.repo.orderByNumber(r.number)!, r, f, customer.id, outcome, now) : this.createOrder(r, f, customer.id, outcome, now);
  }

  private createOrder(r: OrderRecord, f: OrderFacts, customerId: number, outcome: ReviewOutcome, now: Date): Stored {
    const held = outcome.decision === 'held';
    const status = held ? 'pending_review' : 'confirmed';
    const id = this.d.repo.insertOrder({
      ...this.orderColumns(r, f, customerId, now),
      status,
      review: outcome.decision,
      holdReasons: held ? json(outcome.reasons) : null,
      checklist: held ? json(outcome.checklist) : null,
      heldAt: held ? now : null,
    });
    const h = { subject: 'order' as const, subjectId: id, actorId: null, at: now };
    this.d.repo.addHistory({ ...h, action: 'received', toStatus: 'pending_review', data: json({ version: r.version }) });
    if (held) this.d.repo.addHistory({ ...h, action: 'held', fromStatus: 'pending_review', toStatus: status, data: json({ reasons: outcome.reasons }) });
    else this.d.repo.addHistory({ ...h, action: 'auto_approved', fromStatus: 'pending_review', toStatus: status });
    return { result: 'created', id, status, review: outcome.decision, held: held ? { reasons: outcome.reasons.map((x) => x.rule) } : undefined };
  }

  /**
   * A newer version: the order's data is replaced (the previous values go to history). An order nobody has decided on
   * yet (held, or approved by the rules and not shipped) is checked again; one a person approved or cancelled, or one
   * already on its way, is not re-held: the history says which rules the new version would have hit.
   */
  private updateOrder(existing: OrderRow, r: OrderRecord, f: OrderFacts, customerId: number, outcome: ReviewOutcome, now: Date): Stored {
    const { id, ...previous } = existing;
    const h = { subject: 'order' as const, subjectId: id, actorId: null, at: now };
    const columns = this.orderColumns(r, f, customerId, now);
    const recheck = existing.review === 'held' || (existing.review === 'auto_approved' && existing.status === 'confirmed');
    if (!recheck) {
      this.d.repo.updateOrder(id, columns);
      const note = `version ${r.version} received; not re-reviewed (review ${existing.review ?? 'none'}, status ${existing.status})`;
      this.d.repo.addHistory({ ...h, action: 'updated', fromStatus: existing.status, toStatus: existing.status, note, data: json({ previous, rulesHit: outcome.reasons }) });
      return { result: 'updated', id, status: existing.status, review: existing.review };
    }
    this.d.repo.addHistory({ ...h, action: 'updated', fromStatus: existing.status, toStatus: existing.status, note: `version ${r.version} received`, data: json({ previous }) });
    if (outcome.decision === 'held') {
      const checklist = carryOverChecklist(outcome.checklist, existing.checklist ? (JSON.parse(existing.checklist) as ChecklistItem[]) : null);
      const wasHeld = existing.review === 'held';
      this.d.repo.updateOrder(id, { ...columns, status: 'pending_review', review: 'held', holdReasons: json(outcome.reasons), checklist: json(checklist), heldAt: wasHeld ? existing.heldAt : now });
      this.d.repo.addHistory({ ...h, action: 'held', fromStatus: existing.status, toStatus: 'pending_review', note: `rules re-run on version ${r.version}`, data: json({ reasons: outcome.reasons }) });
      return { result: 'updated', id, status: 'pending_review', review: 'held', held: wasHeld ? undefined : { reasons: outcome.reasons.map((x) => x.rule) } };
    }
    if (existing.review === 'held') {
      // The new version fixed what held it: approved by the rules, and any claim on it ends.
      this.d.repo.updateOrder(id, { ...columns, status: 'confirmed', review: 'auto_approved', holdReasons: null, checklist: null, claimedBy: null, claimExpiresAt: null });
      this.d.repo.addHistory({ ...h, action: 'auto_approved', fromStatus: existing.status, toStatus: 'confirmed', note: `no rule hit on version ${r.version}` });
      return { result: 'updated', id, status: 'confirmed', review: 'auto_approved' };
    }
    this.d.repo.updateOrder(id, columns);
    return { result: 'updated', id, status: existing.status, review: existing.review };
  }

  private storeRma(r: RmaRecord, now: Date): Stored {
    const orderId = this.d.repo.orderIdByNumber(r.orderNumber);
    if (orderId === undefined) throw new RecordRefused([{ path: 'orderNumber', message: `no order ${r.orderNumber}` }]);
    const known = this.d.repo.rmaKnown(r.number);
    if (known && r.version <= known.version) return { result: 'unchanged', id: known.id, status: known.status };
    const existing = known ? this.d.repo.rmaByNumber(r.number) : undefined;
    const columns = {
      number: r.number,
      orderId,
      kind: r.kind,
      reason: r.reason,
      version: r.version,
      itemSku: r.itemSku,
      itemName: r.itemName,
      quantity: r.quantity,
      paidFen: r.paid,
      deliveredAt: r.deliveredAt ?? null,
      qcPassed: r.qcPassed ?? null,
      qcNote: r.qcNote,
      replacementSku: r.replacementSku,
      updatedAt: now,
    };
    if (!existing) {
      const id = this.d.repo.insertRma({ ...columns, status: 'requested', createdAt: r.createdAt });
      this.d.repo.addHistory({ subject: 'rma', subjectId: id, action: 'received', actorId: null, toStatus: 'requested', data: json({ version: r.version }), at: now });
      return { result: 'created', id, status: 'requested' };
    }
    const { id, ...previous } = existing;
    // The status is the back office's: a new version changes the request's data, never where it stands.
    this.d.repo.updateRma(id, columns);
    this.d.repo.addHistory({ subject: 'rma', subjectId: id, action: 'updated', actorId: null, fromStatus: existing.status, toStatus: existing.status, note: `version ${r.version} received`, data: json({ previous }), at: now });
    return { result: 'updated', id, status: existing.status };
  }
}

function numberOf(input: unknown): string | undefined {
  const n = (input as { number?: unknown } | null)?.number;
  return typeof n === 'string' && n.trim() ? n.trim().slice(0, 64) : undefined;
}
