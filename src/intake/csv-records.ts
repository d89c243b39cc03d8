// The CSV import's columns: a row becomes the same record the intake API takes (nested fields flattened), so one
// zod schema judges both. Values stay text where the schema would refuse them, so its message names the field.

export type ImportKind = 'orders' | 'rmas';

export const ORDER_COLUMNS = [
  'number',
  'version',
  'customer_account',
  'customer_name',
  'customer_phone',
  'customer_tier',
  'customer_time_zone',
  'customer_language',
  'payment',
  'amount',
  'paid',
  'items',
  'address',
  'phone',
  'invoice_requested',
  'invoice_title',
  'invoice_tax_id',
  'placed_at',
] as const;

export const RMA_COLUMNS = [
  'number',
  'version',
  'order_number',
  'kind',
  'item_sku',
  'item_name',
  'quantity',
  'paid',
  'delivered_at',
  'qc_passed',
  'qc_note',
  'replacement_sku',
  'reason',
  'created_at',
] as const;

export const REQUIRED_COLUMNS: Record<ImportKind, readonly string[]> = {
  orders: ['number', 'version', 'customer_account', 'customer_name', 'customer_phone', 'payment', 'amount', 'items', 'placed_at'],
  rmas: ['number', 'version', 'order_number', 'kind', 'item_sku', 'paid', 'created_at'],
};

export const COLUMNS: Record<ImportKind, readonly string[]> = { orders: ORDER_COLUMNS, rmas: RMA_COLUMNS };

type Row = Record<string, string | undefined>;

/** '' is "not given". */
const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
/** A whole number when it reads as one; otherwise the text, for the schema to refuse by name. */
const int = (v: string | undefined) => {
  const s = opt(v)?.trim();
  if (s === undefined) return undefined;
  return /^-?\d{1,15}$/.test(s) ? Number(s) : s;
};
const bool = (v: string | undefined): boolean | string | null | undefined => {
  const s = opt(v)?.trim().toLowerCase();
  if (s === undefined) return undefined;
  if (['true', '1', 'yes', 'y'].includes(s)) return true;
  if (['false', '0', 'no', 'n'].includes(s)) return false;
  if (s === 'null') return null;
  return v;
};

/** `sku:qty:price[:name];…` → item objects; a line that does not split into three parts is passed on to be refused. */
export function parseItems(v: string | undefined): unknown {
  const s = opt(v);
  if (s === undefined) return undefined;
  return s
    .split(';')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const [sku, qty, price, ...name] = part.split(':');
      if (price === undefined) return `"${part}" is not sku:qty:price`;
      return { sku: sku.trim(), name: name.length ? name.join(':').trim() : sku.trim(), quantity: int(qty), price: price.trim() };
    });
}

export function orderRecordOfRow(r: Row): unknown {
  const invoiceTitle = opt(r.invoice_title);
  const invoiceTaxId = opt(r.invoice_tax_id);
  return {
    number: r.number,
    version: int(r.version),
    customer: {
      accountNumber: r.customer_account,
      name: r.customer_name,
      phone: r.customer_phone,
      tier: opt(r.customer_tier),
      timeZone: opt(r.customer_time_zone),
      language: opt(r.customer_language),
    },
    payment: r.payment,
    amount: r.amount,
    paid: opt(r.paid),
    items: parseItems(r.items),
    address: opt(r.address),
    phone: opt(r.phone),
    invoice: invoiceTitle || invoiceTaxId ? { title: invoiceTitle, taxId: invoiceTaxId } : undefined,
    invoiceRequested: bool(r.invoice_requested),
    placedAt: r.placed_at,
  };
}

export function rmaRecordOfRow(r: Row): unknown {
  return {
    number: r.number,
    version: int(r.version),
    orderNumber: r.order_number,
    kind: r.kind,
    itemSku: r.item_sku,
    itemName: opt(r.item_name),
    quantity: int(r.quantity),
    paid: r.paid,
    deliveredAt: opt(r.delivered_at),
    qcPassed: bool(r.qc_passed),
    qcNote: opt(r.qc_note),
    replacementSku: opt(r.replacement_sku),
    reason: opt(r.reason),
    createdAt: r.created_at,
  };
}

const ORDER_PATHS: Record<string, string> = {
  'customer.accountNumber': 'customer_account',
  'customer.name': 'customer_name',
  'customer.phone': 'customer_phone',
  'customer.tier': 'customer_tier',
  'customer.timeZone': 'customer_time_zone',
  'customer.language': 'customer_language',
  invoiceRequested: 'invoice_requested',
  'invoice.title': 'invoice_title',
  'invoice.taxId': 'invoice_tax_id',
  placedAt: 'placed_at',
};
const RMA_PATHS: Record<string, string> = {
  orderNumber: 'order_number',
  itemSku: 'item_sku',
  itemName: 'item_name',
  deliveredAt: 'delivered_at',
  qcPassed: 'qc_passed',
  qcNote: 'qc_note',
  replacementSku: 'replacement_sku',
  createdAt: 'created_at',
};

/** The CSV column a record path came from (items.2.price → items[3].price), for messages a file's author can act on. */
export function columnOf(kind: ImportKind, path: string): string {
  const known = (kind === 'orders' ? ORDER_PATHS : RMA_PATHS)[path];
  if (known) return known;
  const item = /^items\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (item) return `items[${Number(item[1]) + 1}]${item[2] ? `.${item[2]}` : ''}`;
  return path;
}

/** One CSV field, quoted when it must be (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
