// Customers, their orders and their return/exchange requests (RMAs): what the hotline looks up.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const customers = sqliteTable('customers', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  accountNumber: text('account_number').notNull().unique(),
  name: text('name').notNull(),
  /** new | returning | vip */
  tier: text('tier', { enum: ['new', 'returning', 'vip'] }).notNull().default('new'),
  preferredLanguage: text('preferred_language', { enum: ['zh', 'en'] }).notNull().default('zh'),
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
  },
  (t) => [index('orders_customer_placed').on(t.customerId, t.placedAt)],
);

export const rmas = sqliteTable(
  'rmas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: text('number').notNull().unique(),
    orderId: integer('order_id').notNull().references(() => orders.id),
    kind: text('kind', { enum: ['return', 'exchange'] }).notNull(),
    status: text('status', {
      enum: ['requested', 'under_review', 'approved', 'rejected', 'refunded', 'replacement_shipped', 'closed'],
    }).notNull(),
    reason: text('reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('rmas_order').on(t.orderId)],
);
