// Issue 7's stories end to end, as the people would live them: the order system posts through its integration key, the
// middle and back office work their lists over HTTP, the dialer (bull on real Redis) calls customers through the carrier
// simulator, finance moves a refund on, and a customer hears the new status in the IVR.
import { expect } from 'chai';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import { customerPhones, customers, orders, reviewHistory, rmas } from '../../src/db/schema/index';
import { AgentDesk } from '../support/agent-desk';
import { startOutboundHotline, startWorker, warmUpOutbound, type OutboundFixture } from '../support/outbound-fixture';
import { redisSuite } from '../support/redis-suite';
import { staffApi, type Json } from '../support/office-records';
import { eventually } from '../support/eventually';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('issue 7 stories end to end: intake, middle and back office, the dialer, finance and the IVR', function () {
  this.timeout(90000);
  let f: OutboundFixture;
  const run = redisSuite('story', () => f?.close());
  let api: ReturnType<typeof staffApi>;
  let key: string;
  /** Every call the carrier placed (the customer's phone rang), as the simulator saw it. */
  let dialed: { to: string; from: string; direction: string }[];

  before(async () => {
    await start();
    await warmUpOutbound(f, '+8613812349999');
    await f.close();
  });

  /** The hotline and the simulator on simulated time, with the order system's and the staff's clients. */
  async function start() {
    f = await startOutboundHotline();
    api = staffApi(f.base);
    dialed = [];
    f.sim.events.on('call-created', (e: { to: string; from: string; direction: string }) => dialed.push(e));
    return f;
  }

  function background() {
    const bg = startWorker(f, { prefix: run.prefix });
    run.cleanups.push(() => bg.stop());
    return bg;
  }

  const signIn = async (username: string) => {
    const d = await AgentDesk.signIn(f, username, { script: [{ wait: 600 }, { hangup: true }] });
    run.desks.push(d);
    return d;
  };

  /** The order system's side: an integration key made by the admin, then its records posted with it. */
  async function integrationKey() {
    const made = await api.as('admin1', 'POST', '/api/integration-keys', { name: 'erp' });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    key = made.body.key as string;
  }
  async function intake(kind: 'orders' | 'rmas', record: Json): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${f.base}/api/intake/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(record) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }
  const bigOrder = (number: string, phone: string, placedAt: Date): Json => ({
    number,
    version: 1,
    customer: { accountNumber: `ERPC-${phone.slice(-6)}`, name: '钱多多', phone, timeZone: 'Asia/Shanghai' },
    payment: 'prepaid',
    amount: '2680.00',
    paid: '2680.00',
    items: [{ sku: 'TV-55', name: '55 寸电视', quantity: 1, price: '2680.00' }],
    address: '上海市徐汇区漕溪北路 88 号',
    phone,
    placedAt: placedAt.toISOString(),
  });

  const orderId = (number: string) => f.hotline.db.select({ id: orders.id }).from(orders).where(eq(orders.number, number)).get()!.id;
  const historyOf = (subject: 'order' | 'rma', id: number) =>
    f.hotline.db.select().from(reviewHistory).where(and(eq(reviewHistory.subject, subject), eq(reviewHistory.subjectId, id))).orderBy(reviewHistory.id).all();
  /** Attempts as the agent sees them on the callback (a ring the agent missed is not a call to the customer). */
  const calls = (cb: Json) => (cb.attempts as Json[]).filter((a) => a.result !== 'agent_missed');

  it('an order over 2,000 yuan is held, a duplicate caught; the middle desk asks, the customer is called (busy, machine, person), the answer recorded, the order approved', async () => {
    const CUSTOMER = '+8613812340001';
    await start();
    background();
    await integrationKey();
    const ids = { agent5: await api.idOf('agent5'), supervisor1: await api.idOf('supervisor1') };

    // The order system posts an order over 2,000 yuan: held for its amount.
    const placed = f.clock.now();
    const receivedAt = f.clock.now();
    const first = await intake('orders', bigOrder('ERP-BIG-1', CUSTOMER, placed));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body).to.include({ result: 'created', status: 'pending_review', review: 'held' });
    // Three minutes later the same customer orders the same items again: a likely duplicate.
    f.shift(3 * MINUTE);
    const second = await intake('orders', bigOrder('ERP-BIG-2', CUSTOMER, new Date(placed.getTime() + 3 * MINUTE)));
    expect(second.status, JSON.stringify(second.body)).to.equal(201);
    expect(second.body).to.include({ review: 'held' });

    // The middle desk's work list: both, oldest first, with their reasons.
    const agent = await signIn('agent5');
    const list = await agent.request('GET', '/api/orders/review');
    expect(list.status, JSON.stringify(list.body)).to.equal(200);
    const items = list.body.items as Json[];
    expect(items.map((o) => o.number)).to.deep.equal(['ERP-BIG-1', 'ERP-BIG-2']);
    expect(items[0].holdReasons.map((r: Json) => r.rule)).to.deep.equal(['amount']);
    expect(items[1].holdReasons).to.deep.include({ rule: 'duplicate', detail: 'same items as ERP-BIG-1 (3 min apart)' });
    expect(items[0]).to.include({ phone: CUSTOMER, claim: null });

    // agent5 claims the first and asks for information: a call to the customer goes on the list with the question.
    const claimedAt = f.clock.now();
    const claimed = await agent.request('POST', '/api/orders/ERP-BIG-1/claim');
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
    expect((claimed.body.claim as Json).agentId).to.equal(ids.agent5);
    // Short retries for this run, set by a supervisor as they would: one minute, doubling.
    const setting = await api.as('supervisor1', 'PATCH', '/api/callback-settings/need_info', { retryMinutes: 1, maxAttempts: 4 });
    expect(setting.status, JSON.stringify(setting.body)).to.equal(200);
    expect(setting.body).to.include({ retryMinutes: 1, maxAttempts: 4 });
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['busy', 'machine', 'human'], talkSeconds: 10 });
    const question = '这台电视是送到公司地址还是家里？需要开发票吗？';
    const asked = await agent.request('POST', '/api/orders/ERP-BIG-1/need-info', { question });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const callbackId = asked.body.callbackId as number;
    const fresh = await agent.request('GET', `/api/callbacks/${callbackId}`);
    expect(fresh.body).to.include({ type: 'need_info', desk: 'middle', status: 'open', question, phone: CUSTOMER, orderNumber: 'ERP-BIG-1', attemptCount: 0 });
    expect(fresh.body.owner).to.include({ id: ids.agent5 });

    // The agent is free with a softphone: the dialer rings them first and dials the customer, three times.
    expect((await agent.setState('available')).status).to.equal(200);
    const seen: string[] = [];
    const done = await eventually(async () => {
      const r = await agent.request('GET', `/api/callbacks/${callbackId}`);
      expect(r.status).to.equal(200);
      const results = calls(r.body).map((a) => a.result as string | null);
      // What the agent's screen showed along the way: each attempt's result as it came in.
      const line = results.join(',');
      if (seen.at(-1) !== line) seen.push(line);
      expect(results).to.deep.equal(['busy', 'machine', 'answered']);
      expect(r.body.status).to.equal('in_progress');
      return r.body;
    }, 45000);
    const attempts = calls(done);
    expect(attempts.map((a) => a.answeredBy)).to.deep.equal([null, 'machine_start', 'human']);
    expect(attempts.map((a) => a.state)).to.deep.equal(['ended', 'ended', 'ended']);
    for (const a of attempts) expect(a.agent).to.include({ id: ids.agent5 });
    // Between calls the agent's screen showed the results so far (each backoff lasts over a real second).
    expect(seen.some((s) => s.startsWith('busy') && !s.includes('machine')), `the agent saw ${JSON.stringify(seen)}`).to.equal(true);
    expect(seen.some((s) => s.startsWith('busy,machine') && !s.includes('answered')), `the agent saw ${JSON.stringify(seen)}`).to.equal(true);
    // Each retry waited for its backoff after the previous call ended (1, then 2 minutes).
    expect(Date.parse(attempts[1].at) - Date.parse(attempts[0].endedAt)).to.be.at.least(MINUTE);
    expect(Date.parse(attempts[2].at) - Date.parse(attempts[1].endedAt)).to.be.at.least(2 * MINUTE);
    expect(dialed.filter((c) => c.to === CUSTOMER).map((c) => [c.from, c.direction])).to.deep.equal(Array(3).fill([f.config.hotlineNumber, 'outbound-api']));
    // Each time the agent's softphone rang first, and their desktop showed the question while it rang.
    const legs = dialed.filter((c) => c.to === CUSTOMER || c.to.startsWith('client:')).map((c) => (c.to === CUSTOMER ? 'customer' : 'agent'));
    legs.forEach((leg, i) => leg === 'customer' && expect(legs[i - 1], `leg ${i} of ${legs.join(',')}`).to.equal('agent'));
    const offered = agent.messages.filter((m) => m.type === 'CallbackOffered').map((m) => m.callback as Json);
    expect(offered.length).to.be.at.least(3);
    for (const o of offered) expect(o).to.include({ id: callbackId, question, type: 'need_info' });

    // The customer answered: the agent records the answer (which closes the callback and claims the order again).
    const answer = '送到公司：上海某某科技有限公司，要开专票，税号 91310000MA1K000000';
    const answered = await agent.request('POST', '/api/orders/ERP-BIG-1/answer', { answer });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    expect(answered.body).to.include({ callbackId, claimed: true });
    const closed = await agent.request('GET', `/api/callbacks/${callbackId}`);
    expect(closed.body).to.include({ status: 'done', outcome: 'reached', answer, attemptCount: 3 });

    // Tick the checklist, then approve.
    const checklist = answered.body.checklist as Json[];
    expect(checklist.length).to.be.at.least(1);
    for (const c of checklist) {
      const ticked = await agent.request('PATCH', '/api/orders/ERP-BIG-1/checklist', { item: c.item, done: true });
      expect(ticked.status, JSON.stringify(ticked.body)).to.equal(200);
    }
    const approved = await agent.request('POST', '/api/orders/ERP-BIG-1/approve', { note: '客户电话确认' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const decidedAt = f.clock.now();

    // The order as anyone reading it sees it: confirmed, approved by agent5, every step with who and when.
    const detail = await agent.request('GET', '/api/orders/ERP-BIG-1');
    expect(detail.body).to.include({ status: 'confirmed', review: 'approved', decidedBy: ids.agent5, claim: null });
    const steps = (detail.body.history as Json[]).filter((h) => h.action !== 'checklist_checked');
    expect(steps.map((h) => [h.action, h.actorId])).to.deep.equal([
      ['received', null],
      ['held', null],
      ['claimed', ids.agent5],
      ['need_info', ids.agent5],
      ['answer_recorded', ids.agent5],
      ['claimed', ids.agent5],
      ['approved', ids.agent5],
    ]);
    expect((detail.body.history as Json[]).filter((h) => h.action === 'checklist_checked').map((h) => h.actorId)).to.deep.equal(checklist.map(() => ids.agent5));
    const times = (detail.body.history as Json[]).map((h) => Date.parse(h.at as string));
    expect([...times].sort((a, b) => a - b), 'history in time order').to.deep.equal(times);
    expect(times[0]).to.be.at.least(receivedAt.getTime()).and.below(claimedAt.getTime());
    expect(Date.parse(steps[2].at)).to.be.at.least(claimedAt.getTime());
    // The answer came after the third call ended; the approval is the last step.
    expect(Date.parse(steps[4].at)).to.be.at.least(Date.parse(attempts[2].endedAt));
    expect(Date.parse(steps[6].at)).to.be.at.most(decidedAt.getTime());
    expect(steps[3].data).to.deep.include({ callbackId, question });
    expect(steps[4]).to.include({ note: answer });
    expect(JSON.parse(historyOf('order', orderId('ERP-BIG-1')).find((h) => h.action === 'held')!.data!).reasons.map((r: Json) => r.rule)).to.deep.equal(['amount']);

    // The duplicate still waits on the list for a decision.
    const rest = await agent.request('GET', '/api/orders/review');
    expect((rest.body.items as Json[]).map((o) => o.number)).to.deep.equal(['ERP-BIG-2']);
  });

  it('a claim abandoned by one middle agent expires under the clock, and another middle agent claims it', async () => {
    await start();
    await integrationKey();
    const ids = { agent1: await api.idOf('agent1'), agent5: await api.idOf('agent5') };
    expect((await intake('orders', bigOrder('ERP-ABANDON-1', '+8613812340002', f.clock.now()))).body).to.include({ review: 'held' });
    const claimedAt = f.clock.now();
    expect((await api.as('agent5', 'POST', '/api/orders/ERP-ABANDON-1/claim')).status).to.equal(200);
    // agent5 walks away. Five minutes on, it is still theirs (the simulated clock runs on too, so leave it a margin).
    f.shift(5 * MINUTE);
    const early = await api.as('agent1', 'POST', '/api/orders/ERP-ABANDON-1/claim');
    expect(early.status).to.equal(409);
    expect(early.body.message).to.include(`claimed by agent ${ids.agent5}`);
    // After the claim time (15 minutes) the list shows it free and agent1 takes it.
    f.shift(10 * MINUTE);
    const list = await api.as('agent1', 'GET', '/api/orders/review?claimed=free');
    expect((list.body.items as Json[]).map((o) => o.number)).to.deep.equal(['ERP-ABANDON-1']);
    const taken = await api.as('agent1', 'POST', '/api/orders/ERP-ABANDON-1/claim');
    expect(taken.status, JSON.stringify(taken.body)).to.equal(200);
    expect((taken.body.claim as Json).agentId).to.equal(ids.agent1);
    expect((await api.as('agent5', 'POST', '/api/orders/ERP-ABANDON-1/approve', { override: true, note: 'late' })).status, 'the lapsed holder cannot decide').to.equal(409);
    const history = historyOf('order', orderId('ERP-ABANDON-1'));
    expect(history.map((h) => [h.action, h.actorId])).to.deep.equal([
      ['received', null],
      ['held', null],
      ['claimed', ids.agent5],
      ['claim_expired', null],
      ['claimed', ids.agent1],
    ]);
    const expired = history[3];
    expect(JSON.parse(expired.data!)).to.include({ agentId: ids.agent5 });
    expect(expired.at.getTime()).to.be.at.least(claimedAt.getTime() + 15 * MINUTE);
  });

  it('an RMA return: the back desk approves a refund of what was paid, finance refunds it, the customer is called twice and hears it in the IVR', async () => {
    await start();
    background();
    await integrationKey();
    const db = f.hotline.db;
    const ids = { agent6: await api.idOf('agent6'), finance1: await api.idOf('finance1') };
    // A customer of the book of business with a recently delivered one-item order and no RMA yet.
    const withRmas = db.select({ customerId: orders.customerId }).from(rmas).innerJoin(orders, eq(orders.id, rmas.orderId));
    const candidates = db
      .select({ order: orders, language: customers.preferredLanguage })
      .from(orders)
      .innerJoin(customers, eq(customers.id, orders.customerId))
      .where(and(eq(orders.status, 'delivered'), eq(customers.preferredLanguage, 'zh'), notInArray(orders.customerId, withRmas)))
      .orderBy(desc(orders.updatedAt))
      .all()
      .filter((c) => (JSON.parse(c.order.items) as unknown[]).length === 1);
    expect(candidates.length, 'a delivered order to return').to.be.at.least(1);
    const order = candidates[0].order;
    const [line] = JSON.parse(order.items) as { sku: string; name: string; quantity: number; priceFen: number }[];
    const paidFen = line.priceFen * line.quantity;
    const phone = db.select({ phone: customerPhones.phone }).from(customerPhones).where(eq(customerPhones.customerId, order.customerId)).orderBy(customerPhones.id).get()!.phone;
    const deliveredAt = order.updatedAt;
    expect(f.clock.now().getTime() - deliveredAt.getTime(), 'inside the 7-day window').to.be.below(7 * DAY);

    // The order system posts the return.
    const rma = await intake('rmas', {
      number: 'RMA7700001',
      version: 1,
      orderNumber: order.number,
      kind: 'return',
      itemSku: line.sku,
      itemName: line.name,
      quantity: line.quantity,
      paid: (paidFen / 100).toFixed(2),
      deliveredAt: deliveredAt.toISOString(),
      qcPassed: true,
      qcNote: '外观完好，配件齐全',
      reason: '不喜欢',
      createdAt: f.clock.now().toISOString(),
    });
    expect(rma.status, JSON.stringify(rma.body)).to.equal(201);
    expect(rma.body).to.include({ result: 'created', status: 'requested' });

    // agent6 (back desk) sees it with the policy check, claims it, and approves the refund: more than paid is refused.
    const list = await api.as('agent6', 'GET', '/api/rmas/review');
    const listed = (list.body.items as Json[]).find((r) => r.number === 'RMA7700001')!;
    expect(listed.policy).to.include({ eligible: true, window: 'inside', qc: 'passed' });
    expect(listed).to.include({ orderNumber: order.number, paidFen });
    expect((await api.as('agent6', 'POST', '/api/rmas/RMA7700001/claim')).status).to.equal(200);
    const over = await api.as('agent6', 'POST', '/api/rmas/RMA7700001/approve-return', { itemSku: line.sku, refund: ((paidFen + 1) / 100).toFixed(2) });
    expect(over.status, JSON.stringify(over.body)).to.equal(422);
    expect(over.body.message).to.include(`more than the ${(paidFen / 100).toFixed(2)} yuan paid`);
    const ok = await api.as('agent6', 'POST', '/api/rmas/RMA7700001/approve-return', { itemSku: line.sku, refund: (paidFen / 100).toFixed(2) });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.include({ status: 'refund_pending', refundFen: paidFen, reviewedBy: ids.agent6 });

    // finance1 sees it on the finance list and marks it refunded.
    const financeList = await api.as('finance1', 'GET', '/api/rmas/department');
    expect((financeList.body.items as Json[]).map((r) => r.number)).to.include('RMA7700001');
    const refunded = await api.as('finance1', 'POST', '/api/rmas/RMA7700001/refunded', { reference: 'FIN-7700001' });
    expect(refunded.status, JSON.stringify(refunded.body)).to.equal(200);
    expect(refunded.body.status).to.equal('refunded');

    // Both status calls are on the back desk's list for the customer.
    const agent = await signIn('agent6');
    const onList = await agent.request('GET', '/api/callbacks?type=rma_status');
    expect(onList.status, JSON.stringify(onList.body)).to.equal(200);
    const mine = (onList.body.items as Json[]).filter((c) => c.rmaNumber === 'RMA7700001');
    expect(mine.map((c) => [c.desk, c.status, c.phone])).to.deep.equal([
      ['back', 'open', phone],
      ['back', 'open', phone],
    ]);
    expect(mine.map((c) => (c.reason as string).split(': ')[1]).sort()).to.deep.equal(['refund_pending', 'refunded']);

    // agent6 is free: the dialer calls the customer for each; they answer and the agent records that they were told.
    f.sim.scriptNumber(phone, { outcomes: ['human', 'human'], talkSeconds: 5 });
    expect((await agent.setState('available')).status).to.equal(200);
    const told: number[] = [];
    await eventually(async () => {
      for (const c of mine) {
        if (told.includes(c.id as number)) continue;
        const r = await agent.request('GET', `/api/callbacks/${c.id}`);
        const [a] = calls(r.body);
        if (a?.state === 'ended' && a.result === 'answered') {
          const out = await agent.request('POST', `/api/callbacks/${c.id}/outcome`, { outcome: 'reached', note: '已告知客户' });
          expect(out.status, JSON.stringify(out.body)).to.equal(200);
          expect(out.body).to.include({ status: 'done', outcome: 'reached' });
          told.push(c.id as number);
        }
      }
      expect(told).to.have.length(2);
    }, 45000);
    for (const c of mine) {
      const r = await agent.request('GET', `/api/callbacks/${c.id}`);
      expect(r.body).to.include({ status: 'done', outcome: 'reached', attemptCount: 1 });
      expect(calls(r.body).map((a) => [a.result, a.answeredBy, a.agent?.id])).to.deep.equal([['answered', 'human', ids.agent6]]);
    }
    expect(dialed.filter((c) => c.to === phone)).to.have.length(2);

    // The RMA's history: who and when.
    const rmaId = db.select({ id: rmas.id }).from(rmas).where(eq(rmas.number, 'RMA7700001')).get()!.id;
    expect(historyOf('rma', rmaId).map((h) => [h.action, h.actorId])).to.deep.equal([
      ['received', null],
      ['claimed', ids.agent6],
      ['rma_checked', ids.agent6],
      ['refund_pending', ids.agent6],
      ['refunded', ids.finance1],
    ]);

    // The customer calls in and presses 2 for returns: the IVR reads the new status with the amount.
    const caller = await f.call(phone, [{ press: '1' }, { press: '2' }, { wait: 3 }, { hangup: true }]);
    const heard = caller.heard().join(' | ');
    const amount = (paidFen / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
    expect(heard).to.include(`您的退货申请 R M A 7 7 0 0 0 0 1，退款${amount}元已办理，将原路退回。`);
  });
});
