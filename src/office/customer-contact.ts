// Who the middle and back office call about an order or RMA: the customer, their number and time zone, and the priority
// their tier gives the callback (drizzle for the lookup; the priority scale is the queues').
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { customerPhones, customers } from '../db/schema/index';

export type Tier = 'new' | 'returning' | 'vip';

export interface OfficeCustomer {
  id: number;
  name: string;
  tier: Tier;
  timeZone: string;
  preferredLanguage: 'zh' | 'en';
  /** The primary phone (the first mobile, else the first number); null when none is on file. */
  phone: string | null;
}

/** Callback priority by tier, on the queues' scale (VIP first). */
export const TIER_PRIORITY: Readonly<Record<Tier, number>> = { vip: 40, returning: 20, new: 10 };

export class CustomerContacts {
  constructor(private readonly db: Db) {}

  get(customerId: number): OfficeCustomer | undefined {
    const c = this.db
      .select({ id: customers.id, name: customers.name, tier: customers.tier, timeZone: customers.timeZone, preferredLanguage: customers.preferredLanguage })
      .from(customers)
      .where(eq(customers.id, customerId))
      .get();
    if (!c) return undefined;
    const phone = this.db
      .select({ phone: customerPhones.phone })
      .from(customerPhones)
      .where(eq(customerPhones.customerId, customerId))
      .orderBy(sql`case when ${customerPhones.label} = 'mobile' then 0 else 1 end`, asc(customerPhones.id))
      .limit(1)
      .get();
    return { ...c, phone: phone?.phone ?? null };
  }
}

/** Who a callback about an order or RMA calls, and how: what the callback list needs of the customer. */
export interface CallbackContact {
  customerId: number;
  phone: string;
  timeZone: string;
  language: string;
  priority: number;
}

/** The callback's contact: the customer and `phone` (the order's own number, else the customer's); undefined when there is no customer or no number. */
export function callbackContact(customer: OfficeCustomer | undefined, phone: string | null | undefined): CallbackContact | undefined {
  const number = phone ?? customer?.phone ?? null;
  if (!customer || !number) return undefined;
  return { customerId: customer.id, phone: number, timeZone: customer.timeZone, language: customer.preferredLanguage, priority: TIER_PRIORITY[customer.tier] };
}
