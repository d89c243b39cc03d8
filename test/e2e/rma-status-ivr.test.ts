// Menu 2 (returns) through the carrier simulator speaks an RMA's status after the back office and finance moved it:
// approved with the refund amount, then refunded with the amount.
import { expect } from 'chai';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { OPEN_HOURS } from '../support/hotline-fixture';
import { ACCOUNTS, insertRequestedRma, staffApi } from '../support/office-records';

const LI_NA = '+8613911112222';

describe('the IVR reads the RMA status set by the back office and finance (menu 2, simulator)', function () {
  this.timeout(30000);
  let f: SimFixture;
  beforeEach(async () => (f = await startHotlineWithSimulator()));
  afterEach(async () => f.close());

  const heard = (c: { heard(): string[] }) => c.heard().join(' | ');
  const menu2 = () => f.call(LI_NA, [{ press: '1' }, { press: '2' }, { wait: 3 }, { hangup: true }]);

  it('refund_pending with the amount, then refunded with the amount', async () => {
    const api = staffApi(f.base);
    insertRequestedRma(f.hotline.db, { number: 'RMA20261123', account: ACCOUNTS.returning, createdAt: new Date(new Date(OPEN_HOURS).getTime() - 86_400_000), itemSku: 'COAT-9', paidFen: 129_900 });

    const before = await menu2();
    expect(heard(before)).to.include('您的退货申请 R M A 2 0 2 6 1 1 2 3，已提交，等待审核');

    expect((await api.as('agent6', 'POST', '/api/rmas/RMA20261123/claim')).status).to.equal(200);
    expect((await api.as('agent6', 'POST', '/api/rmas/RMA20261123/approve-return', { itemSku: 'COAT-9', refund: '1299' })).status).to.equal(200);
    const pending = await menu2();
    expect(heard(pending)).to.include('您的退货申请 R M A 2 0 2 6 1 1 2 3，已审核通过，正在办理退款1,299元。');

    f.clock.set(new Date(new Date(OPEN_HOURS).getTime() + 60_000).toISOString());
    expect((await api.as('finance1', 'POST', '/api/rmas/RMA20261123/refunded', { reference: 'FIN-1' })).status).to.equal(200);
    const refunded = await menu2();
    expect(heard(refunded)).to.include('您的退货申请 R M A 2 0 2 6 1 1 2 3，退款1,299元已办理，将原路退回。');
    expect(f.hotline.repos.queue.forCall(refunded.sid)).to.include({ queue: 'front-returns' });
  });
});
