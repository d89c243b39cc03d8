// Stores the order system's orders and RMAs: validates each record, keeps the newest version by number, runs the
// special-order rules on orders, and writes every step to review_history. The API and the CSV import both come here.
import type { Transact } from '../db/transaction';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { carryOverChecklist, reviewOrder, type ChecklistItem, type EarlierOrder, type OrderFacts, type ReviewOutcome, type RuleSettings } from '../orders/order-rules';
import { checkOrderRecord, checkRmaRecord, type CheckedRecord, type FieldError, type OrderRecord, type RmaRecord } from './intake-records';
import type { IntakeCustomer, IntakeRepo, NewOrder, OrderRow } from './intake.repo';

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

/** The first attempt at a batch, without savepoints, hit an unexpected failure: roll it back and go again with them. */
class RetryWithSavepoints extends Error {}

interface HeldOrder {
  id: number;
  number: string;
  reasons: string[];
}

/** Most customers (and phones) an IntakeCache keeps before it starts over: an import's memory stays bounded. */
const CACHE_LIMIT = 50_000;

/**
 * What one run of intake has already read or written of customers: by account number, and which phones they have on
 * file. The CSV import keeps one for the whole file (most rows are customers it has seen); an API call, one per request.
 * Intake is the only writer of these fields during a run; another writer's change is seen at the next run.
 */
export class IntakeCache {
  readonly customers = new Map<string, IntakeCustomer>();
  /** Phones on file by customer id: keyed by the id, so a lookup builds no string. */
  readonly phones = new Map<number, string | Set<string>>();
  private phoneCount = 0;

  clear(): void {
    this.customers.clear();
    this.phones.clear();
    this.phoneCount = 0;
  }

  rememberCustomer(accountNumber: string, c: IntakeCustomer): void {
    if (this.customers.size >= CACHE_LIMIT) this.customers.clear();
    this.customers.set(accountNumber, c);
  }

  rememberPhone(customerId: number, phone: string): void {
    if (this.phoneCount >= CACHE_LIMIT) {
      this.phones.clear();
      this.phoneCount = 0;
    }
    const known = this.phones.get(customerId);
    if (known === undefined) this.phones.set(customerId, phone);
    else if (typeof known === 'string') {
      if (known === phone) return;
      this.phones.set(customerId, new Set([known, phone]));
    } else {
      if (known.has(phone)) return;
      known.add(phone);
    }
    this.phoneCount++;
  }

  hasPhone(customerId: number, phone: string): boolean {
    const known = this.phones.get(customerId);
    return known === undefined ? false : typeof known === 'string' ? known === phone : known.has(phone);
  }
}

const json = (v: unknown) => JSON.stringify(v);
const NO_ORDERS: readonly EarlierOrder[] = Object.freeze([]) as readonly EarlierOrder[];

/** The order's items as stored (prices in fen as priceFen). */
function itemsJson(r: OrderRecord): string {
  return json(r.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, priceFen: i.price })));
}

export function summarize(results: readonly IntakeResult[]): IntakeSummary {
  const s: IntakeSummary = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

export class IntakeService {
  constructor(private readonly d: IntakeServiceDeps) {}

  /** Validates and stores each order, all in one transaction; `firstIndex` numbers the results. */
  orders(records: readonly unknown[], firstIndex = 0, cache?: IntakeCache): IntakeResult[] {
    return this.storeChecked('order', records.map(checkOrderRecord), firstIndex, cache);
  }

  rmas(records: readonly unknown[], firstIndex = 0, cache?: IntakeCache): IntakeResult[] {
    return this.storeChecked('rma', records.map(checkRmaRecord), firstIndex, cache);
  }

  /**
   * Stores records already judged by checkOrderRecord/checkRmaRecord (the CSV import judges them off the writing
   * thread). One transaction; a record that fails half-way leaves nothing behind and the others still commit.
   *
   * Every record is judged before its first write, and the only refusal after that (an RMA's unknown order) comes
   * before its writes too, so a savepoint per record is needed only when something unexpected fails mid-record (a bug,
   * a full disk). The batch is therefore tried without savepoints (two statements and a wrapper fewer per record); if
   * a record throws, that attempt is rolled back whole and the batch runs again with a savepoint per record.
   */
  storeChecked(kind: 'order' | 'rma', checked: readonly CheckedRecord[], firstIndex = 0, cache: IntakeCache = new IntakeCache()): IntakeResult[] {
    const now = this.d.clock.now();
    let attempt: { results: IntakeResult[]; held: HeldOrder[] };
    try {
      attempt = this.d.transact(() => this.storeAll(kind, checked, firstIndex, cache, now, false));
    } catch (err) {
      // The rolled-back attempt may have cached customers it had created.
      cache.clear();
      if (!(err instanceof RetryWithSavepoints)) throw err;
      attempt = this.d.transact(() => this.storeAll(kind, checked, firstIndex, cache, now, true));
    }
    for (const h of attempt.held) this.d.events?.publish({ type: 'OrderHeld', orderId: h.id, number: h.number, reasons: h.reasons, at: now });
    return attempt.results;
  }

  private storeAll(kind: 'order' | 'rma', checked: readonly CheckedRecord[], firstIndex: number, cache: IntakeCache, now: Date, savepoints: boolean): { results: IntakeResult[]; held: HeldOrder[] } {
    const held: HeldOrder[] = [];
    const results = new Array<IntakeResult>(checked.length);
    for (let i = 0; i < checked.length; i++) {
      const index = firstIndex + i;
      const c = checked[i];
      if (!c.ok) {
        results[i] = { index, number: c.number, result: 'rejected', errors: kind === 'rma' ? [...c.errors, ...this.unknownOrder(c.orderNumber, c.errors)] : c.errors };
        continue;
      }
      const number = c.record.number;
      let stored: Stored;
      try {
        if (savepoints) stored = this.d.transact(() => this.storeOne(kind, c.record, now, cache));
        else stored = this.storeOne(kind, c.record, now, cache);
      } catch (err) {
        // Refused before the record's first write: nothing of it to undo.
        if (err instanceof RecordRefused) {
          results[i] = { index, number, result: 'rejected', errors: err.errors };
          continue;
        }
        if (!savepoints) throw new RetryWithSavepoints();
        // Its savepoint undid whatever it wrote, a customer the cache may hold among it.
        cache.clear();
        this.d.onStoreError?.(err, kind, number);
        results[i] = { index, number, result: 'rejected', errors: [{ path: '', message: 'the record could not be stored; it has been logged' }] };
        continue;
      }
      if (stored.held) held.push({ id: stored.id, number, reasons: stored.held.reasons });
      results[i] = kind === 'order' ? { index, number, result: stored.result, id: stored.id, status: stored.status, review: stored.review } : { index, number, result: stored.result, id: stored.id, status: stored.status };
    }
    return { results, held };
  }

  private storeOne(kind: 'order' | 'rma', record: OrderRecord | RmaRecord, now: Date, cache: IntakeCache): Stored {
    return kind === 'order' ? this.storeOrder(record as OrderRecord, now, cache) : this.storeRma(record as RmaRecord, now);
  }

  /** An invalid RMA record whose orderNumber reads well but names no order: say so too, with its other errors. */
  private unknownOrder(orderNumber: unknown, errors: readonly FieldError[]): FieldError[] {
    if (typeof orderNumber !== 'string' || !orderNumber.trim() || errors.some((e) => e.path === 'orderNumber')) return [];
    return this.d.repo.orderIdByNumber(orderNumber.trim()) === undefined ? [{ path: 'orderNumber', message: `no order ${orderNumber.trim()}` }] : [];
  }

  /** The customer's id, and whether they are new (a new customer has no earlier orders to compare with). */
  private customerFor(r: OrderRecord, now: Date, cache: IntakeCache): { id: number; isNew: boolean } {
    const c = r.customer;
    let customer = cache.customers.get(c.accountNumber) ?? this.d.repo.customerByAccount(c.accountNumber);
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
      // Usually nothing changed: no changes object then.
      const changed = c.name !== customer.name || (c.tier && c.tier !== customer.tier) || (c.timeZone && c.timeZone !== customer.timeZone) || (c.language && c.language !== customer.preferredLanguage);
      if (changed) {
        const changes: Parameters<IntakeRepo['updateCustomer']>[1] = {};
        if (c.name !== customer.name) changes.name = c.name;
        if (c.tier && c.tier !== customer.tier) changes.tier = c.tier;
        if (c.timeZone && c.timeZone !== customer.timeZone) changes.timeZone = c.timeZone;
        if (c.language && c.language !== customer.preferredLanguage) changes.preferredLanguage = c.language;
        this.d.repo.updateCustomer(customer.id, changes);
        customer = { ...customer, ...changes };
      }
    }
    cache.rememberCustomer(c.accountNumber, customer);
    // A number already on file stays with its customer (one number, one customer); the order still carries its own phone.
    if (!cache.hasPhone(customer.id, c.phone)) {
      this.d.repo.addPhone(customer.id, c.phone);
      cache.rememberPhone(customer.id, c.phone);
    }
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
    const placed = f.placedAt.getTime();
    const rows = this.d.repo.nearbyOrderRows(customerId, placed - windowMs, placed + windowMs);
    // Usually none: one shared empty list then, no objects.
    const others: readonly EarlierOrder[] = rows.length === 0 ? NO_ORDERS : rows.map((o) => ({ ...o, placedAt: new Date(o.placedAt), items: JSON.parse(o.items) as { sku: string; quantity: number }[] }));
    return reviewOrder(f, others, this.d.settings);
  }

  private orderColumns(r: OrderRecord, f: OrderFacts, customerId: number, now: Date): Omit<NewOrder, 'status'> {
    return {
      number: r.number,
      customerId,
      amountFen: r.amount,
      payment: r.payment,
      items: itemsJson(r),
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

  private storeOrder(r: OrderRecord, now: Date, cache: IntakeCache): Stored {
    const known = this.d.repo.orderKnown(r.number);
    if (known && r.version <= known.version) return { result: 'unchanged', id: known.id, status: known.status, review: known.review };
    const customer = this.customerFor(r, now, cache);
    const f = this.facts(r);
    const outcome = this.review(customer, f);
    return known ? this.updateOrder(this.d.repo.orderByNumber(r.number)!, r, f, customer.id, outcome, now) : this.createOrder(r, f, customer.id, outcome, now);
  }

  private createOrder(r: OrderRecord, f: OrderFacts, customerId: number, outcome: ReviewOutcome, now: Date): Stored {
    const held = outcome.decision === 'held';
    const status = held ? 'pending_review' : 'confirmed';
    // The columns written out here rather than spread from orderColumns: this runs once per imported row.
    const id = this.d.repo.insertOrder({
      number: r.number,
      customerId,
      amountFen: r.amount,
      payment: r.payment,
      items: itemsJson(r),
      address: r.address,
      phone: r.phone,
      invoiceRequested: f.invoiceRequested,
      invoiceTitle: f.invoiceTitle,
      invoiceTaxId: f.invoiceTaxId,
      paidFen: r.paid ?? null,
      placedAt: r.placedAt,
      updatedAt: now,
      version: r.version,
      status,
      review: outcome.decision,
      holdReasons: held ? json(outcome.reasons) : null,
      checklist: held ? json(outcome.checklist) : null,
      heldAt: held ? now : null,
    });
    this.d.repo.addHistoryPair(
      { subject: 'order', subjectId: id, actorId: null, at: now, action: 'received', toStatus: 'pending_review', data: `{"version":${r.version}}` },
      held
        ? { subject: 'order', subjectId: id, actorId: null, at: now, action: 'held', fromStatus: 'pending_review', toStatus: status, data: json({ reasons: outcome.reasons }) }
        : { subject: 'order', subjectId: id, actorId: null, at: now, action: 'auto_approved', fromStatus: 'pending_review', toStatus: status },
    );
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
