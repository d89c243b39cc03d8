import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import winston from 'winston';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { callbackRequests, calls, customerPhones, customers, interactions, staff, workOrderHistory, workOrders } from '../../src/db/schema/index';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { CallsRepo } from '../../src/calls/calls.repo';
import { CustomersRepo } from '../../src/customers/customers.repo';
import { CallbackRequestsRepo } from '../../src/outbound/callback-requests.repo';
import { InteractionsRepo } from '../../src/acd/interactions.repo';
import { EventBus, type DomainEvent } from '../../src/events/domain-events';
import { WorkOrdersRepo } from '../../src/work-orders/work-orders.repo';
import { WorkOrderService } from '../../src/work-orders/work-order.service';
import { DispositionService, DISPOSITION_CODES } from '../../src/acd/dispositions';
import { workOrderRoutes } from '../../src/http/work-orders.routes';
import { dispositionRoutes } from '../../src/http/dispositions.routes';
import { apiErrorHandler } from '../../src/http/api-errors';
import { TEST_PASSWORD_COST } from '../support/password-cost';

const T0 = new Date('2026-11-20T02:00:00Z'); // 10:00 in Shanghai
const WANG_FANG_ORDER = 'YT202611200001';
const EMILY_ORDER = 'YT202611190004';

type Json = Record<string, any>;

describe('work orders and dispositions API (through HTTP)', () => {
  let db: Db;
  let server: http.Server;
  let base: string;
  let auth: AuthService;
  let now: Date;
  let events: DomainEvent[];
  let tokens: Map<string, string>;

  beforeEach(async () => {
    now = T0;
    const clock = { now: () => now };
    db = openDatabase(':memory:');
    seedDemoStaff(db, { now: T0, passwordCost: TEST_PASSWORD_COST });
    seedDemoData(db, { now: T0 });
    const transact = transactor(db);
    const staffRepo = new StaffRepo(db);
    auth = new AuthService({ staff: staffRepo, transact, options: { passwordCost: TEST_PASSWORD_COST } });
    const bus = new EventBus((err) => {
      throw err;
    });
    events = [];
    bus.subscribe((e) => events.push(e));
    const service = new WorkOrderService({
      workOrders: new WorkOrdersRepo(db),
      calls: new CallsRepo(db),
      orders: new CustomersRepo(db),
      staff: staffRepo,
      transact,
      clock,
      events: bus,
      timeZone: 'Asia/Shanghai',
    });
    const dispositions = new DispositionService({ interactions: new InteractionsRepo(db), transact });
    const app = express();
    app.use('/api', express.json());
    app.use(workOrderRoutes({ service, auth, clock }));
    app.use(dispositionRoutes({ service: dispositions, auth, clock }));
    app.use(apiErrorHandler(winston.createLogger({ silent: true })));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tokens = new Map();
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  const token = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, (await auth.login(username, DEMO_PASSWORD, '127.0.0.1', now)).token);
    return tokens.get(username)!;
  };
  const call = async (method: string, path: string, as?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (as) headers.authorization = `Bearer ${await token(as)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const staffId = (username: string) => db.select().from(staff).where(eq(staff.username, username)).get()!.id;
  const customerId = (account: string) => db.select().from(customers).where(eq(customers.accountNumber, account)).get()!.id;
  const addCall = (sid: string, c: { customerId: number | null; from: string; language: string | null }) =>
    db.insert(calls).values({ sid, direction: 'inbound', from: c.from, to: '+864008001234', status: 'in-progress', customerId: c.customerId, language: c.language, startedAt: T0 }).run();
  const addInteraction = (callSid: string, agent: string, status: 'offered' | 'connected' | 'ended' | 'missed' | 'withdrawn') =>
    db.insert(interactions).values({ callSid, agentId: staffId(agent), status, conference: `c-${callSid}-${agent}`, offeredAt: T0 }).returning().get().id;
  const open = async (as: string, body: Json) => {
    const r = await call('POST', '/api/work-orders', as, body);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  };

  it('runs the whole life: open → forwarded → answered (a front-desk callback) → closed (callback done), all in the history', async () => {
    const wangFang = customerId('YT00000001');
    const created = await open('agent1', { category: 'complaint', complaintType: 'logistics', description: '快递三天未更新物流信息', orderNumber: WANG_FANG_ORDER });
    expect(created).to.include({ number: 'WO202611200001', status: 'open', category: 'complaint', complaintType: 'logistics', orderNumber: WANG_FANG_ORDER, customerId: wangFang, agentId: staffId('agent1'), department: null, callSid: null });
    expect(created.createdAt).to.equal(T0.toISOString());

    now = new Date(T0.getTime() + 60_000);
    const forwarded = await call('PATCH', `/api/work-orders/${created.id}`, 'agent1', { status: 'forwarded', department: 'logistics', note: '请物流部核实' });
    expect(forwarded.status).to.equal(200);
    expect(forwarded.body).to.include({ status: 'forwarded', department: 'logistics', updatedAt: now.toISOString() });

    const list = await call('GET', '/api/work-orders?status=forwarded', 'logistics1');
    expect(list.status).to.equal(200);
    expect(list.body.map((w: Json) => w.number)).to.deep.equal(['WO202611200001']);

    const wrongDept = await call('POST', `/api/work-orders/${created.id}/answer`, 'warehouse1', { answer: '不是我们' });
    expect(wrongDept.status).to.equal(403);
    expect(wrongDept.body.error).to.equal('forbidden');
    expect((await call('GET', `/api/work-orders/${created.id}`, 'warehouse1')).status).to.equal(403);

    now = new Date(T0.getTime() + 3600_000);
    const answered = await call('POST', `/api/work-orders/${created.id}/answer`, 'logistics1', { answer: '包裹在转运中心滞留，明天送达' });
    expect(answered.status).to.equal(200);
    expect(answered.body).to.include({ status: 'answered', departmentAnswer: '包裹在转运中心滞留，明天送达' });
    const callbackList = new CallbackRequestsRepo(db).open();
    expect(callbackList).to.have.length(1);
    expect(callbackList[0]).to.deep.include({
      id: answered.body.callbackRequestId,
      source: 'work_order',
      workOrderId: created.id,
      desk: 'front',
      customerId: wangFang,
      phone: '+8613800138000',
      reason: 'work_order:WO202611200001',
      language: 'zh',
      callSid: null,
      status: 'open',
    });
    expect(callbackList[0].requestedAt.getTime()).to.equal(now.getTime());

    // Another front-desk agent takes the callback: they may read the answer and close the work order.
    const seen = await call('GET', `/api/work-orders/${created.id}`, 'agent2');
    expect(seen.status).to.equal(200);
    expect(seen.body.departmentAnswer).to.equal('包裹在转运中心滞留，明天送达');

    now = new Date(T0.getTime() + 7200_000);
    const closed = await call('POST', `/api/work-orders/${created.id}/close`, 'agent2', { note: '已电话告知客户' });
    expect(closed.status).to.equal(200);
    expect(closed.body.status).to.equal('closed');
    expect(db.select().from(callbackRequests).where(eq(callbackRequests.id, answered.body.callbackRequestId)).get()!.status).to.equal('done');
    expect(new CallbackRequestsRepo(db).open()).to.deep.equal([]);

    const full = await call('GET', `/api/work-orders/${created.id}`, 'lead1');
    expect(full.status).to.equal(200);
    expect(full.body.history.map((h: Json) => [h.action, h.fromStatus, h.toStatus, h.actorId, h.note])).to.deep.equal([
      ['created', null, 'open', staffId('agent1'), null],
      ['forwarded', 'open', 'forwarded', staffId('agent1'), '请物流部核实'],
      ['answered', 'forwarded', 'answered', staffId('logistics1'), '包裹在转运中心滞留，明天送达'],
      ['closed', 'answered', 'closed', staffId('agent2'), '已电话告知客户'],
    ]);
    expect(full.body.history.map((h: Json) => h.at)).to.deep.equal([T0, new Date(T0.getTime() + 60_000), new Date(T0.getTime() + 3600_000), now].map((d) => d.toISOString()));

    expect(events.map((e) => [e.type, 'status' in e ? e.status : e.type === 'CallbackRequested' ? e.callbackId : undefined])).to.deep.equal([
      ['WorkOrderUpdated', 'open'],
      ['WorkOrderUpdated', 'forwarded'],
      ['WorkOrderUpdated', 'answered'],
      ['CallbackRequested', answered.body.callbackRequestId],
      ['WorkOrderUpdated', 'closed'],
    ]);
    expect(events[3]).to.deep.include({ desk: 'front', source: 'work_order' });
    expect(events[4]).to.deep.include({ workOrderId: created.id, number: 'WO202611200001', agentId: staffId('agent1') });

    const again = await call('POST', `/api/work-orders/${created.id}/close`, 'agent1');
    expect(again.status).to.equal(409);
    expect(again.body.message).to.include('it is final');
  });

  it('takes the customer and language from the call, forwards on opening, and numbers the day in sequence', async () => {
    const emily = customerId('YT00000004');
    addCall('CA-emily', { customerId: emily, from: '+8618612345678', language: 'en' });
    await open('agent1', { category: 'inquiry', description: 'first of the day', status: 'resolved' });
    const w = await open('agent3', { callSid: 'CA-emily', category: 'return_exchange', description: 'wants to exchange the size', orderNumber: EMILY_ORDER, status: 'forwarded', department: 'merchandise', note: 'size chart' });
    expect(w).to.include({ number: 'WO202611200002', status: 'forwarded', department: 'merchandise', customerId: emily, callSid: 'CA-emily' });
    const got = await call('GET', `/api/work-orders/${w.id}`, 'agent3');
    expect(got.body.history.map((h: Json) => [h.action, h.fromStatus, h.toStatus, h.note])).to.deep.equal([
      ['created', null, 'open', null],
      ['forwarded', 'open', 'forwarded', 'size chart'],
    ]);

    const answered = await call('POST', `/api/work-orders/${w.id}/answer`, 'supervisor1', { answer: 'M size in stock' });
    expect(answered.status).to.equal(200);
    const cb = db.select().from(callbackRequests).where(eq(callbackRequests.id, answered.body.callbackRequestId)).get()!;
    expect(cb).to.deep.include({ customerId: emily, phone: '+8618612345678', language: 'en', reason: 'work_order:WO202611200002', callSid: null });

    // The next calendar day in Shanghai starts the sequence again.
    now = new Date('2026-11-20T16:30:00Z');
    tokens.clear(); // the morning's tokens have expired
    expect((await open('agent1', { category: 'other', description: 'next day' })).number).to.equal('WO202611210001');
  });

  it('calls back the customer on the primary (mobile) phone, in their preferred language when there is no call', async () => {
    const c = db.insert(customers).values({ accountNumber: 'YT09999999', name: 'Tom Li', tier: 'new', preferredLanguage: 'en', createdAt: T0 }).returning().get();
    db.insert(customerPhones).values({ customerId: c.id, phone: '+861088880000', label: 'work' }).run();
    db.insert(customerPhones).values({ customerId: c.id, phone: '+8613312345678', label: 'mobile' }).run();
    const w = await open('agent1', { customerId: c.id, category: 'other', description: 'invoice reissue', status: 'forwarded', department: 'finance' });
    const answered = await call('POST', `/api/work-orders/${w.id}/answer`, 'finance1', { answer: 'reissued' });
    expect(answered.status).to.equal(200);
    expect(db.select().from(callbackRequests).where(eq(callbackRequests.id, answered.body.callbackRequestId)).get()).to.deep.include({ phone: '+8613312345678', language: 'en', customerId: c.id });
  });

  it('changes nothing when an answer cannot put its callback on the list', async () => {
    const w = await open('agent1', { category: 'inquiry', description: 'x', orderNumber: WANG_FANG_ORDER, status: 'forwarded', department: 'warehouse' });
    // The callback insert fails inside the transaction: the answer and its history row must roll back with it.
    class FailingRepo extends WorkOrdersRepo {
      override addCallback(): number {
        throw new Error('disk full');
      }
    }
    const staffRepo = new StaffRepo(db);
    const quiet = new EventBus();
    const published: DomainEvent[] = [];
    quiet.subscribe((e) => published.push(e));
    const failing = new WorkOrderService({ workOrders: new FailingRepo(db), calls: new CallsRepo(db), orders: new CustomersRepo(db), staff: staffRepo, transact: transactor(db), clock: { now: () => now }, events: quiet });
    expect(() => failing.answer({ id: staffId('warehouse1'), role: 'department' }, w.id, { answer: 'in stock' })).to.throw('disk full');
    const stored = db.select().from(workOrders).where(eq(workOrders.id, w.id)).get()!;
    expect(stored).to.include({ status: 'forwarded', departmentAnswer: null });
    expect(db.select().from(workOrderHistory).where(eq(workOrderHistory.workOrderId, w.id)).all().map((h) => h.action)).to.deep.equal(['created', 'forwarded']);
    expect(published).to.deep.equal([]);

    // The customer's phones are gone (a data reset): nothing to call, so the answer is refused and nothing changes.
    db.delete(customerPhones).where(eq(customerPhones.customerId, customerId('YT00000001'))).run();
    const r = await call('POST', `/api/work-orders/${w.id}/answer`, 'warehouse1', { answer: 'in stock' });
    expect(r).to.deep.equal({ status: 409, body: { error: 'conflict', message: 'Work order WO202611200001 has no customer phone to call back' } });
    expect(db.select().from(workOrders).where(eq(workOrders.id, w.id)).get()!.status).to.equal('forwarded');
    expect(db.select().from(callbackRequests).all()).to.deep.equal([]);
  });

  it('resolves on the call and closes without any callback; only legal moves are allowed', async () => {
    const w = await open('agent1', { category: 'inquiry', description: '咨询退货政策', status: 'resolved' });
    expect(w.status).to.equal('resolved');
    const forward = await call('PATCH', `/api/work-orders/${w.id}`, 'agent1', { status: 'forwarded', department: 'warehouse' });
    expect(forward.status).to.equal(409);
    expect(forward.body).to.deep.equal({ error: 'conflict', message: 'Work order WO202611200001: A work order that is resolved cannot become forwarded (it can become: closed)' });
    expect((await call('POST', `/api/work-orders/${w.id}/answer`, 'admin1', { answer: 'x' })).status).to.equal(409);
    expect((await call('POST', `/api/work-orders/${w.id}/close`, 'agent2')).status).to.equal(403);
    const closed = await call('POST', `/api/work-orders/${w.id}/close`, 'agent1');
    expect(closed.status).to.equal(200);
    expect(closed.body.status).to.equal('closed');
    expect(db.select().from(callbackRequests).all()).to.deep.equal([]);
    expect((await call('PATCH', `/api/work-orders/${w.id}`, 'agent1', { note: 'late note' })).status).to.equal(409);

    const o = await open('agent1', { category: 'inquiry', description: 'open one', orderNumber: WANG_FANG_ORDER });
    expect((await call('POST', `/api/work-orders/${o.id}/close`, 'agent1')).status).to.equal(409);
    expect((await call('POST', `/api/work-orders/${o.id}/answer`, 'supervisor1', { answer: 'x' })).status).to.equal(409);
    const rows = db.select().from(workOrderHistory).where(eq(workOrderHistory.workOrderId, o.id)).all();
    expect(rows.map((r) => r.action)).to.deep.equal(['created']);
  });

  it('keeps description edits and notes in the history; only the owner or a team lead may change a work order', async () => {
    const w = await open('agent1', { category: 'complaint', complaintType: 'service_attitude', description: '快递员态度差', orderNumber: WANG_FANG_ORDER });
    expect((await call('PATCH', `/api/work-orders/${w.id}`, 'agent2', { note: 'not mine' })).status).to.equal(403);
    now = new Date(T0.getTime() + 1000);
    const edited = await call('PATCH', `/api/work-orders/${w.id}`, 'agent1', { description: '快递员态度差，拒绝送货上门' });
    expect(edited.status).to.equal(200);
    expect(edited.body.description).to.equal('快递员态度差，拒绝送货上门');
    const noted = await call('PATCH', `/api/work-orders/${w.id}`, 'lead1', { note: '已联系快递公司调查' });
    expect(noted.status).to.equal(200);
    const got = await call('GET', `/api/work-orders/${w.id}`, 'agent1');
    expect(got.body.history.map((h: Json) => [h.action, h.fromStatus, h.toStatus, h.actorId, h.note])).to.deep.equal([
      ['created', null, 'open', staffId('agent1'), null],
      ['edited', 'open', 'open', staffId('agent1'), 'previous description: 快递员态度差'],
      ['noted', 'open', 'open', staffId('lead1'), '已联系快递公司调查'],
    ]);
    expect(db.select().from(workOrders).where(eq(workOrders.id, w.id)).get()!.updatedAt.getTime()).to.equal(now.getTime());
  });

  it('lists work orders by who is asking, with status, customer and mine filters', async () => {
    const wangFang = customerId('YT00000001');
    const a = await open('agent1', { category: 'inquiry', description: 'a', orderNumber: WANG_FANG_ORDER, status: 'forwarded', department: 'warehouse' });
    const b = await open('agent2', { category: 'inquiry', description: 'b', orderNumber: EMILY_ORDER, status: 'forwarded', department: 'finance' });
    const c = await open('lead1', { category: 'other', description: 'c', status: 'resolved' });
    const numbers = async (as: string, query = '') => {
      const r = await call('GET', `/api/work-orders${query}`, as);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.map((w: Json) => w.id);
    };
    expect(await numbers('agent1')).to.deep.equal([a.id]);
    expect(await numbers('agent1', '?mine=0')).to.deep.equal([a.id]);
    expect(await numbers('agent2')).to.deep.equal([b.id]);
    expect(await numbers('lead1')).to.deep.equal([c.id, b.id, a.id]);
    expect(await numbers('lead1', '?mine=1')).to.deep.equal([c.id]);
    expect(await numbers('dispatcher1', '?status=forwarded')).to.deep.equal([b.id, a.id]);
    expect(await numbers('supervisor1', `?customerId=${wangFang}`)).to.deep.equal([a.id]);
    expect(await numbers('warehouse1')).to.deep.equal([a.id]);
    expect(await numbers('finance1')).to.deep.equal([b.id]);
    expect(await numbers('merchandise1')).to.deep.equal([]);
    expect((await call('GET', `/api/work-orders/${a.id}`, 'agent2')).status).to.equal(403);
    expect((await call('GET', `/api/work-orders/${c.id}`, 'warehouse1')).status).to.equal(403);
    const bad = await call('GET', '/api/work-orders?status=lost', 'lead1');
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.equal('status: status must be one of: open, resolved, forwarded, answered, closed');
  });

  it('answers bad input with 400 and a message, an unknown work order with 404', async () => {
    const bad = async (body: unknown, message: string) => {
      const r = await call('POST', '/api/work-orders', 'agent1', body);
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      expect(r.body.error).to.equal('invalid');
      expect(r.body.message).to.equal(message);
    };
    await bad({ category: 'complaint', description: 'x' }, 'complaintType is required for a complaint (one of: product_quality, service_attitude, logistics, other)');
    await bad({ category: 'inquiry', complaintType: 'logistics', description: 'x' }, 'complaintType is only for complaints, not for inquiry');
    await bad({ category: 'inquiry', description: 'x', status: 'forwarded', orderNumber: WANG_FANG_ORDER }, 'department is required to forward a work order');
    await bad({ category: 'inquiry', description: 'x', department: 'finance' }, 'department is given only when forwarding (status forwarded)');
    await bad({ category: 'inquiry', description: 'x', orderNumber: 'YT000' }, 'orderNumber: no order YT000');
    await bad({ category: 'inquiry', description: 'x', callSid: 'CA-none' }, 'callSid: no call CA-none');
    await bad({ category: 'inquiry', description: 'x', status: 'forwarded', department: 'finance' }, 'A forwarded work order needs a customer to call back: link the call, the order or the customer');
    await bad({ category: 'inquiry', description: '   ' }, 'description: description is required');
    await bad({ category: 'question', description: 'x' }, 'category: category is required, one of: inquiry, complaint, return_exchange, other');
    await bad({ description: 'x' }, 'category: category is required, one of: inquiry, complaint, return_exchange, other');
    await bad({ category: 'other', description: 'x', status: 'closed' }, 'status: status must be one of: open, resolved, forwarded');
    expect(db.select().from(workOrders).all()).to.deep.equal([]);
    expect(db.select().from(workOrderHistory).all()).to.deep.equal([]);

    const w = await open('agent1', { category: 'inquiry', description: 'x', orderNumber: WANG_FANG_ORDER });
    const nothing = await call('PATCH', `/api/work-orders/${w.id}`, 'agent1', {});
    expect(nothing.status).to.equal(400);
    expect(nothing.body.message).to.equal('Nothing to change: give a description, a status (resolved or forwarded) or a note');
    const noDept = await call('PATCH', `/api/work-orders/${w.id}`, 'agent1', { status: 'forwarded' });
    expect(noDept.status).to.equal(400);
    expect(noDept.body.message).to.equal('department is required to forward a work order');
    const noAnswer = await call('POST', `/api/work-orders/${w.id}/answer`, 'supervisor1', {});
    expect(noAnswer.status).to.equal(400);
    expect(noAnswer.body.message).to.equal('answer: answer is required');
    const badId = await call('GET', '/api/work-orders/abc', 'agent1');
    expect(badId.status).to.equal(400);
    expect(badId.body.message).to.equal('id: id must be a number');
    const missing = await call('GET', '/api/work-orders/999', 'lead1');
    expect(missing).to.deep.equal({ status: 404, body: { error: 'not_found', message: 'No work order 999' } });
  });

  it('guards every route: 401 without a token, 403 for a wrong role', async () => {
    const w = await open('agent1', { category: 'inquiry', description: 'x', orderNumber: WANG_FANG_ORDER, status: 'forwarded', department: 'warehouse' });
    const routes: [string, string, unknown, string[]][] = [
      ['POST', '/api/work-orders', { category: 'other', description: 'x' }, ['supervisor1', 'dispatcher1', 'qc1', 'admin1', 'warehouse1']],
      ['GET', '/api/work-orders', undefined, ['qc1']],
      ['GET', `/api/work-orders/${w.id}`, undefined, ['qc1']],
      ['PATCH', `/api/work-orders/${w.id}`, { note: 'x' }, ['supervisor1', 'dispatcher1', 'qc1', 'admin1', 'warehouse1']],
      ['POST', `/api/work-orders/${w.id}/answer`, { answer: 'x' }, ['agent1', 'lead1', 'dispatcher1', 'qc1']],
      ['POST', `/api/work-orders/${w.id}/close`, { note: 'x' }, ['dispatcher1', 'qc1', 'admin1', 'warehouse1']],
      ['POST', '/api/interactions/1/disposition', { code: 'resolved' }, ['lead1', 'supervisor1', 'dispatcher1', 'qc1', 'admin1', 'warehouse1']],
      ['GET', '/api/dispositions', undefined, []],
    ];
    for (const [method, path, body, wrongRoles] of routes) {
      const anonymous = await call(method, path, undefined, body);
      expect(anonymous.status, `${method} ${path} without a token`).to.equal(401);
      expect(anonymous.body.error).to.equal('unauthorized');
      for (const as of wrongRoles) {
        const r = await call(method, path, as, body);
        expect(r.status, `${method} ${path} as ${as}`).to.equal(403);
        expect(r.body.error).to.equal('forbidden');
      }
    }
    expect(db.select().from(workOrders).all()).to.have.length(1);
    expect(db.select().from(workOrderHistory).all()).to.have.length(2);
  });

  describe('dispositions', () => {
    beforeEach(() => {
      addCall('CA-1', { customerId: null, from: '+8613900000000', language: 'zh' });
      addCall('CA-2', { customerId: null, from: '+8613900000001', language: 'zh' });
    });
    const disposition = (id: number) => db.select().from(interactions).where(eq(interactions.id, id)).get()!.disposition;

    it('lists the wrap-up codes to any signed-in staff member', async () => {
      const r = await call('GET', '/api/dispositions', 'qc1');
      expect(r.status).to.equal(200);
      expect((r.body as unknown as Json[]).map((d) => d.code)).to.deep.equal([
        'resolved',
        'work_order_opened',
        'forwarded_to_department',
        'callback_promised',
        'information_given',
        'wrong_number',
        'caller_hung_up',
        'other',
      ]);
      expect(DISPOSITION_CODES).to.have.length(8);
      expect((r.body as unknown as Json[])[0]).to.deep.equal({ code: 'resolved', label: '已解决', description: 'The question was settled on the call' });
    });

    it('lets the agent who had the call set it while connected or after it ended, and correct it', async () => {
      const connected = addInteraction('CA-1', 'agent1', 'connected');
      const r = await call('POST', `/api/interactions/${connected}/disposition`, 'agent1', { code: 'work_order_opened' });
      expect(r).to.deep.equal({ status: 200, body: { interactionId: connected, callSid: 'CA-1', agentId: staffId('agent1'), status: 'connected', disposition: 'work_order_opened' } });
      expect(disposition(connected)).to.equal('work_order_opened');

      const ended = addInteraction('CA-2', 'agent2', 'ended');
      expect((await call('POST', `/api/interactions/${ended}/disposition`, 'agent2', { code: 'wrong_number' })).status).to.equal(200);
      expect((await call('POST', `/api/interactions/${ended}/disposition`, 'agent2', { code: 'information_given' })).status).to.equal(200);
      expect(disposition(ended)).to.equal('information_given');
    });

    it("refuses another agent's call (403), a call not taken (409), an unknown code (400) and interaction (404)", async () => {
      const mine = addInteraction('CA-1', 'agent1', 'ended');
      const other = await call('POST', `/api/interactions/${mine}/disposition`, 'agent2', { code: 'resolved' });
      expect(other).to.deep.equal({ status: 403, body: { error: 'forbidden', message: 'Only the agent who had this call sets its disposition' } });
      expect(disposition(mine)).to.equal(null);

      for (const status of ['offered', 'missed', 'withdrawn'] as const) {
        db.delete(interactions).where(eq(interactions.callSid, 'CA-2')).run();
        const id = addInteraction('CA-2', 'agent2', status);
        const r = await call('POST', `/api/interactions/${id}/disposition`, 'agent2', { code: 'resolved' });
        expect(r.status, status).to.equal(409);
        expect(r.body.message).to.equal(`Interaction ${id} is ${status}; a disposition is set only on a connected or ended call`);
        expect(disposition(id)).to.equal(null);
      }

      const unknown = await call('POST', `/api/interactions/${mine}/disposition`, 'agent1', { code: 'sold_something' });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.message).to.match(/^code: code is required, one of: resolved, work_order_opened/);
      expect((await call('POST', `/api/interactions/${mine}/disposition`, 'agent1', {})).status).to.equal(400);
      expect((await call('POST', '/api/interactions/9999/disposition', 'agent1', { code: 'other' })).status).to.equal(404);
      expect(disposition(mine)).to.equal(null);
    });
  });
});
