import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { calls, customerPhones, customers, orders, rmas } from '../../src/db/schema/index';
import { DEMO_CUSTOMERS, isSeeded, resetCustomerData, seedDemoData } from '../../src/db/seed/demo-data';

const NOW = new Date('2026-11-23T03:00:00Z');
const DAY = 86_400_000;

describe('demo data seed', () => {
  let db: Db;
  beforeEach(() => (db = openDatabase(':memory:')));
  afterEach(() => db.$client.close());

  it('fills an empty database with about 120 customers, 350 orders and 40 RMAs; a second run does nothing', () => {
    expect(isSeeded(db)).to.equal(false);
    const counts = seedDemoData(db, { now: NOW });
    expect(isSeeded(db)).to.equal(true);
    expect(counts.customers).to.be.within(110, 130);
    expect(counts.orders).to.be.within(300, 420);
    expect(counts.rmas).to.be.within(30, 50);
    expect(db.select().from(customers).all()).to.have.length(counts.customers);
    expect(db.select().from(orders).all()).to.have.length(counts.orders);
    expect(db.select().from(rmas).all()).to.have.length(counts.rmas);
    expect(seedDemoData(db, { now: NOW })).to.deep.equal({ customers: 0, orders: 0, rmas: 0 });
    expect(db.select().from(customers).all()).to.have.length(counts.customers);
  });

  it('seeds the fixed demo customers first, with their exact phones, latest orders and open RMA', () => {
    seedDemoData(db, { now: NOW });
    const rows = db.select().from(customers).orderBy(asc(customers.id)).all();
    expect(rows.slice(0, 5).map((c) => [c.name, c.accountNumber, c.tier, c.preferredLanguage])).to.deep.equal(
      DEMO_CUSTOMERS.map((c) => [c.name, c.accountNumber, c.tier, c.preferredLanguage]),
    );
    const latest = (customerId: number) => db.select().from(orders).where(eq(orders.customerId, customerId)).all().sort((a, b) => +b.placedAt - +a.placedAt)[0];
    for (const [i, demo] of DEMO_CUSTOMERS.entries()) {
      const phone = db.select().from(customerPhones).where(eq(customerPhones.phone, demo.phone)).get();
      expect(phone?.customerId, demo.name).to.equal(rows[i].id);
      expect(latest(rows[i].id)?.number, demo.name).to.equal(demo.latestOrderNumber);
    }
    const [wang, li, zhang, emily] = rows;
    expect(latest(wang.id)).to.include({ status: 'shipped', shippingCarrier: '顺丰速运', trackingNumber: 'SF1234567890', amountFen: 328_000, payment: 'prepaid' });
    expect(+latest(wang.id).placedAt).to.equal(+NOW - 2 * DAY);
    const wangOrders = db.select().from(orders).where(eq(orders.customerId, wang.id)).all();
    expect(wangOrders.some((o) => o.status === 'delivered')).to.equal(true);
    expect(latest(li.id)).to.include({ status: 'delivered', shippingCarrier: '京东物流', trackingNumber: 'JD0098765432' });
    expect(latest(zhang.id)).to.include({ status: 'confirmed', payment: 'cod', amountFen: 89_900, shippingCarrier: null, trackingNumber: null });
    expect(latest(emily.id)).to.include({ status: 'shipped', shippingCarrier: 'EMS', trackingNumber: 'EA123456789CN', amountFen: 156_000 });
    expect(db.select().from(orders).where(eq(orders.customerId, rows[4].id)).all()).to.have.length(0);

    const rmaRows = db.select({ rma: rmas, order: orders }).from(rmas).innerJoin(orders, eq(orders.id, rmas.orderId)).all();
    const byCustomer = (id: number) => rmaRows.filter((r) => r.order.customerId === id);
    expect(byCustomer(li.id).map((r) => [r.rma.number, r.rma.kind, r.rma.status, r.order.number])).to.deep.equal([['RMA20261101', 'return', 'under_review', 'YT202611100002']]);
    for (const c of [wang, zhang, emily]) expect(byCustomer(c.id), c.name).to.have.length(0);
  });

  it('makes realistic orders: big tickets, prepaid and cash on delivery, statuses consistent with age', () => {
    seedDemoData(db, { now: NOW });
    const rows = db.select().from(orders).all();
    expect(rows.filter((o) => o.amountFen > 200_000).length).to.be.at.least(rows.length * 0.1);
    const cod = rows.filter((o) => o.payment === 'cod').length / rows.length;
    expect(cod).to.be.within(0.15, 0.35);
    expect(new Set(rows.map((o) => o.status))).to.deep.equal(new Set(['pending_review', 'confirmed', 'shipped', 'delivered', 'cancelled']));
    expect(new Set(rows.map((o) => o.shippingCarrier).filter(Boolean))).to.deep.equal(new Set(['顺丰速运', '京东物流', '中通快递', 'EMS']));
    expect(rows.some((o) => o.address === null) && rows.some((o) => o.invoiceTaxId !== null)).to.equal(true);
    for (const o of rows) {
      expect(o.number).to.match(/^YT\d{12}$/);
      expect(+o.placedAt).to.be.within(+NOW - 90 * DAY, +NOW);
      expect(+o.updatedAt).to.be.within(+o.placedAt, +NOW);
      const items = JSON.parse(o.items) as { sku: string; name: string; quantity: number; priceFen: number }[];
      expect(items.reduce((s, i) => s + i.quantity * i.priceFen, 0), o.number).to.equal(o.amountFen);
      const shipped = o.status === 'shipped' || o.status === 'delivered';
      expect(Boolean(o.shippingCarrier && o.trackingNumber), o.number).to.equal(shipped);
      if (+o.placedAt < +NOW - 10 * DAY) expect(o.status, o.number).to.be.oneOf(['delivered', 'cancelled']);
    }
    const rmaRows = db.select({ rma: rmas, order: orders }).from(rmas).innerJoin(orders, eq(orders.id, rmas.orderId)).all();
    expect(new Set(rmaRows.map((r) => r.rma.kind))).to.deep.equal(new Set(['return', 'exchange']));
    expect(new Set(rmaRows.map((r) => r.rma.status)).size).to.be.at.least(5);
    for (const { rma, order } of rmaRows) {
      expect(rma.number).to.match(/^RMA\d{8}$/);
      expect(order.status).to.equal('delivered');
      expect(+rma.createdAt).to.be.within(+order.placedAt, +NOW);
      if (rma.status === 'refunded') expect(rma.kind).to.equal('return');
      if (rma.status === 'replacement_shipped') expect(rma.kind).to.equal('exchange');
    }
  });

  it('gives every customer unique E.164 mainland mobile numbers and YT account numbers', () => {
    seedDemoData(db, { now: NOW });
    const phones = db.select().from(customerPhones).all();
    expect(phones.every((p) => /^\+861[358]\d{9}$/.test(p.phone))).to.equal(true);
    expect(new Set(phones.map((p) => p.phone)).size).to.equal(phones.length);
    expect(new Set(phones.map((p) => p.customerId)).size).to.equal(db.select().from(customers).all().length);
    expect(phones.length).to.be.above(new Set(phones.map((p) => p.customerId)).size); // some have two
    expect(db.select().from(customers).all().every((c) => /^YT\d{8}$/.test(c.accountNumber))).to.equal(true);
  });

  it('is deterministic for a given now and seed', () => {
    const other = openDatabase(':memory:');
    try {
      seedDemoData(db, { now: NOW });
      seedDemoData(other, { now: NOW });
      expect(other.select().from(orders).all()).to.deep.equal(db.select().from(orders).all());
      expect(other.select().from(customerPhones).all()).to.deep.equal(db.select().from(customerPhones).all());
      expect(other.select().from(rmas).all()).to.deep.equal(db.select().from(rmas).all());
    } finally {
      other.$client.close();
    }
    const third = openDatabase(':memory:');
    try {
      seedDemoData(third, { now: NOW, seed: 7 });
      expect(third.select().from(orders).all()).not.to.deep.equal(db.select().from(orders).all());
    } finally {
      third.$client.close();
    }
  });

  it('reset removes customers, orders and RMAs but keeps calls, unlinked, so the seed can run again', () => {
    seedDemoData(db, { now: NOW });
    db.insert(calls).values({ sid: 'CA1', direction: 'inbound', from: DEMO_CUSTOMERS[0].phone, to: '+864008008888', status: 'completed', customerId: 1, startedAt: NOW }).run();
    resetCustomerData(db);
    expect(isSeeded(db)).to.equal(false);
    expect(db.select().from(orders).all()).to.have.length(0);
    expect(db.select().from(calls).get()).to.include({ sid: 'CA1', customerId: null });
    expect(seedDemoData(db, { now: NOW }).customers).to.be.above(0);
  });
});
