// The middle office's special-order rules: which incoming orders a person must review, why, and what they must check.
// Pure: the caller fetches the customer's recent orders; nothing here reads the clock or the database.

export type HoldRule = 'amount' | 'missing_info' | 'duplicate';

export interface HoldReason {
  rule: HoldRule;
  detail: string;
}

export interface ChecklistItem {
  item: string;
  done: boolean;
  by?: number;
  at?: string;
}

export interface RuleSettings {
  /** Orders strictly above this amount are held. */
  reviewAmountFen: number;
  duplicateWindowMinutes: number;
}

export interface OrderFacts {
  number: string;
  amountFen: number;
  payment: 'prepaid' | 'cod';
  /** Prepaid: what the payment system received; null when nothing is recorded. */
  paidFen: number | null;
  address: string | null;
  phone: string | null;
  invoiceRequested: boolean;
  invoiceTitle: string | null;
  invoiceTaxId: string | null;
  items: readonly { sku: string; quantity: number }[];
  placedAt: Date;
}

/** Another order of the same customer, to compare against for duplicates. */
export interface EarlierOrder {
  number: string;
  amountFen: number;
  status: string;
  review: string | null;
  items: readonly { sku: string; quantity: number }[];
  placedAt: Date;
}

export interface ReviewOutcome {
  decision: 'auto_approved' | 'held';
  reasons: HoldReason[];
  /** Empty for an auto-approved order. */
  checklist: ChecklistItem[];
}

/** ¥1,234.50 — how amounts read in reasons and checklists. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** The items as a multiset of sku × quantity, order-independent (two lines of one sku count as one). */
function itemsKey(items: readonly { sku: string; quantity: number }[]): string {
  const bySku = new Map<string, number>();
  for (const i of items) bySku.set(i.sku, (bySku.get(i.sku) ?? 0) + i.quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, q]) => `${sku}×${q}`)
    .join(',');
}

const blank = (s: string | null | undefined) => !s || !s.trim();

/** The information a person must obtain before the order can ship, one entry per missing field. */
export function missingInfo(o: OrderFacts): string[] {
  const missing: string[] = [];
  if (blank(o.address)) missing.push('address');
  if (blank(o.phone)) missing.push('phone');
  if (o.invoiceRequested) {
    if (blank(o.invoiceTitle)) missing.push('invoice title');
    if (blank(o.invoiceTaxId)) missing.push('invoice tax number');
  }
  return missing;
}

/** The customer's other orders this one likely repeats: same items or same amount, placed within the window. */
export function likelyDuplicates(o: OrderFacts, others: readonly EarlierOrder[], windowMinutes: number): { order: EarlierOrder; same: 'items' | 'amount' }[] {
  const windowMs = windowMinutes * 60_000;
  // Built only when an order is in the window: most incoming orders have none to compare with.
  let key: string | undefined;
  const found: { order: EarlierOrder; same: 'items' | 'amount' }[] = [];
  for (const other of others) {
    if (other.number === o.number || other.status === 'cancelled' || other.review === 'cancelled') continue;
    if (Math.abs(other.placedAt.getTime() - o.placedAt.getTime()) > windowMs) continue;
    key ??= itemsKey(o.items);
    if (itemsKey(other.items) === key) found.push({ order: other, same: 'items' });
    else if (other.amountFen === o.amountFen) found.push({ order: other, same: 'amount' });
  }
  return found;
}

function minutesApart(a: Date, b: Date): string {
  const m = Math.round(Math.abs(a.getTime() - b.getTime()) / 60_000);
  return m === 0 ? 'less than a minute apart' : `${m} min apart`;
}

/** Every rule the order hits, in a fixed order (amount, missing information, duplicate). */
export function holdReasons(o: OrderFacts, others: readonly EarlierOrder[], s: RuleSettings): HoldReason[] {
  const reasons: HoldReason[] = [];
  if (o.amountFen > s.reviewAmountFen) reasons.push({ rule: 'amount', detail: `amount ${yuan(o.amountFen)} is over ${yuan(s.reviewAmountFen)}` });
  const missing = missingInfo(o);
  if (missing.length) reasons.push({ rule: 'missing_info', detail: `missing: ${missing.join(', ')}` });
  const dups = likelyDuplicates(o, others, s.duplicateWindowMinutes);
  if (dups.length) {
    const detail = dups.map((d) => `same ${d.same} as ${d.order.number} (${minutesApart(d.order.placedAt, o.placedAt)})`).join('; ');
    reasons.push({ rule: 'duplicate', detail });
  }
  return reasons;
}

/**
 * What the reviewer ticks off: one item for the payment kind first (prepaid: the payment matches the amount, with the
 * figures; cash on delivery: the customer confirms by phone before shipping), then one per reason.
 */
export function reviewChecklist(o: OrderFacts, reasons: readonly HoldReason[], others: readonly EarlierOrder[] = [], s?: RuleSettings): ChecklistItem[] {
  const items: string[] = [];
  if (o.payment === 'prepaid') {
    if (o.paidFen === null) items.push(`payment matches amount: no payment recorded (amount ${yuan(o.amountFen)})`);
    else if (o.paidFen !== o.amountFen) items.push(`payment matches amount: MISMATCH, paid ${yuan(o.paidFen)} vs amount ${yuan(o.amountFen)}`);
    else items.push(`payment matches amount (paid ${yuan(o.paidFen)}, amount ${yuan(o.amountFen)})`);
  } else {
    items.push(`customer confirmed by phone before shipping (cash on delivery, ${yuan(o.amountFen)})`);
  }
  for (const r of reasons) {
    if (r.rule === 'amount') items.push(`large amount ${yuan(o.amountFen)} confirmed with the customer`);
    else if (r.rule === 'missing_info') for (const m of missingInfo(o)) items.push(`${m} obtained`);
    else {
      const numbers = s ? likelyDuplicates(o, others, s.duplicateWindowMinutes).map((d) => d.order.number) : [];
      items.push(numbers.length ? `not a duplicate of ${numbers.join(', ')} (confirmed with the customer)` : 'not a duplicate (confirmed with the customer)');
    }
  }
  return items.map((item) => ({ item, done: false }));
}

/** The whole verdict on an incoming order: approved by itself, or held with its reasons and checklist. */
export function reviewOrder(o: OrderFacts, others: readonly EarlierOrder[], s: RuleSettings): ReviewOutcome {
  const reasons = holdReasons(o, others, s);
  if (!reasons.length) return { decision: 'auto_approved', reasons, checklist: [] };
  return { decision: 'held', reasons, checklist: reviewChecklist(o, reasons, others, s) };
}

/** A new checklist keeps what the reviewer already ticked on items that read the same. */
export function carryOverChecklist(next: ChecklistItem[], previous: readonly ChecklistItem[] | null | undefined): ChecklistItem[] {
  if (!previous?.length) return next;
  return next.map((n) => previous.find((p) => p.item === n.item && p.done) ?? n);
}
