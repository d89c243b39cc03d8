import path from 'node:path';
import { expect } from 'chai';
import { count, desc, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { customerPhones, customers, interactions, orders, staff, workOrders } from '../../src/db/schema/index';
import { CustomersRepo } from '../../src/customers/customers.repo';
import { CallsRepo } from '../../src/calls/calls.repo';
import { QueueEntriesRepo } from '../../src/acd/queue-entries.repo';
import { ScreenPopRepo } from '../../src/acd/screen-pop.repo';
import { ScreenPopService, summarizeIvr } from '../../src/acd/screen-pop';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { advance, startCall } from '../../src/ivr/engine';
import type { PathEntry, StepInput } from '../../src/ivr/flow-types';

const NOW = new Date('2026-11-23T03:00:00Z'); // Monday 11:00 in Shanghai: the center is open
const LI_NA = '+8613911112222';
const flow = FlowRegistry.load(path.resolve('ivr-flows')).get('hotline')!;

describe('ScreenPopService (real SQLite)', () => {
  let db: Db;
  let calls: CallsRepo;
  let queue: QueueEntriesRepo;
  let customersRepo: CustomersRepo;
  let pops: ScreenPopService;
  let agentId: number;

  beforeEach(() => {
    db = openDatabase(':memory:');
    seedDemoData(db, { now: NOW });
    seedDemoStaff(db, { now: NOW });
    calls = new CallsRepo(db);
    queue = new QueueEntriesRepo(db);
    customersRepo = new CustomersRepo(db);
    pops = new ScreenPopService({ repo: new ScreenPopRepo(db) });
    agentId = db.select({ id: staff.id }).from(staff).where(eq(staff.username, 'agent1')).get()!.id;
  });

  afterEach(() => db.$client.close());

  /** Runs the real hotline flow for `from` with `inputs` and stores the call the way the IVR service does. */
  function callThroughIvr(callSid: string, from: string, inputs: StepInput[]) {
    const ctx = { now: NOW, timeZone: 'Asia/Shanghai', lookup: customersRepo };
    const caller = customersRepo.callerFacts(from);
    let r = advance(flow, startCall(flow, caller), undefined, ctx);
    const stored: PathEntry[] = [...r.path];
    const effects = [...r.effects];
    for (const input of inputs) {
      r = advance(flow, r.state, input, ctx);
      stored.push(...r.path);
      effects.push(...r.effects);
    }
    calls.insert({
      sid: callSid, direction: 'inbound', from, to: '+864008008888', status: 'in-progress', startedAt: NOW,
      customerId: caller.customerId, flowId: flow.id, language: r.state.language, ivrState: JSON.stringify(r.state), ivrPath: JSON.stringify(stored),
    });
    for (const e of effects) {
      if (e.kind === 'queued') queue.enqueue({ callSid, queue: e.queue, desk: e.desk, priority: e.priority, reason: e.reason, status: 'waiting', enqueuedAt: NOW });
    }
  }

  function addWorkOrder(customerId: number, number: string, status: 'open' | 'forwarded' | 'closed', updatedAt: Date) {
    db.insert(workOrders)
      .values({ number, customerId, agentId, category: 'complaint', complaintType: 'logistics', description: '快递延误', orderNumber: 'YT202611100002', status, department: status === 'forwarded' ? 'logistics' : null, createdAt: NOW, updatedAt })
      .run();
  }

  it('pops 李娜 with her account, orders, open RMA, open work orders, IVR path and queue', () => {
    const liNa = db.select().from(customers).where(eq(customers.accountNumber, 'YT00000002')).get()!;
    addWorkOrder(liNa.id, 'WO-1', 'forwarded', new Date(NOW.getTime() - 3600_000));
    addWorkOrder(liNa.id, 'WO-2', 'closed', NOW);
    addWorkOrder(liNa.id, 'WO-3', 'open', NOW);
    callThroughIvr('CA01', LI_NA, [{ kind: 'gather', digits: '1' }, { kind: 'gather', speech: '我要退货' }]);

    const pop = pops.forCall('CA01');

    expect(pop.callSid).to.equal('CA01');
    expect(pop.callerNumber).to.equal(LI_NA);
    expect(pop.customer).to.deep.equal({
      id: liNa.id, accountNumber: 'YT00000002', name: '李娜', tier: 'returning', preferredLanguage: 'zh', customerSince: liNa.createdAt,
      phones: [{ phone: LI_NA, label: 'mobile' }],
    });
    expect(pop.recentOrders.map((o) => o.number)[0]).to.equal('YT202611100002');
    expect(pop.recentOrders).to.have.length(2);
    expect(pop.recentOrders[0]).to.deep.include({ amountFen: pop.recentOrders[0].amountFen, payment: 'prepaid', status: 'delivered', shippingCarrier: '京东物流', trackingNumber: 'JD0098765432' });
    expect(pop.recentOrders[0].items).to.deep.equal([{ sku: 'BG-MK-0101', name: '迈克高仕 Jet Set 托特包 中号', quantity: 1 }]);
    expect(pop.recentOrders[1]).to.include({ payment: 'cod', status: 'delivered', shippingCarrier: '中通快递' });
    expect(pop.openRmas).to.have.length(1);
    expect(pop.openRmas[0]).to.include({ number: 'RMA20261101', kind: 'return', status: 'under_review', orderNumber: 'YT202611100002', reason: '手袋五金件有划痕，申请退货' });
    expect(pop.openWorkOrders.map((w) => [w.number, w.status])).to.deep.equal([['WO-3', 'open'], ['WO-1', 'forwarded']]);
    expect(pop.openWorkOrders[1]).to.include({ department: 'logistics', category: 'complaint', complaintType: 'logistics', orderNumber: 'YT202611100002' });

    expect(pop.ivr).to.deep.equal({
      flowId: 'hotline',
      language: 'zh',
      nodes: ['welcome', 'language', 'hours', 'recognize', 'greetKnown', 'mainMenu', 'returns', 'returnsQueue'],
      inputs: [
        { node: 'language', input: 'pressed 1', outcome: '1' },
        { node: 'mainMenu', input: 'said "我要退货"', outcome: '我要退货' },
      ],
      typedOrderNumber: null,
      orderNumber: 'YT202611100002',
      rmaNumber: 'RMA20261101',
    });
    expect(pop.queueEntry).to.deep.equal({ queue: 'front-returns', desk: 'front', priority: pop.queueEntry!.priority, reason: 'returns', enqueuedAt: NOW });
  });

  it('lists only the latest five orders, newest first', () => {
    const busiest = db
      .select({ customerId: orders.customerId, n: count() })
      .from(orders)
      .groupBy(orders.customerId)
      .orderBy(desc(count()))
      .limit(1)
      .get()!;
    expect(busiest.n).to.be.greaterThan(5);
    const phone = db.select().from(customerPhones).where(eq(customerPhones.customerId, busiest.customerId)).get()!.phone;
    calls.insert({ sid: 'CA02', direction: 'inbound', from: phone, to: '+864008008888', status: 'in-progress', startedAt: NOW, customerId: busiest.customerId });

    const pop = pops.forCall('CA02');

    const expected = db.select({ number: orders.number }).from(orders).where(eq(orders.customerId, busiest.customerId)).orderBy(desc(orders.placedAt)).limit(5).all();
    expect(pop.recentOrders.map((o) => o.number)).to.deep.equal(expected.map((o) => o.number));
    const placed = pop.recentOrders.map((o) => o.placedAt.getTime());
    expect(placed).to.deep.equal([...placed].sort((a, b) => b - a));
  });

  it('pops an unknown caller with no customer data, but with the order number typed in the IVR', () => {
    callThroughIvr('CA03', '+8613012345678', [{ kind: 'gather', digits: '1' }, { kind: 'gather', digits: '1' }, { kind: 'gather', digits: '202611200001' }, { kind: 'gather', digits: '0' }]);

    const pop = pops.forCall('CA03');

    expect(pop.callerNumber).to.equal('+8613012345678');
    expect(pop.customer).to.equal(null);
    expect(pop.recentOrders).to.deep.equal([]);
    expect(pop.openRmas).to.deep.equal([]);
    expect(pop.openWorkOrders).to.deep.equal([]);
    expect(pop.ivr).to.include({ typedOrderNumber: '202611200001', orderNumber: 'YT202611200001', language: 'zh' });
    expect(pop.ivr!.nodes).to.deep.equal(['welcome', 'language', 'hours', 'recognize', 'mainMenu', 'orderMenu', 'orderNumber', 'typedOrder', 'afterLookup', 'agentQueue']);
    expect(pop.ivr!.inputs.map((i) => i.input)).to.deep.equal(['pressed 1', 'pressed 1', 'pressed 202611200001', 'pressed 0']);
    expect(pop.queueEntry).to.include({ queue: 'front-general', reason: 'agent' });
  });

  it('recognizes by the calling number a call that skipped the IVR, and gives an empty pop for an unknown call', () => {
    calls.insert({ sid: 'CA04', direction: 'inbound', from: LI_NA, to: '+864008008888', status: 'in-progress', startedAt: NOW });
    const pop = pops.forCall('CA04');
    expect(pop.customer?.name).to.equal('李娜');
    expect(pop.openRmas.map((r) => r.number)).to.deep.equal(['RMA20261101']);
    expect(pop.ivr).to.equal(null);
    expect(pop.queueEntry).to.equal(null);

    expect(pops.forCall('CAnothere')).to.deep.equal({
      callSid: 'CAnothere', callerNumber: null, customer: null, recentOrders: [], openRmas: [], openWorkOrders: [], ivr: null, queueEntry: null,
    });
  });

  it("finds the agent's live call for a reconnecting desktop, and nothing once it ended", () => {
    callThroughIvr('CA05', LI_NA, [{ kind: 'gather', digits: '1' }, { kind: 'gather', digits: '0' }]);
    const entry = queue.forCall('CA05')!;
    const { id } = db.insert(interactions).values({ callSid: 'CA05', queueEntryId: entry.id, agentId, status: 'offered', conference: 'interaction-x', offeredAt: NOW }).returning().get();

    const live = pops.forAgent(agentId)!;
    expect(live).to.include({ interactionId: id, callSid: 'CA05', queue: 'front-general', status: 'offered' });
    expect(live.pop.customer?.name).to.equal('李娜');

    db.update(interactions).set({ status: 'ended', endedAt: NOW }).where(eq(interactions.id, id)).run();
    expect(pops.forAgent(agentId)).to.equal(undefined);
  });

  it('summarizes a damaged IVR record without throwing', () => {
    expect(summarizeIvr({ flowId: 'hotline', language: 'en', ivrPath: 'not json', ivrState: '{' })).to.deep.equal({
      flowId: 'hotline', language: 'en', nodes: [], inputs: [], typedOrderNumber: null, orderNumber: null, rmaNumber: null,
    });
    expect(summarizeIvr({ flowId: null, language: null, ivrPath: '[]', ivrState: null })).to.equal(null);
  });
});
