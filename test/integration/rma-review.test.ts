// The back office's RMA review through the server: the list with the server's policy check, claims, return and exchange
// approvals (refund never above what was paid), rejection, and the departments' moves, each calling the customer.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { callbackRequests, reviewHistory, rmas } from '../../src/db/schema/index';
import { OPEN_HOURS, startHotline, type Fixture } from '../support/hotline-fixture';
import { ACCOUNTS, insertRequestedRma, staffApi, type Json } from '../support/office-records';

const T0 = new Date(OPEN_HOURS);
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('back office: RMA review and department moves (through HTTP)', function () {
  this.timeout(20000);
  let f: Fixture;
  let api: ReturnType<typeof staffApi>;
  let ids: Record<string, number>;

  beforeEach(async () => {
    f = await startHotline({ RETURN_WINDOW_DAYS: '7' });
    api = staffApi(f.base);
    ids = {};
    // agent6 and agent3 sit on the back desk; agent5 on the middle and front desks.
    for (const u of ['agent3', 'agent5', 'agent6', 'lead1', 'finance1', 'logistics1']) ids[u] = await api.idOf(u);
    // The demo data's own requested RMAs leave the list, so each test sees only the RMAs it inserted.
    f.hotline.db.update(rmas).set({ status: 'under_review' }).where(eq(rmas.status, 'requested')).run();
  });
  afterEach(async () => f.close());

  const db = () => f.hotline.db;
  const history = (rmaId: number) =>
    db().select().from(reviewHistory).where(and(eq(reviewHistory.subject, 'rma'), eq(reviewHistory.subjectId, rmaId))).orderBy(reviewHistory.id).all();
  const callbacksOf = (rmaId: number) => db().select().from(callbackRequests).where(eq(callbackRequests.rmaId, rmaId)).orderBy(callbackRequests.id).all();

  it('lists requested RMAs oldest first, each with the policy result the server computed', async () => {
    insertRequestedRma(db(), { number: 'R-B', createdAt: at(-2 * DAY), deliveredAt: null });
    insertRequestedRma(db(), { number: 'R-A', createdAt: at(-3 * DAY), deliveredAt: at(-5 * DAY), qcPassed: true });
    insertRequestedRma(db(), { number: 'R-C', createdAt: at(-1 * DAY), deliveredAt: at(-20 * DAY), qcPassed: null, kind: 'exchange' });

    const list = await api.as('agent6', 'GET', '/api/rmas/review');
    expect(list.status, JSON.stringify(list.body)).to.equal(200);
    expect(list.body.items.map((r: Json) => r.number)).to.deep.equal(['R-A', 'R-B', 'R-C']);
    const [a, b, c] = list.body.items as Json[];
    expect(a.policy).to.deep.equal({ window: 'inside', windowEndsAt: at(2 * DAY).toISOString(), qc: 'passed', eligible: true, reasons: [] });
    expect(b.policy).to.include({ window: 'unknown', qc: 'passed', eligible: false });
    expect(c.policy).to.include({ window: 'outside', qc: 'pending', eligible: false });
    expect(c.policy.reasons).to.have.length(2);
    expect(a).to.include({ kind: 'return', status: 'requested', itemSku: 'SKU-1', paidFen: 129900, orderNumber: 'O-R-A', claim: null });
    expect(a.customer).to.include({ name: '李娜', phone: '+8613911112222' });

    const lead = await api.as('lead1', 'GET', '/api/rmas/review');
    expect(lead.status).to.equal(200);
    expect(lead.body.items[0].customer.phone).to.equal('+86139****2222');
    expect((await api.as('agent5', 'GET', '/api/rmas/review')).status, 'not on the back desk').to.equal(403);
    expect((await api.as('finance1', 'GET', '/api/rmas/review')).status).to.equal(403);
  });

  it('two back agents claiming at once: one wins; the claim records the policy check; an expired claim is taken over', async () => {
    const id = insertRequestedRma(db(), { number: 'R-1', createdAt: at(-DAY) });
    const [a, b] = await Promise.all([api.as('agent6', 'POST', '/api/rmas/R-1/claim'), api.as('agent3', 'POST', '/api/rmas/R-1/claim')]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const winner = a.status === 200 ? 'agent6' : 'agent3';
    const loser = winner === 'agent6' ? 'agent3' : 'agent6';
    expect(history(id).map((h) => [h.action, h.actorId])).to.deep.equal([
      ['claimed', ids[winner]],
      ['rma_checked', ids[winner]],
    ]);
    expect(JSON.parse(history(id)[1].data!)).to.include({ eligible: true, window: 'inside', qc: 'passed' });

    f.clock.set(at(15 * 60_000).toISOString());
    const taken = await api.as(loser, 'POST', '/api/rmas/R-1/claim');
    expect(taken.status).to.equal(200);
    expect(taken.body.claim.agentId).to.equal(ids[loser]);
    expect(history(id).map((h) => h.action)).to.deep.equal(['claimed', 'rma_checked', 'claim_expired', 'claimed', 'rma_checked']);
  });

  it('return: the item confirmed and a refund no more than paid → refund_pending with a callback; finance marks it refunded (logistics cannot)', async () => {
    const id = insertRequestedRma(db(), { number: 'R-2', createdAt: at(-DAY), account: ACCOUNTS.vip, itemSku: 'COAT-9', paidFen: 129900 });
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9', refund: '1299' })).status, 'not claimed').to.equal(409);
    await api.as('agent6', 'POST', '/api/rmas/R-2/claim');

    const over = await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9', refund: '1299.01' });
    expect(over.status).to.equal(422);
    expect(over.body.error).to.equal('unprocessable');
    expect(over.body.message).to.include('more than the 1299.00 yuan paid');
    for (const refund of ['0', '-5', 0]) expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9', refund })).status, String(refund)).to.equal(422);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-8', refund: '100' })).status, 'wrong item').to.equal(422);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9', refund: '12.345' })).status, 'three decimals').to.equal(400);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9' })).status, 'no refund').to.equal(400);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/approve-exchange', { replacementSku: 'X' })).status, 'a return is not an exchange').to.equal(409);
    expect(db().select().from(rmas).where(eq(rmas.id, id)).get()!.status, 'nothing half-done').to.equal('requested');
    expect(callbacksOf(id)).to.deep.equal([]);

    f.clock.set(at(60_000).toISOString());
    const ok = await api.as('agent6', 'POST', '/api/rmas/R-2/approve-return', { itemSku: 'COAT-9', refund: '1299.00' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.include({ status: 'refund_pending', refundFen: 129900, reviewedBy: ids.agent6, claim: null });
    let cbs = callbacksOf(id);
    expect(cbs).to.have.length(1);
    expect(cbs[0]).to.include({ source: 'rma_status', desk: 'back', ownerId: null, dedupeKey: `rma:${id}:refund_pending`, status: 'open', phone: '+8613800138000', priority: 40 });
    expect(cbs[0].reason).to.include('refund_pending').and.to.include('1299.00 yuan');
    expect(history(id).at(-1)).to.include({ action: 'refund_pending', actorId: ids.agent6, fromStatus: 'requested', toStatus: 'refund_pending' });
    expect(JSON.parse(history(id).at(-1)!.data!)).to.deep.equal({ refundFen: 129900, callbackId: cbs[0].id });

    const financeList = await api.as('finance1', 'GET', '/api/rmas/department');
    expect(financeList.body.items.map((r: Json) => r.number)).to.deep.equal(['R-2']);
    expect((await api.as('logistics1', 'GET', '/api/rmas/department')).body.items).to.deep.equal([]);
    expect((await api.as('agent6', 'GET', '/api/rmas/department')).status).to.equal(403);

    const wrongDept = await api.as('logistics1', 'POST', '/api/rmas/R-2/refunded', {});
    expect(wrongDept.status).to.equal(403);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-2/refunded', {})).status).to.equal(403);
    expect((await api.as('lead1', 'POST', '/api/rmas/R-2/refunded', {})).status).to.equal(403);
    expect((await api.as('finance1', 'POST', '/api/rmas/R-2/shipped', {})).status, 'finance does not ship').to.equal(403);

    f.clock.set(at(2 * 60_000).toISOString());
    const refunded = await api.as('finance1', 'POST', '/api/rmas/R-2/refunded', { reference: 'FIN-20261123-0042' });
    expect(refunded.status, JSON.stringify(refunded.body)).to.equal(200);
    expect(refunded.body.status).to.equal('refunded');
    expect((await api.as('finance1', 'POST', '/api/rmas/R-2/refunded', {})).status, 'only once').to.equal(409);
    cbs = callbacksOf(id);
    expect(cbs.map((c) => c.dedupeKey)).to.deep.equal([`rma:${id}:refund_pending`, `rma:${id}:refunded`]);
    expect(history(id).at(-1)).to.include({ action: 'refunded', actorId: ids.finance1, fromStatus: 'refund_pending', toStatus: 'refunded' });
    expect(JSON.parse(history(id).at(-1)!.data!)).to.include({ reference: 'FIN-20261123-0042' });

    const detail = await api.as('finance1', 'GET', '/api/rmas/R-2');
    expect(detail.status).to.equal(200);
    expect(detail.body.history.map((h: Json) => h.action)).to.deep.equal(['claimed', 'rma_checked', 'refund_pending', 'refunded']);
    expect(detail.body.callbacks.map((c: Json) => c.reason.split(': ')[1])).to.deep.equal(['refund_pending', 'refunded']);
    expect((await api.as('logistics1', 'GET', '/api/rmas/R-2')).status, "not logistics' RMA").to.equal(403);
  });

  it('exchange: the replacement confirmed → exchange_pending; logistics ships it; a policy failure needs override with a note', async () => {
    const id = insertRequestedRma(db(), { number: 'R-3', kind: 'exchange', createdAt: at(-DAY), replacementSku: 'COAT-9-L', qcPassed: null });
    await api.as('agent3', 'POST', '/api/rmas/R-3/claim');
    expect((await api.as('agent3', 'POST', '/api/rmas/R-3/approve-exchange', { replacementSku: 'COAT-9-M' })).status, 'not what was asked').to.equal(422);
    const blocked = await api.as('agent3', 'POST', '/api/rmas/R-3/approve-exchange', { replacementSku: 'COAT-9-L' });
    expect(blocked.status).to.equal(409);
    expect(blocked.body.message).to.include("quality check is not done");
    expect((await api.as('agent3', 'POST', '/api/rmas/R-3/approve-exchange', { replacementSku: 'COAT-9-L', override: true })).status, 'override without a note').to.equal(400);
    const ok = await api.as('agent3', 'POST', '/api/rmas/R-3/approve-exchange', { replacementSku: 'COAT-9-L', override: true, note: '仓库电话确认完好' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.include({ status: 'exchange_pending', replacementSku: 'COAT-9-L' });
    const step = history(id).at(-1)!;
    expect(step).to.include({ action: 'exchange_pending', actorId: ids.agent3, note: '仓库电话确认完好' });
    expect(JSON.parse(step.data!)).to.include({ override: true, replacementSku: 'COAT-9-L' });
    expect(callbacksOf(id).map((c) => c.dedupeKey)).to.deep.equal([`rma:${id}:exchange_pending`]);

    expect((await api.as('logistics1', 'GET', '/api/rmas/department')).body.items.map((r: Json) => r.number)).to.deep.equal(['R-3']);
    const shipped = await api.as('logistics1', 'POST', '/api/rmas/R-3/shipped', { trackingNumber: 'SF9876543210' });
    expect(shipped.status).to.equal(200);
    expect(shipped.body.status).to.equal('replacement_shipped');
    expect(callbacksOf(id).map((c) => c.dedupeKey)).to.deep.equal([`rma:${id}:exchange_pending`, `rma:${id}:replacement_shipped`]);
    expect(history(id).at(-1)).to.include({ action: 'replacement_shipped', actorId: ids.logistics1 });
  });

  it('reject needs a reason, tells the customer, and takes the RMA off the list', async () => {
    const id = insertRequestedRma(db(), { number: 'R-4', createdAt: at(-DAY), account: ACCOUNTS.new });
    await api.as('agent6', 'POST', '/api/rmas/R-4/claim');
    expect((await api.as('agent6', 'POST', '/api/rmas/R-4/reject', {})).status).to.equal(400);
    const rejected = await api.as('agent6', 'POST', '/api/rmas/R-4/reject', { reason: '商品已使用，不符合退货条件' });
    expect(rejected.status).to.equal(200);
    expect(rejected.body.status).to.equal('rejected');
    expect(callbacksOf(id)).to.have.length(1);
    expect(callbacksOf(id)[0]).to.include({ dedupeKey: `rma:${id}:rejected`, priority: 10 });
    expect(history(id).at(-1)).to.include({ action: 'rejected', note: '商品已使用，不符合退货条件' });
    expect((await api.as('agent6', 'GET', '/api/rmas/review')).body.total).to.equal(0);
    expect((await api.as('agent6', 'POST', '/api/rmas/R-4/claim')).status).to.equal(409);
  });
});
