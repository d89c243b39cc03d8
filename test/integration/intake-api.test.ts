// The order system's intake through the real server: integration keys, validation, batches, idempotency, special-order rules.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { openDatabase } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { IntakeRepo, type NewOrder } from '../../src/intake/intake.repo';
import { IntakeCache, IntakeService } from '../../src/intake/intake.service';
import { auditLog, customerPhones, customers, integrationKeys, orders, reviewHistory, rmas } from '../../src/db/schema/index';

type Json = Record<string, any>;

/** Placed an hour before the fixture's clock (2026-11-23T03:00Z). */
const PLACED = '2026-11-23T10:00:00+08:00';

let seq = 0;
/** A clean order of a new customer (no rule hits): prepaid, paid in full, address, phone, no invoice. */
function order(over: Json = {}): Json {
  seq++;
  const n = String(seq).padStart(4, '0');
  return {
    number: `ERP-${n}`,
    version: 1,
    customer: { accountNumber: `ERPC-${n}`, name: '测试客户', phone: `+861360000${n}` },
    payment: 'prepaid',
    amount: '199.00',
    paid: 199,
    items: [{ sku: 'SKU-1', name: '保温杯', quantity: 1, price: '199.00' }],
    address: '上海市黄浦区南京东路 1 号',
    phone: `+861360000${n}`,
    placedAt: PLACED,
    ...over,
  };
}

describe('intake API (orders and RMAs from the order system)', () => {
  let f: Fixture;
  let adminToken: string;
  let agentToken: string;
  let key: string;

  async function call(method: string, path: string, o: { token?: string; key?: string; body?: unknown; headerKey?: boolean } = {}): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.key) {
      if (o.headerKey) headers['x-integration-key'] = o.key;
      else headers.authorization = `Bearer ${o.key}`;
    }
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(f.base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  async function login(username: string): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password: DEMO_PASSWORD } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.token as string;
  }

  const postOrders = (body: unknown) => call('POST', '/api/intake/orders', { key, body });
  const postRmas = (body: unknown) => call('POST', '/api/intake/rmas', { key, body });
  const db = () => f.hotline.db;
  const orderRow = (number: string) => db().select().from(orders).where(eq(orders.number, number)).get()!;
  const historyOf = (id: number) => db().select().from(reviewHistory).where(and(eq(reviewHistory.subject, 'order'), eq(reviewHistory.subjectId, id))).orderBy(reviewHistory.id).all();

  before(async () => {
    f = await startHotline();
    adminToken = await login('admin1');
    agentToken = await login('agent5');
    const created = await call('POST', '/api/integration-keys', { token: adminToken, body: { name: 'erp' } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    key = created.body.key;
  });

  after(async () => {
    await f.close();
  });

  describe('integration keys', () => {
    it('creates a key shown once, stores only its hash, lists it without the key, and audits it', async () => {
      const res = await call('POST', '/api/integration-keys', { token: adminToken, body: { name: 'warehouse' } });
      expect(res.status).to.equal(201);
      expect(res.body.key).to.match(/^ik_[A-Za-z0-9_-]{43}$/);
      expect(res.body.prefix).to.equal(res.body.key.slice(0, 10));
      const row = db().select().from(integrationKeys).where(eq(integrationKeys.id, res.body.id)).get()!;
      expect(row.keyHash).to.match(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.to.include(res.body.key);
      const list = await call('GET', '/api/integration-keys', { token: adminToken });
      expect(list.status).to.equal(200);
      const listed = (list.body as unknown as Json[]).find((k) => k.id === res.body.id)!;
      expect(listed).to.include({ name: 'warehouse', prefix: res.body.prefix, revokedAt: null, lastUsedAt: null });
      expect(JSON.stringify(list.body)).not.to.include(res.body.key);
      expect(Object.keys(listed)).not.to.include.members(['key', 'keyHash']);
      const audited = db().select().from(auditLog).where(and(eq(auditLog.action, 'integration_key.created'), eq(auditLog.subjectId, String(res.body.id)))).get();
      expect(audited?.actorId).to.be.a('number');
    });

    it('lets a key in (either header), records lastUsedAt, and refuses it with 401 once revoked', async () => {
      const made = await call('POST', '/api/integration-keys', { token: adminToken, body: { name: 'short-lived' } });
      const k = made.body.key as string;
      const o = order();
      expect((await call('POST', '/api/intake/orders', { key: k, headerKey: true, body: o })).status).to.equal(201);
      expect((await call('POST', '/api/intake/orders', { key: k, body: o })).status).to.equal(200);
      const used = (await call('GET', '/api/integration-keys', { token: adminToken })).body as unknown as Json[];
      expect(used.find((x) => x.id === made.body.id)!.lastUsedAt).to.equal(f.clock.now().toISOString());

      const revoked = await call('DELETE', `/api/integration-keys/${made.body.id}`, { token: adminToken, body: { reason: 'rotated' } });
      expect(revoked.status).to.equal(200);
      expect(revoked.body.revokedAt).to.be.a('string');
      const refused = await call('POST', '/api/intake/orders', { key: k, body: order() });
      expect(refused.status).to.equal(401);
      expect(refused.body.error).to.equal('unauthorized');
      expect(db().select().from(auditLog).where(and(eq(auditLog.action, 'integration_key.revoked'), eq(auditLog.subjectId, String(made.body.id)))).get()?.reason).to.equal('rotated');
      expect((await call('DELETE', '/api/integration-keys/999999', { token: adminToken })).status).to.equal(404);
    });

    it('refuses an unknown key and no key with 401, a staff token on intake with 403, and a key on the staff API with 401', async () => {
      expect((await call('POST', '/api/intake/orders', { body: order() })).status).to.equal(401);
      expect((await call('POST', '/api/intake/orders', { key: 'ik_not-a-real-key', body: order() })).status).to.equal(401);
      const staff = await call('POST', '/api/intake/orders', { token: adminToken, body: order() });
      expect(staff.status).to.equal(403);
      expect(staff.body.message).to.match(/integration key/);
      expect((await call('GET', '/api/integration-keys', { key })).status).to.equal(401);
      expect((await call('GET', '/api/work-orders', { key })).status).to.equal(401);
    });

    it('is for admins only', async () => {
      expect((await call('POST', '/api/integration-keys', { token: agentToken, body: { name: 'x' } })).status).to.equal(403);
      expect((await call('GET', '/api/integration-keys', { token: agentToken })).status).to.equal(403);
    });
  });

  describe('validation', () => {
    it('answers one bad record with 422 naming every bad field, and stores nothing', async () => {
      const bad = order({
        version: 1.5,
        customer: { accountNumber: '', name: '某人', phone: '13800138000' },
        payment: 'cash',
        amount: '12.345',
        items: [{ sku: 'A', name: 'x', quantity: 0, price: 0.1 + 0.2 }],
        phone: '12345',
        placedAt: 'yesterday',
      });
      const res = await postOrders(bad);
      expect(res.status).to.equal(422);
      expect(res.body.error).to.equal('invalid_record');
      const paths = (res.body.errors as Json[]).map((e) => e.path);
      expect(paths).to.include.members(['version', 'customer.accountNumber', 'customer.phone', 'payment', 'amount', 'items.0.quantity', 'items.0.price', 'phone', 'placedAt']);
      for (const e of res.body.errors as Json[]) expect(e.message).to.be.a('string').and.not.empty;
      expect(db().select().from(orders).where(eq(orders.number, bad.number)).get()).to.equal(undefined);
    });

    it('refuses an RMA for an unknown order, naming orderNumber along with its other bad fields', async () => {
      const res = await postRmas({ number: 'RMA-X1', version: 1, orderNumber: 'NO-SUCH', kind: 'swap', itemSku: 'A', paid: '10', createdAt: PLACED });
      expect(res.status).to.equal(422);
      expect((res.body.errors as Json[]).map((e) => e.path)).to.include.members(['orderNumber', 'kind']);
    });

    it('refuses a batch over the limit with 413 and stores none of it', async () => {
      const records = Array.from({ length: 1001 }, () => order());
      const res = await postOrders({ records });
      expect(res.status).to.equal(413);
      expect(db().select().from(orders).where(eq(orders.number, records[0].number)).get()).to.equal(undefined);
    });
  });

  describe('batches', () => {
    it('stores the good records, reports each bad one by index with its errors, and leaves nothing half-stored', async () => {
      const good1 = order();
      const bad = order({ amount: 'lots', customer: { accountNumber: 'ERPC-HALF', name: '半', phone: '+8613611112222' } });
      const good2 = order();
      const badRma = { number: 'RMA-B1', version: 1, orderNumber: good1.number, kind: 'exchange', itemSku: 'SKU-1', paid: '199', createdAt: PLACED };
      const res = await postOrders([good1, bad, good2]);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
      expect((res.body.results as Json[]).map((r) => r.result)).to.deep.equal(['created', 'rejected', 'created']);
      expect(res.body.results[1]).to.deep.include({ index: 1, number: bad.number });
      expect(res.body.results[1].errors).to.deep.equal([{ path: 'amount', message: 'amount must be a non-negative amount in yuan with at most 2 decimals, like "2000.50"' }]);
      expect(orderRow(good1.number).amountFen).to.equal(19900);
      expect(orderRow(good2.number)).to.be.an('object');
      // The bad record's customer was not created either.
      expect(db().select().from(customers).where(eq(customers.accountNumber, 'ERPC-HALF')).get()).to.equal(undefined);

      const rmaRes = await postRmas({ records: [badRma, { ...badRma, number: 'RMA-B2', replacementSku: 'SKU-2', deliveredAt: '2026-11-20T10:00:00+08:00', qcPassed: null }] });
      expect((rmaRes.body.results as Json[]).map((r) => r.result)).to.deep.equal(['rejected', 'created']);
      expect(rmaRes.body.results[0].errors).to.deep.equal([{ path: 'replacementSku', message: 'replacementSku is required for an exchange' }]);
      const rma = db().select().from(rmas).where(eq(rmas.number, 'RMA-B2')).get()!;
      expect(rma).to.include({ status: 'requested', kind: 'exchange', paidFen: 19900, replacementSku: 'SKU-2', qcPassed: null });
    });
  });

  describe('idempotency by number and version', () => {
    it('leaves a repeat unchanged, applies a newer version with the previous values in history, and ignores an older one', async () => {
      const o = order({ version: 3 });
      expect((await postOrders(o)).body.result).to.equal('created');
      const repeat = await postOrders(o);
      expect(repeat.status).to.equal(200);
      expect(repeat.body.result).to.equal('unchanged');

      const newer = await postOrders({ ...o, version: 4, address: '北京市朝阳区建国路 8 号', amount: '250.00', paid: '250.00' });
      expect(newer.body.result).to.equal('updated');
      const row = orderRow(o.number);
      expect(row).to.include({ version: 4, address: '北京市朝阳区建国路 8 号', amountFen: 25000 });
      const updated = historyOf(row.id).find((h) => h.action === 'updated')!;
      expect(JSON.parse(updated.data!).previous).to.include({ version: 3, address: o.address, amountFen: 19900 });

      const older = await postOrders({ ...o, version: 2, address: '旧地址' });
      expect(older.body.result).to.equal('unchanged');
      expect(orderRow(o.number).address).to.equal('北京市朝阳区建国路 8 号');
      expect(historyOf(row.id).map((h) => h.action)).to.deep.equal(['received', 'auto_approved', 'updated']);
    });

    it('finds a known customer by account number and adds a new phone of theirs', async () => {
      const o = order({ customer: { accountNumber: 'YT00000001', name: '王芳', phone: '+8613611119999' } });
      await postOrders(o);
      const wang = db().select().from(customers).where(eq(customers.accountNumber, 'YT00000001')).get()!;
      expect(orderRow(o.number).customerId).to.equal(wang.id);
      expect(db().select().from(customerPhones).where(eq(customerPhones.customerId, wang.id)).all().map((p) => p.phone)).to.include.members(['+8613800138000', '+8613611119999']);
    });

    it('applies a newer RMA version without moving its status', async () => {
      const o = order();
      await postOrders(o);
      const rma = { number: 'RMA-V1', version: 1, orderNumber: o.number, kind: 'return', itemSku: 'SKU-1', paid: '199.00', reason: '不合适', createdAt: PLACED };
      expect((await postRmas(rma)).status).to.equal(201);
      expect((await postRmas(rma)).body.result).to.equal('unchanged');
      const newer = await postRmas({ ...rma, version: 2, qcPassed: true, qcNote: '完好' });
      expect(newer.body).to.include({ result: 'updated', status: 'requested' });
      expect(db().select().from(rmas).where(eq(rmas.number, 'RMA-V1')).get()).to.include({ qcPassed: true, qcNote: '完好', version: 2 });
    });
  });

  describe('special-order rules', () => {
    it('approves a clean order by itself', async () => {
      const res = await postOrders(order());
      expect(res.body).to.include({ result: 'created', status: 'confirmed', review: 'auto_approved' });
      const row = orderRow(res.body.number);
      expect(row.holdReasons).to.equal(null);
      expect(historyOf(row.id).map((h) => h.action)).to.deep.equal(['received', 'auto_approved']);
    });

    it('holds an order over 2,000 yuan with a prepaid checklist showing paid vs amount', async () => {
      const res = await postOrders(order({ amount: '2000.50', paid: '2000.00', items: [{ sku: 'TV', name: '电视', quantity: 1, price: '2000.50' }] }));
      expect(res.body).to.include({ status: 'pending_review', review: 'held' });
      const row = orderRow(res.body.number);
      expect(JSON.parse(row.holdReasons!)).to.deep.equal([{ rule: 'amount', detail: 'amount ¥2,000.50 is over ¥2,000.00' }]);
      expect(JSON.parse(row.checklist!)).to.deep.equal([
        { item: 'payment matches amount: MISMATCH, paid ¥2,000.00 vs amount ¥2,000.50', done: false },
        { item: 'large amount ¥2,000.50 confirmed with the customer', done: false },
      ]);
      expect(row.heldAt?.toISOString()).to.equal(f.clock.now().toISOString());
      const held = historyOf(row.id).find((h) => h.action === 'held')!;
      expect(JSON.parse(held.data!).reasons[0].rule).to.equal('amount');
    });

    it('does not hold exactly 2,000 yuan', async () => {
      expect((await postOrders(order({ amount: 2000, paid: 2000 }))).body.review).to.equal('auto_approved');
    });

    it('holds a cash-on-delivery order asking for an invoice without a tax number, with the cod checklist', async () => {
      const res = await postOrders(order({ payment: 'cod', paid: null, invoice: { title: '上海某某有限公司' } }));
      expect(res.body.review).to.equal('held');
      const row = orderRow(res.body.number);
      expect(row.invoiceRequested).to.equal(true);
      expect(JSON.parse(row.holdReasons!)).to.deep.equal([{ rule: 'missing_info', detail: 'missing: invoice tax number' }]);
      expect(JSON.parse(row.checklist!).map((c: Json) => c.item)).to.deep.equal(['customer confirmed by phone before shipping (cash on delivery, ¥199.00)', 'invoice tax number obtained']);
    });

    it('holds a likely duplicate within 10 minutes (same items, or same amount) and not one outside the window', async () => {
      const first = order({ placedAt: '2026-11-23T10:00:00+08:00' });
      await postOrders(first);
      const c = first.customer;
      const sameItems = order({ customer: c, placedAt: '2026-11-23T10:09:00+08:00', amount: '189.00', paid: '189.00' });
      const r1 = await postOrders(sameItems);
      expect(r1.body.review).to.equal('held');
      expect(JSON.parse(orderRow(sameItems.number).holdReasons!)).to.deep.equal([{ rule: 'duplicate', detail: `same items as ${first.number} (9 min apart)` }]);

      const otherCustomer = order({ customer: { accountNumber: 'ERPC-OTHER-1', name: '别人', phone: '+8613655550001' } });
      const late = order({ customer: otherCustomer.customer, placedAt: '2026-11-23T10:11:00+08:00' });
      await postOrders(otherCustomer);
      expect((await postOrders(late)).body.review, 'outside the 10-minute window').to.equal('auto_approved');

      const sameAmount = order({ customer: c, placedAt: '2026-11-23T09:55:00+08:00', items: [{ sku: 'OTHER', name: '别的', quantity: 2, price: '99.50' }] });
      const r2 = await postOrders(sameAmount);
      expect(JSON.parse(orderRow(sameAmount.number).holdReasons!)[0].detail).to.include(`same amount as ${first.number}`);
      expect(r2.body.review).to.equal('held');
    });

    it('re-runs the rules on a newer version of a held order, and never re-holds an approved one', async () => {
      const o = order({ address: null });
      const res = await postOrders(o);
      expect(res.body.review).to.equal('held');
      const fixed = await postOrders({ ...o, version: 2, address: '杭州市西湖区 1 号' });
      expect(fixed.body).to.include({ result: 'updated', status: 'confirmed', review: 'auto_approved' });
      const row = orderRow(o.number);
      expect(historyOf(row.id).map((h) => h.action)).to.deep.equal(['received', 'held', 'updated', 'auto_approved']);

      // A person approved it; a newer version over the limit updates the data but does not hold it again.
      db().update(orders).set({ review: 'approved' }).where(eq(orders.id, row.id)).run();
      const big = await postOrders({ ...o, version: 3, address: '杭州市西湖区 1 号', amount: '5000.00', paid: '5000.00' });
      expect(big.body).to.include({ result: 'updated', review: 'approved', status: 'confirmed' });
      const last = historyOf(row.id).at(-1)!;
      expect(last.action).to.equal('updated');
      expect(last.note).to.include('not re-reviewed');
      expect(JSON.parse(last.data!).rulesHit[0].rule).to.equal('amount');
    });
  });

  describe('a record that fails half-way', () => {
    it('leaves nothing of itself behind (its new customer and phone roll back) while the rest of the batch commits', () => {
      const memDb = openDatabase(':memory:');
      // The order insert fails after the record's customer and phone were written: the savepoint must undo them.
      class FailingRepo extends IntakeRepo {
        override insertOrder(o: NewOrder): number {
          if (o.number === 'BROKEN') throw new Error('disk full (simulated)');
          return super.insertOrder(o);
        }
      }
      const failures: string[] = [];
      const service = new IntakeService({
        repo: new FailingRepo(memDb),
        transact: transactor(memDb),
        clock: { now: () => new Date('2026-11-23T03:00:00Z') },
        settings: { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 },
        onStoreError: (_err, _kind, number) => failures.push(number),
      });
      const broken = order({ number: 'BROKEN', customer: { accountNumber: 'HALF-1', name: '半', phone: '+8613677778888' } });
      const results = service.orders([order(), broken, order()]);
      expect(results.map((r) => r.result)).to.deep.equal(['created', 'rejected', 'created']);
      expect(results[1].errors).to.deep.equal([{ path: '', message: 'the record could not be stored; it has been logged' }]);
      expect(failures).to.deep.equal(['BROKEN']);
      expect(memDb.select().from(customers).where(eq(customers.accountNumber, 'HALF-1')).get()).to.equal(undefined);
      expect(memDb.select().from(customerPhones).where(eq(customerPhones.phone, '+8613677778888')).get()).to.equal(undefined);
      expect(memDb.select().from(orders).all()).to.have.length(2);
      memDb.$client.close();
    });

    it('forgets the customers a rolled-back attempt created (the import keeps one cache across batches)', () => {
      const memDb = openDatabase(':memory:');
      class FailingRepo extends IntakeRepo {
        override insertOrder(o: NewOrder): number {
          if (o.number === 'BROKEN') throw new Error('disk full (simulated)');
          return super.insertOrder(o);
        }
      }
      const service = new IntakeService({ repo: new FailingRepo(memDb), transact: transactor(memDb), clock: { now: () => new Date('2026-11-23T03:00:00Z') }, settings: { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 } });
      const cache = new IntakeCache();
      // The first attempt creates customer NEW-1, then BROKEN fails: that attempt rolls back and the batch runs again.
      const fresh = order({ customer: { accountNumber: 'NEW-1', name: '新', phone: '+8613611112222' } });
      const results = service.orders([fresh, order({ number: 'BROKEN' })], 0, cache);
      expect(results.map((r) => r.result)).to.deep.equal(['created', 'rejected']);
      const later = service.orders([order({ customer: { accountNumber: 'NEW-1', name: '新', phone: '+8613611112222' } })], 2, cache);
      expect(later[0].result).to.equal('created');
      const customer = memDb.select().from(customers).where(eq(customers.accountNumber, 'NEW-1')).get()!;
      expect(memDb.select().from(orders).where(eq(orders.customerId, customer.id)).all()).to.have.length(2);
      expect(memDb.select().from(customerPhones).where(eq(customerPhones.phone, '+8613611112222')).get()).to.include({ customerId: customer.id });
      memDb.$client.close();
    });
  });
});
