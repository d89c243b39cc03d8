// Orders and RMAs shaped like the intake's output (held orders, requested RMAs), inserted straight into the database so
// the middle- and back-office tests do not depend on the intake API; and a signed-in staff API client.
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client';
import { customers, orders, rmas } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';

export type Json = Record<string, any>;

/** The demo customers by tier: 王芳 (vip), 李娜 (returning), 赵强 (new). */
export const ACCOUNTS = { vip: 'YT00000001', returning: 'YT00000002', new: 'YT00000005' } as const;

export function customerId(db: Db, account: string): number {
  return db.select({ id: customers.id }).from(customers).where(eq(customers.accountNumber, account)).get()!.id;
}

export interface HeldOrderSpec {
  number: string;
  heldAt: Date;
  account?: string;
  amountFen?: number;
  payment?: 'prepaid' | 'cod';
  reasons?: { rule: 'amount' | 'missing_info' | 'duplicate'; detail: string }[];
  checklist?: string[];
  /** The order's contact phone; null for none (the customer's is used). @default '+8613800138000' */
  phone?: string | null;
}

/** An order the intake held for review: status pending_review, review held, reasons, an undone checklist. */
export function insertHeldOrder(db: Db, s: HeldOrderSpec): number {
  const amountFen = s.amountFen ?? 350_000;
  return db
    .insert(orders)
    .values({
      number: s.number,
      customerId: customerId(db, s.account ?? ACCOUNTS.vip),
      amountFen,
      payment: s.payment ?? 'prepaid',
      paidFen: (s.payment ?? 'prepaid') === 'prepaid' ? amountFen : null,
      status: 'pending_review',
      items: JSON.stringify([{ sku: 'BAG-001', name: '真皮手袋', quantity: 1, priceFen: amountFen }]),
      address: '上海市浦东新区世纪大道100号',
      phone: s.phone === undefined ? '+8613800138000' : s.phone,
      placedAt: new Date(s.heldAt.getTime() - 1000),
      updatedAt: s.heldAt,
      version: 1,
      review: 'held',
      holdReasons: JSON.stringify(s.reasons ?? [{ rule: 'amount', detail: `amount ${amountFen / 100} yuan is over 2000 yuan` }]),
      checklist: JSON.stringify((s.checklist ?? ['payment matches the amount']).map((item) => ({ item, done: false }))),
      heldAt: s.heldAt,
    })
    .returning({ id: orders.id })
    .get().id;
}

/** An order the intake approved by itself: never on the middle office's list. */
export function insertApprovedOrder(db: Db, number: string, at: Date, account: string = ACCOUNTS.vip): number {
  return db
    .insert(orders)
    .values({ number, customerId: customerId(db, account), amountFen: 19_900, payment: 'prepaid', paidFen: 19_900, status: 'confirmed', items: '[]', placedAt: at, updatedAt: at, version: 1, review: 'auto_approved' })
    .returning({ id: orders.id })
    .get().id;
}

export interface RequestedRmaSpec {
  number: string;
  createdAt: Date;
  kind?: 'return' | 'exchange';
  account?: string;
  itemSku?: string;
  paidFen?: number | null;
  deliveredAt?: Date | null;
  qcPassed?: boolean | null;
  replacementSku?: string | null;
}

/** An RMA the intake stored (status requested) on a delivered order of its own. */
export function insertRequestedRma(db: Db, s: RequestedRmaSpec): number {
  const delivered = s.deliveredAt === undefined ? new Date(s.createdAt.getTime() - 2 * 86_400_000) : s.deliveredAt;
  const placed = new Date(s.createdAt.getTime() - 5 * 86_400_000);
  const orderId = db
    .insert(orders)
    .values({
      number: `O-${s.number}`,
      customerId: customerId(db, s.account ?? ACCOUNTS.returning),
      amountFen: 129_900,
      payment: 'prepaid',
      paidFen: 129_900,
      status: 'delivered',
      items: JSON.stringify([{ sku: s.itemSku ?? 'SKU-1', name: '羊毛大衣', quantity: 1, priceFen: 129_900 }]),
      placedAt: placed,
      updatedAt: delivered ?? placed,
    })
    .returning({ id: orders.id })
    .get().id;
  return db
    .insert(rmas)
    .values({
      number: s.number,
      orderId,
      kind: s.kind ?? 'return',
      status: 'requested',
      reason: '尺码不合适',
      createdAt: s.createdAt,
      updatedAt: s.createdAt,
      version: 1,
      itemSku: s.itemSku ?? 'SKU-1',
      itemName: '羊毛大衣',
      paidFen: s.paidFen === undefined ? 129_900 : s.paidFen,
      deliveredAt: delivered,
      qcPassed: s.qcPassed === undefined ? true : s.qcPassed,
      replacementSku: s.replacementSku ?? null,
    })
    .returning({ id: rmas.id })
    .get().id;
}

/** A staff API client on `base`: sign in once per demo account, then call with its token. */
export function staffApi(base: string) {
  const tokens = new Map<string, string>();
  async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }
  return {
    /** Calls as the demo account `username` (signed in on first use). */
    async as(username: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
      let token = tokens.get(username);
      if (!token) {
        const login = await call('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD });
        if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
        token = login.body.token as string;
        tokens.set(username, token);
      }
      return call(method, path, token, body);
    },
    async idOf(username: string): Promise<number> {
      return (await this.as(username, 'GET', '/api/auth/me')).body.id as number;
    },
  };
}
