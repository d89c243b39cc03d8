// The order system's records as the intake API and the CSV import accept them: one zod schema per kind, money exact to the fen.
import { z } from 'zod';
import { yuanToFen } from '../office/money';

/** Most records one request or one import row batch may carry. */
export const MAX_BATCH = 1000;

const E164 = /^\+[1-9]\d{6,14}$/;

const text = (name: string, max: number) =>
  z.string({ error: `${name} must be text` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);
/** Optional text: absent, null or blank all mean "not given" (null). */
const optionalText = (name: string, max: number) =>
  z
    .string({ error: `${name} must be text` })
    .max(max, `${name} is longer than ${max} characters`)
    .nullish()
    .transform((s) => (s && s.trim() ? s.trim() : null));
const version = z.number({ error: 'version must be a whole number' }).int('version must be a whole number').min(0, 'version must be 0 or more').max(Number.MAX_SAFE_INTEGER);
const e164 = (name: string) => z.string({ error: `${name} must be text` }).trim().regex(E164, `${name} must be an E.164 number like +8613800138000`);
/** 2026-11-23T10:00:00+08:00, with optional seconds and fraction; the zone (Z or an offset) is required. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const isoTime = (name: string) => {
  const message = `${name} must be an ISO 8601 time with a zone, like 2026-11-23T10:00:00+08:00`;
  // A regex and Date instead of z.iso.datetime: the same check at a third of the cost, which the CSV import feels.
  return z.string({ error: message }).transform((s, ctx) => {
    const at = ISO_TIME.test(s) ? new Date(s) : undefined;
    if (at && !Number.isNaN(at.getTime())) return at;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
};

/** Yuan as a decimal string ("2000.50") or a number (2000.5), exact to the fen (see office/money.ts); the result is in fen. */
export const yuanAmount = (name: string) =>
  z
    .union([z.string(), z.number()], { error: `${name} must be an amount in yuan, like "2000.50"` })
    .transform((v, ctx) => {
      const fen = yuanToFen(v);
      if (fen === undefined || fen < 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a non-negative amount in yuan with at most 2 decimals, like "2000.50"` });
        return z.NEVER;
      }
      return fen;
    });

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

const customerSchema = z.object(
  {
    accountNumber: text('customer.accountNumber', 64),
    name: text('customer.name', 200),
    phone: e164('customer.phone'),
    tier: z.enum(['new', 'returning', 'vip'], { error: 'customer.tier must be one of: new, returning, vip' }).optional(),
    timeZone: z.string({ error: 'customer.timeZone must be text' }).refine(validTimeZone, 'customer.timeZone must be an IANA time zone like Asia/Shanghai').optional(),
    language: z.enum(['zh', 'en'], { error: 'customer.language must be zh or en' }).optional(),
  },
  { error: 'customer is required: {accountNumber, name, phone}' },
);

const itemSchema = z.object(
  {
    sku: text('sku', 64),
    name: text('name', 200),
    quantity: z.number({ error: 'quantity must be a whole number' }).int('quantity must be a whole number').min(1, 'quantity must be at least 1').max(1_000_000, 'quantity is too large'),
    price: yuanAmount('price'),
  },
  { error: 'each item must be {sku, name, quantity, price}' },
);

export const orderRecordSchema = z.object(
  {
    number: text('number', 64),
    version,
    customer: customerSchema,
    payment: z.enum(['prepaid', 'cod'], { error: 'payment must be prepaid or cod' }),
    amount: yuanAmount('amount'),
    /** Prepaid: what the payment system received (yuan). */
    paid: yuanAmount('paid').nullish(),
    items: z.array(itemSchema, { error: 'items must be a list of {sku, name, quantity, price}' }).min(1, 'items must not be empty').max(500, 'at most 500 items'),
    // Missing address, phone or invoice data is not an error: it holds the order for the middle office to obtain it.
    address: optionalText('address', 500),
    phone: z.union([e164('phone'), z.literal(''), z.null()]).optional().transform((p) => p || null),
    invoice: z
      .object({ title: optionalText('invoice.title', 200), taxId: optionalText('invoice.taxId', 32) }, { error: 'invoice must be {title, taxId}' })
      .nullish(),
    invoiceRequested: z.boolean({ error: 'invoiceRequested must be true or false' }).optional(),
    placedAt: isoTime('placedAt'),
  },
  { error: 'an order record must be a JSON object' },
);

export const rmaRecordSchema = z
  .object(
    {
      number: text('number', 64),
      version,
      orderNumber: text('orderNumber', 64),
      kind: z.enum(['return', 'exchange'], { error: 'kind must be return or exchange' }),
      itemSku: text('itemSku', 64),
      itemName: optionalText('itemName', 200),
      quantity: z.number({ error: 'quantity must be a whole number' }).int('quantity must be a whole number').min(1, 'quantity must be at least 1').max(1_000_000, 'quantity is too large').default(1),
      paid: yuanAmount('paid'),
      deliveredAt: isoTime('deliveredAt').nullish(),
      qcPassed: z.boolean({ error: 'qcPassed must be true, false or null' }).nullish(),
      qcNote: optionalText('qcNote', 1000),
      replacementSku: optionalText('replacementSku', 64),
      reason: optionalText('reason', 1000),
      createdAt: isoTime('createdAt'),
    },
    { error: 'an RMA record must be a JSON object' },
  )
  .superRefine((r, ctx) => {
    if (r.kind === 'exchange' && !r.replacementSku) ctx.addIssue({ code: 'custom', path: ['replacementSku'], message: 'replacementSku is required for an exchange' });
  });

export type OrderRecord = z.output<typeof orderRecordSchema>;
export type RmaRecord = z.output<typeof rmaRecordSchema>;

export interface FieldError {
  /** Dotted path inside the record, e.g. customer.phone or items.0.price; '' for the record itself. */
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; record: T } | { ok: false; errors: FieldError[] };

function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, record: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}

export const parseOrderRecord = (input: unknown): Parsed<OrderRecord> => parseWith(orderRecordSchema, input);
export const parseRmaRecord = (input: unknown): Parsed<RmaRecord> => parseWith(rmaRecordSchema, input);

/**
 * A record judged by its schema, ready for IntakeService.storeChecked. Plain data (it crosses to the import's writing
 * thread by structured clone): a refused one keeps what the rejection report and the RMA order check need of its input.
 */
export type CheckedRecord<T = OrderRecord | RmaRecord> = { ok: true; record: T } | { ok: false; errors: FieldError[]; number?: string; orderNumber?: unknown };

function numberOf(input: unknown): string | undefined {
  const n = (input as { number?: unknown } | null)?.number;
  return typeof n === 'string' && n.trim() ? n.trim().slice(0, 64) : undefined;
}

export function checkOrderRecord(input: unknown): CheckedRecord<OrderRecord> {
  const p = parseOrderRecord(input);
  return p.ok ? p : { ok: false, errors: p.errors, number: numberOf(input) };
}

export function checkRmaRecord(input: unknown): CheckedRecord<RmaRecord> {
  const p = parseRmaRecord(input);
  return p.ok ? p : { ok: false, errors: p.errors, number: numberOf(input), orderNumber: (input as { orderNumber?: unknown } | null)?.orderNumber };
}

/** One record, `{records: [...]}` or a JSON array: the records, and whether the caller sent a batch. */
export function recordsOf(body: unknown): { batch: boolean; records: unknown[] } {
  if (Array.isArray(body)) return { batch: true, records: body };
  if (body && typeof body === 'object' && 'records' in body && Array.isArray((body as { records: unknown }).records)) return { batch: true, records: (body as { records: unknown[] }).records };
  return { batch: false, records: [body] };
}
