// The middle office's work list through the server: held orders, claims (concurrent, extended, expired), the checklist,
// and the decisions (approve, cancel, need information then the answer), each a history row with who and when.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { callbackRequests, reviewHistory } from '../../src/db/schema/index';
import { OPEN_HOURS, startHotline, type Fixture } from '../support/hotline-fixture';
import { ACCOUNTS, insertApprovedOrder, insertHeldOrder, staffApi, type Json } from '../support/office-records';

const T0 = new Date(OPEN_HOURS);
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('middle office: the held-order work list (through HTTP)', function () {
  this.timeout(20000);
  let f: Fixture;
  let api: ReturnType<typeof staffApi>;
  let ids: Record<string, number>;

  beforeEach(async () => {
    f = await startHotline();
    api = staffApi(f.base);
    ids = {};
    // agent1 and agent5 sit on the middle desk; agent2 only on the front desk.
    for (const u of ['agent1', 'agent2', 'agent5', 'lead1']) ids[u] = await api.idOf(u);
  });
  afterEach(async () => f.close());

  const db = () => f.hotline.db;
  const history = (orderId: number) =>
    db().select().from(reviewHistory).where(and(eq(reviewHistory.subject, 'order'), eq(reviewHistory.subjectId, orderId))).orderBy(reviewHistory.id).all();
  const actions = (orderId: number) => history(orderId).map((h) => h.action);

  it('lists held orders oldest first with reasons, checklist, customer and claim; filters by reason and claim; pages', async () => {
    insertHeldOrder(db(), { number: 'H-2', heldAt: min(-20), reasons: [{ rule: 'duplicate', detail: 'same items as H-1 within 10 minutes' }] });
    insertHeldOrder(db(), { number: 'H-1', heldAt: min(-30), payment: 'cod', checklist: ['customer confirmed by phone'] });
    insertHeldOrder(db(), { number: 'H-3', heldAt: min(-10), account: ACCOUNTS.new, phone: null, reasons: [{ rule: 'missing_info', detail: 'address' }] });
    insertApprovedOrder(db(), 'A-1', min(-40));

    const list = await api.as('agent5', 'GET', '/api/orders/review');
    expect(list.status, JSON.stringify(list.body)).to.equal(200);
    expect(list.body.items.map((o: Json) => o.number)).to.deep.equal(['H-1', 'H-2', 'H-3']);
    expect(list.body).to.include({ total: 3, limit: 50, offset: 0 });
    const [h1, h2, h3] = list.body.items as Json[];
    expect(h1).to.deep.include({ status: 'pending_review', review: 'held', payment: 'cod', claim: null, openQuestion: null, heldAt: min(-30).toISOString() });
    expect(h1.holdReasons).to.deep.equal([{ rule: 'amount', detail: 'amount 3500 yuan is over 2000 yuan' }]);
    expect(h1.checklist).to.deep.equal([{ item: 'customer confirmed by phone', done: false }]);
    expect(h1.customer).to.include({ name: '王芳', tier: 'vip', phone: '+8613800138000' });
    expect(h1.phone, 'the middle desk sees the full number to call').to.equal('+8613800138000');
    expect(h2.holdReasons[0].rule).to.equal('duplicate');
    expect(h3.customer).to.include({ name: '赵强', tier: 'new' });
    expect(h3.phone, "no order phone: the customer's").to.equal('+8615900002222');

    const lead = await api.as('lead1', 'GET', '/api/orders/review');
    expect(lead.status).to.equal(200);
    expect(lead.body.items[0].phone, 'a reader sees it masked').to.equal('+86138****8000');
    expect(lead.body.items[0].customer.phone).to.equal('+86138****8000');

    const front = await api.as('agent2', 'GET', '/api/orders/review');
    expect(front.status).to.equal(403);
    expect(front.body.error).to.equal('forbidden');

    const dup = await api.as('agent5', 'GET', '/api/orders/review?reason=duplicate');
    expect(dup.body.items.map((o: Json) => o.number)).to.deep.equal(['H-2']);
    const page2 = await api.as('agent5', 'GET', '/api/orders/review?limit=1&offset=1');
    expect(page2.body.items.map((o: Json) => o.number)).to.deep.equal(['H-2']);
    expect(page2.body).to.include({ total: 3, limit: 1, offset: 1 });
    expect((await api.as('agent5', 'GET', '/api/orders/review?reason=price')).status).to.equal(400);

    expect((await api.as('agent5', 'POST', '/api/orders/H-2/claim')).status).to.equal(200);
    const mine = await api.as('agent5', 'GET', '/api/orders/review?claimed=mine');
    expect(mine.body.items.map((o: Json) => o.number)).to.deep.equal(['H-2']);
    expect(mine.body.items[0].claim).to.deep.equal({ agentId: ids.agent5, until: min(15).toISOString() });
    const free = await api.as('agent1', 'GET', '/api/orders/review?claimed=free');
    expect(free.body.items.map((o: Json) => o.number)).to.deep.equal(['H-1', 'H-3']);
  });

  it('two agents claiming at once: exactly one wins, the other gets 409; the claimer may extend', async () => {
    const id = insertHeldOrder(db(), { number: 'C-1', heldAt: min(-5) });
    const [a, b] = await Promise.all([api.as('agent1', 'POST', '/api/orders/C-1/claim'), api.as('agent5', 'POST', '/api/orders/C-1/claim')]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const [winner, loser] = a.status === 200 ? ['agent1', 'agent5'] : ['agent5', 'agent1'];
    const lost = a.status === 200 ? b : a;
    expect(lost.body.error).to.equal('conflict');
    expect(lost.body.message).to.include(`claimed by agent ${ids[winner]}`);
    expect(history(id).filter((h) => h.action === 'claimed').map((h) => h.actorId)).to.deep.equal([ids[winner]]);

    f.clock.set(min(10).toISOString());
    const extended = await api.as(winner, 'POST', '/api/orders/C-1/claim');
    expect(extended.status).to.equal(200);
    expect(extended.body.claim).to.deep.equal({ agentId: ids[winner], until: min(25).toISOString() });
    expect((await api.as(loser, 'POST', '/api/orders/C-1/claim')).status).to.equal(409);
    expect((await api.as(loser, 'POST', '/api/orders/C-1/release')).status, 'only the holder releases').to.equal(409);
    const released = await api.as(winner, 'POST', '/api/orders/C-1/release');
    expect(released.body.claim).to.equal(null);
    expect((await api.as(loser, 'POST', '/api/orders/C-1/claim')).status).to.equal(200);
    expect(actions(id)).to.deep.equal(['claimed', 'claimed', 'released', 'claimed']);
    expect(JSON.parse(history(id)[1].data!)).to.include({ extended: true });
  });

  it('an abandoned claim expires under the clock: the list shows it free, another agent claims it, claim_expired is written once', async () => {
    const id = insertHeldOrder(db(), { number: 'E-1', heldAt: min(-5) });
    const other = insertHeldOrder(db(), { number: 'E-2', heldAt: min(-4) });
    expect((await api.as('agent5', 'POST', '/api/orders/E-1/claim')).status).to.equal(200);
    expect((await api.as('agent5', 'POST', '/api/orders/E-2/claim')).status).to.equal(200);

    f.clock.set(min(14).toISOString());
    expect((await api.as('agent1', 'POST', '/api/orders/E-1/claim')).status, 'still held at 14 minutes').to.equal(409);

    f.clock.set(min(15).toISOString());
    // E-1: taken over at once by another agent, before any sweep ran.
    const taken = await api.as('agent1', 'POST', '/api/orders/E-1/claim');
    expect(taken.status, JSON.stringify(taken.body)).to.equal(200);
    expect(taken.body.claim.agentId).to.equal(ids.agent1);
    expect((await api.as('agent5', 'POST', '/api/orders/E-1/approve', {})).status, 'the lapsed holder cannot decide').to.equal(409);

    // E-2: the list read sweeps it and shows it free.
    const list = await api.as('lead1', 'GET', '/api/orders/review');
    expect(list.body.items.find((o: Json) => o.number === 'E-2').claim).to.equal(null);
    await api.as('lead1', 'GET', '/api/orders/review');
    expect(f.hotline.office.sweep(), 'nothing left to sweep').to.equal(0);

    for (const orderId of [id, other]) {
      const expired = history(orderId).filter((h) => h.action === 'claim_expired');
      expect(expired, `order ${orderId}`).to.have.length(1);
      expect(expired[0].actorId).to.equal(null);
      expect(expired[0].at.toISOString()).to.equal(min(15).toISOString());
      expect(JSON.parse(expired[0].data!)).to.include({ agentId: ids.agent5 });
    }
    expect(actions(id)).to.deep.equal(['claimed', 'claim_expired', 'claimed']);
  });

  it('approve: refused until the checklist is done (or override with a note); history keeps who and when', async () => {
    const id = insertHeldOrder(db(), { number: 'P-1', heldAt: min(-5), checklist: ['payment matches the amount', 'address checked'] });
    expect((await api.as('agent5', 'POST', '/api/orders/P-1/approve', {})).status, 'not claimed').to.equal(409);
    await api.as('agent5', 'POST', '/api/orders/P-1/claim');
    const early = await api.as('agent5', 'POST', '/api/orders/P-1/approve', {});
    expect(early.status).to.equal(409);
    expect(early.body.message).to.include('payment matches the amount, address checked');
    expect((await api.as('agent5', 'PATCH', '/api/orders/P-1/checklist', { item: 'no such item', done: true })).status).to.equal(400);
    expect((await api.as('agent1', 'PATCH', '/api/orders/P-1/checklist', { item: 'address checked', done: true })).status, 'not the holder').to.equal(409);

    f.clock.set(min(1).toISOString());
    const ticked = await api.as('agent5', 'PATCH', '/api/orders/P-1/checklist', { item: 'payment matches the amount', done: true });
    expect(ticked.status).to.equal(200);
    expect(ticked.body.checklist[0]).to.deep.equal({ item: 'payment matches the amount', done: true, by: ids.agent5, at: min(1).toISOString() });
    await api.as('agent5', 'PATCH', '/api/orders/P-1/checklist', { item: 'address checked', done: true });

    f.clock.set(min(2).toISOString());
    const approved = await api.as('agent5', 'POST', '/api/orders/P-1/approve', { note: 'all good' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body).to.include({ status: 'confirmed', review: 'approved', decidedBy: ids.agent5, decidedAt: min(2).toISOString(), claim: null });
    expect((await api.as('agent5', 'POST', '/api/orders/P-1/claim')).status, 'decided: off the list').to.equal(409);
    expect((await api.as('agent5', 'GET', '/api/orders/review')).body.total).to.equal(0);

    const h = history(id);
    expect(h.map((r) => [r.action, r.actorId])).to.deep.equal([
      ['claimed', ids.agent5],
      ['checklist_checked', ids.agent5],
      ['checklist_checked', ids.agent5],
      ['approved', ids.agent5],
    ]);
    expect(h[3]).to.include({ fromStatus: 'pending_review', toStatus: 'confirmed', note: 'all good' });
    expect(h[3].at.toISOString()).to.equal(min(2).toISOString());

    const detail = await api.as('lead1', 'GET', '/api/orders/P-1');
    expect(detail.status).to.equal(200);
    expect(detail.body.history.map((r: Json) => r.action)).to.deep.equal(['claimed', 'checklist_checked', 'checklist_checked', 'approved']);
    expect(detail.body.history[3]).to.include({ actorId: ids.agent5, at: min(2).toISOString() });

    insertHeldOrder(db(), { number: 'P-2', heldAt: min(-5) });
    await api.as('agent1', 'POST', '/api/orders/P-2/claim');
    expect((await api.as('agent1', 'POST', '/api/orders/P-2/approve', { override: true })).status, 'override without a note').to.equal(400);
    const overridden = await api.as('agent1', 'POST', '/api/orders/P-2/approve', { override: true, note: 'payment seen in the bank statement' });
    expect(overridden.status).to.equal(200);
    const last = detailLast(await api.as('agent1', 'GET', '/api/orders/P-2'));
    expect(last).to.deep.include({ action: 'approved', note: 'payment seen in the bank statement', data: { override: true, notDone: ['payment matches the amount'] } });
  });

  it('cancel needs a reason and only the holder; team leads and front-desk agents cannot decide', async () => {
    const id = insertHeldOrder(db(), { number: 'X-1', heldAt: min(-5) });
    expect((await api.as('agent2', 'POST', '/api/orders/X-1/claim')).status, 'front desk only').to.equal(403);
    expect((await api.as('lead1', 'POST', '/api/orders/X-1/claim')).status, 'team lead reads only').to.equal(403);
    await api.as('agent5', 'POST', '/api/orders/X-1/claim');
    const noReason = await api.as('agent5', 'POST', '/api/orders/X-1/cancel', {});
    expect(noReason.status).to.equal(400);
    expect(noReason.body.message).to.include('reason');
    expect((await api.as('agent1', 'POST', '/api/orders/X-1/cancel', { reason: 'x' })).status).to.equal(409);
    const cancelled = await api.as('agent5', 'POST', '/api/orders/X-1/cancel', { reason: '客户确认重复下单' });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body).to.include({ status: 'cancelled', review: 'cancelled', cancelReason: '客户确认重复下单' });
    expect(history(id).at(-1)).to.include({ action: 'cancelled', actorId: ids.agent5, fromStatus: 'pending_review', toStatus: 'cancelled', note: '客户确认重复下单' });
    expect((await api.as('agent5', 'GET', '/api/orders/NO-SUCH')).status).to.equal(404);
  });

  it('need information: one callback with the question (middle desk, this agent, tier priority), the claim released; the answer closes it and claims the order', async () => {
    const id = insertHeldOrder(db(), { number: 'N-1', heldAt: min(-5), account: ACCOUNTS.vip });
    await api.as('agent5', 'POST', '/api/orders/N-1/claim');
    expect((await api.as('agent5', 'POST', '/api/orders/N-1/need-info', {})).status).to.equal(400);
    expect((await api.as('agent1', 'POST', '/api/orders/N-1/need-info', { question: '?' })).status, 'not the holder').to.equal(409);

    f.clock.set(min(1).toISOString());
    const asked = await api.as('agent5', 'POST', '/api/orders/N-1/need-info', { question: '发票抬头是公司还是个人？' });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    expect(asked.body).to.include({ review: 'held', status: 'pending_review', claim: null });
    const callbacks = db().select().from(callbackRequests).where(eq(callbackRequests.orderId, id)).all();
    expect(callbacks).to.have.length(1);
    expect(callbacks[0]).to.include({
      id: asked.body.callbackId,
      source: 'need_info',
      desk: 'middle',
      ownerId: ids.agent5,
      question: '发票抬头是公司还是个人？',
      phone: '+8613800138000',
      timeZone: 'Asia/Shanghai',
      priority: 40,
      status: 'open',
      dedupeKey: `order:${id}:need_info:1`,
    });
    expect(history(id).at(-1)).to.deep.include({ action: 'need_info', actorId: ids.agent5, note: '发票抬头是公司还是个人？', data: JSON.stringify({ callbackId: asked.body.callbackId, question: '发票抬头是公司还是个人？' }) });

    const listed = await api.as('agent1', 'GET', '/api/orders/review');
    expect(listed.body.items[0].openQuestion).to.include({ callbackId: asked.body.callbackId, question: '发票抬头是公司还是个人？', ownerId: ids.agent5, answer: null });

    expect((await api.as('agent1', 'POST', '/api/orders/N-1/answer', { answer: '公司' })).status, "another agent's question").to.equal(403);
    f.clock.set(min(30).toISOString());
    const answered = await api.as('agent5', 'POST', '/api/orders/N-1/answer', { answer: '公司抬头：上海某某贸易有限公司' });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    expect(answered.body).to.include({ callbackId: asked.body.callbackId, claimed: true });
    expect(answered.body.claim).to.deep.equal({ agentId: ids.agent5, until: min(45).toISOString() });
    const cb = db().select().from(callbackRequests).where(eq(callbackRequests.id, asked.body.callbackId)).get()!;
    expect(cb).to.include({ answer: '公司抬头：上海某某贸易有限公司', status: 'done', outcome: 'reached' });
    expect(cb.closedAt!.toISOString()).to.equal(min(30).toISOString());
    expect((await api.as('agent5', 'POST', '/api/orders/N-1/answer', { answer: 'again' })).status, 'nothing left to answer').to.equal(409);

    // A second question gets its own callback.
    const again = await api.as('agent5', 'POST', '/api/orders/N-1/need-info', { question: '税号是多少？' });
    expect(again.status).to.equal(201);
    expect(db().select().from(callbackRequests).where(eq(callbackRequests.id, again.body.callbackId)).get()!.dedupeKey).to.equal(`order:${id}:need_info:2`);
    await api.as('agent5', 'POST', '/api/orders/N-1/answer', { answer: '91310000XXXXXXXX' });
    const approved = await api.as('agent5', 'POST', '/api/orders/N-1/approve', { override: true, note: '发票信息已电话确认' });
    expect(approved.status).to.equal(200);

    expect(history(id).map((h) => [h.action, h.actorId])).to.deep.equal([
      ['claimed', ids.agent5],
      ['need_info', ids.agent5],
      ['answer_recorded', ids.agent5],
      ['claimed', ids.agent5],
      ['need_info', ids.agent5],
      ['answer_recorded', ids.agent5],
      ['claimed', ids.agent5],
      ['approved', ids.agent5],
    ]);
    const detail = await api.as('agent5', 'GET', '/api/orders/N-1');
    expect(detail.body.questions.map((q: Json) => q.answer)).to.deep.equal(['公司抬头：上海某某贸易有限公司', '91310000XXXXXXXX']);
  });

  it('a question in the pool (no owner) may be answered by any middle agent', async () => {
    const id = insertHeldOrder(db(), { number: 'N-2', heldAt: min(-5), account: ACCOUNTS.new });
    await api.as('agent5', 'POST', '/api/orders/N-2/claim');
    const asked = await api.as('agent5', 'POST', '/api/orders/N-2/need-info', { question: '收货地址门牌号？' });
    expect(db().select().from(callbackRequests).where(eq(callbackRequests.id, asked.body.callbackId)).get()!.priority, 'new customer').to.equal(10);
    // A dispatcher moved it to the desk's pool.
    db().update(callbackRequests).set({ ownerId: null }).where(eq(callbackRequests.id, asked.body.callbackId)).run();
    expect((await api.as('agent2', 'POST', '/api/orders/N-2/answer', { answer: '12号' })).status, 'front desk').to.equal(403);
    const answered = await api.as('agent1', 'POST', '/api/orders/N-2/answer', { answer: '12号' });
    expect(answered.status).to.equal(200);
    expect(answered.body.claim.agentId).to.equal(ids.agent1);
    expect(history(id).at(-2)).to.include({ action: 'answer_recorded', actorId: ids.agent1, note: '12号' });
  });
});

function detailLast(r: { body: Json }): Json {
  return r.body.history.at(-1) as Json;
}
