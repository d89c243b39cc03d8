import { expect } from 'chai';
import { checkRmaPolicy } from '../../src/rmas/rma-policy';
import { yuanToFen } from '../../src/office/money';

describe('RMA policy (pure)', () => {
  const delivered = new Date('2026-11-01T08:00:00Z');
  const policy = { returnWindowDays: 7 };

  it('inside the window with QC passed is eligible', () => {
    const r = checkRmaPolicy({ createdAt: new Date('2026-11-05T08:00:00Z'), deliveredAt: delivered, qcPassed: true }, policy);
    expect(r).to.deep.equal({ window: 'inside', windowEndsAt: new Date('2026-11-08T08:00:00Z'), qc: 'passed', eligible: true, reasons: [] });
  });

  it('the last moment of the window is still inside; one millisecond later is outside', () => {
    expect(checkRmaPolicy({ createdAt: new Date('2026-11-08T08:00:00Z'), deliveredAt: delivered, qcPassed: true }, policy).window).to.equal('inside');
    const late = checkRmaPolicy({ createdAt: new Date('2026-11-08T08:00:00.001Z'), deliveredAt: delivered, qcPassed: true }, policy);
    expect(late.window).to.equal('outside');
    expect(late.eligible).to.equal(false);
    expect(late.reasons).to.deep.equal(['requested after the 7-day return window (ended 2026-11-08T08:00:00.000Z)']);
  });

  it('unknown delivery needs a check; QC pending and failed are not eligible', () => {
    const unknown = checkRmaPolicy({ createdAt: new Date('2026-11-05T08:00:00Z'), deliveredAt: null, qcPassed: null }, policy);
    expect(unknown).to.include({ window: 'unknown', windowEndsAt: null, qc: 'pending', eligible: false });
    expect(unknown.reasons).to.have.length(2);
    const failed = checkRmaPolicy({ createdAt: new Date('2026-11-02T08:00:00Z'), deliveredAt: delivered, qcPassed: false }, { returnWindowDays: 30 });
    expect(failed).to.include({ window: 'inside', qc: 'failed', eligible: false });
    expect(failed.reasons).to.deep.equal(["the item failed the warehouse's quality check"]);
  });

  it('converts yuan to exact fen', () => {
    expect(yuanToFen('1299')).to.equal(129900);
    expect(yuanToFen('2000.50')).to.equal(200050);
    expect(yuanToFen('0.1')).to.equal(10);
    expect(yuanToFen(19.99)).to.equal(1999);
    expect(yuanToFen(' 7.05 ')).to.equal(705);
    expect(yuanToFen('-3')).to.equal(-300);
    expect(yuanToFen('0')).to.equal(0);
    for (const bad of ['1.234', '1,299.00', 'abc', '', '1e3', '.5']) expect(yuanToFen(bad), bad).to.equal(undefined);
    expect(yuanToFen(Number.NaN)).to.equal(undefined);
  });
});
