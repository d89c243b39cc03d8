// What menu 2 says about an RMA the back office moved: every status has a sentence, and the refund amount is spoken.
import { expect } from 'chai';
import { describeRma } from '../../src/ivr/self-service-speech';
import type { RmaFacts } from '../../src/ivr/flow-types';
import type { RmaStatus } from '../../src/db/schema/index';

const rma = (status: RmaStatus, refundFen: number | null = null): RmaFacts => ({
  number: 'RMA1',
  kind: 'return',
  status,
  orderNumber: 'YT1',
  updatedAt: new Date('2026-11-23T03:00:00Z'),
  refundFen,
});

describe('RMA status speech', () => {
  it('speaks the refund amount once it is known, in both languages', () => {
    expect(describeRma(rma('refunded', 129_950), 'zh')).to.equal('您的退货申请 R M A 1，退款1,299.5元已办理，将原路退回。');
    expect(describeRma(rma('refunded', 129_900), 'en')).to.equal('Your return request R M A 1 has been refunded: 1,299 yuan to your original payment account.');
    expect(describeRma(rma('refund_pending', 5_000), 'zh')).to.equal('您的退货申请 R M A 1，已审核通过，正在办理退款50元。');
    expect(describeRma(rma('refunded'), 'zh')).to.equal('您的退货申请 R M A 1，退款已办理，将原路退回。');
  });

  it('has a sentence for every status (no "undefined")', () => {
    const all: RmaStatus[] = ['requested', 'under_review', 'approved', 'rejected', 'refund_pending', 'exchange_pending', 'refunded', 'replacement_shipped', 'closed'];
    for (const s of all) for (const l of ['zh', 'en'] as const) expect(describeRma({ ...rma(s), kind: 'exchange' }, l), `${s} ${l}`).to.not.include('undefined');
  });
});
