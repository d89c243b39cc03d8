// Customers, their orders and their return/exchange requests (RMAs): what the hotline looks up.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const customers = sqliteTable('customers', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  accountNumber: text('account_number').notNull().unique(),
  name: text('name').notNull(),
  /** new | returning | vip */
  tier: text('tier', { enum: ['new', 'returning', 'vip'] }).notNull().default('new'),
  preferredLanguage: text('preferred_language', { enum: ['zh', 'en'] }).notNull().default('zh'),
  /** IANA time zone: callbacks are placed inside calling hours in the customer's local time. */
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const customerPhones = sqliteTable(
  'customer_phones',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id').notNull().references(() => customers.id),
    /** E.164 */
    phone: text('phone').notNull(),
    label: text('label', { enum: ['mobile', 'home', 'work'] }).notNull().default('mobile'),
  },
  (t) => [uniqueIndex('customer_phones_phone').on(t.phone), index('customer_phones_customer').on(t.customerId)],
);

export const orders = sqliteTable(
  'orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: text('number').notNull().unique(),
    customerId: integer('customer_id').notNull().references(() => customers.id),
    /** Amount in fen (1/100 yuan), to keep money exact. */
    amountFen: integer('amount_fen').notNull(),
    payment: text('payment', { enum: ['prepaid', 'cod'] }).notNull(),
    status: text('status', {
      enum: ['pending_review', 'confirmed', 'shipped', 'delivered', 'cancelled'],
    }).notNull(),
    shippingCarrier: text('shipping_carrier'),
    trackingNumber: text('tracking_number'),
    /** JSON array of {sku, name, quantity, priceFen} */
    items: text('items').notNull(),
    address: text('address'),
    invoiceTitle: text('invoice_title'),
    invoiceTaxId: text('invoice_tax_id'),
    placedAt: integer('placed_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    /** The order system's version of this record (intake keeps the newest; older or equal versions change nothing). */
    version: integer('version').notNull().default(0),
    /** The contact phone given with the order (E.164); the customer's phones are in customer_phones. */
    phone: text('phone'),
    invoiceRequested: integer('invoice_requested', { mode: 'boolean' }).notNull().default(false),
    /** Prepaid orders: what the payment system received, in fen (checked against amount_fen). */
    paidFen: integer('paid_fen'),
    /** Middle-office review. null: never reviewed (demo data, or approved before this existed). */
    review: text('review', { enum: ['auto_approved', 'held', 'approved', 'cancelled'] }),
    /** JSON array of {rule, detail} the order hit (amount, missing_info, duplicate). */
    holdReasons: text('hold_reasons'),
    /** JSON array of {item, done, by?, at?}: the checklist for its payment kind. */
    checklist: text('checklist'),
    heldAt: integer('held_at', { mode: 'timestamp_ms' }),
    /** The middle-office agent holding the order for review, until claim_expires_at. */
    claimedBy: integer('claimed_by'),
    claimExpiresAt: integer('claim_expires_at', { mode: 'timestamp_ms' }),
    decidedBy: integer('decided_by'),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    cancelReason: text('cancel_reason'),
  },
  (t) => [index('orders_customer_placed').on(t.customerId, t.placedAt), index('orders_review_held').on(t.review, t.heldAt)],
);

export const rmas = sqliteTable(
  'rmas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: text('number').notNull().unique(),
    orderId: integer('order_id').notNull().references(() => orders.id),
    kind: text('kind', { enum: ['return', 'exchange'] }).notNull(),
    /**
     * requested → (back office) refund_pending (return, at finance) | exchange_pending (exchange, at logistics) | rejected;
     * refund_pending → refunded (finance); exchange_pending → replacement_shipped (logistics); → closed.
     * under_review and approved are kept for records from before the back-office review.
     */
    status: text('status', {
      enum: ['requested', 'under_review', 'approved', 'rejected', 'refund_pending', 'exchange_pending', 'refunded', 'replacement_shipped', 'closed'],
    }).notNull(),
    reason: text('reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    version: integer('version').notNull().default(0),
    /** The item returned or exchanged, and what the customer paid for it (fen): the refund never exceeds it. */
    itemSku: text('item_sku'),
    itemName: text('item_name'),
    quantity: integer('quantity').notNull().default(1),
    paidFen: integer('paid_fen'),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
    /** The warehouse's quality check of the returned item: null while not done. */
    qcPassed: integer('qc_passed', { mode: 'boolean' }),
    qcNote: text('qc_note'),
    /** Exchanges: the replacement item the customer asked for, then the one the agent confirmed. */
    replacementSku: text('replacement_sku'),
    refundFen: integer('refund_fen'),
    claimedBy: integer('claimed_by'),
    claimExpiresAt: integer('claim_expires_at', { mode: 'timestamp_ms' }),
    reviewedBy: integer('reviewed_by'),
    reviewedAt: integer('reviewed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('rmas_order').on(t.orderId), index('rmas_status_created').on(t.status, t.createdAt)],
);

export type RmaStatus = (typeof rmas.$inferSelect)['status'];
