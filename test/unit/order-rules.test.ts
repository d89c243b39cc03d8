// The special-order rules with known answers: which orders are held, why, and the checklist a reviewer gets.
import { expect } from 'chai';
import { carryOverChecklist, holdReasons, likelyDuplicates, missingInfo, reviewOrder, yuan, type EarlierOrder, type OrderFacts } from '../../src/orders/order-rules';

const S = { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 };
const AT = new Date('2026-11-23T02:00:00Z');
const min = (m: number) => new Date(AT.getTime() + m * 60_000);

const clean: OrderFacts = {
  number: 'O-1',
  amountFen: 19_900,
  payment: 'prepaid',
  paidFen: 19_900,
  address: '上海市黄浦区南京东路 1 号',
  phone: '+8613600000001',
  invoiceRequested: false,
  invoiceTitle: null,
  invoiceTaxId: null,
  items: [
    { sku: 'A', quantity: 1 },
    { sku: 'B', quantity: 2 },
  ],
  placedAt: AT,
};

const earlier = (o: Partial<EarlierOrder>): EarlierOrder => ({ number: 'O-0', amountFen: 5_000, status: 'confirmed', review: 'auto_approved', items: [{ sku: 'Z', quantity: 1 }], placedAt: min(-5), ...o });

describe('order rules (special-order review)', () => {
  it('writes amounts as yuan with thousands and fen', () => {
    expect(yuan(200_050)).to.equal('¥2,000.50');
    expect(yuan(5)).to.equal('¥0.05');
    expect(yuan(123_456_789)).to.equal('¥1,234,567.89');
  });

  it('approves a clean order by itself, with no checklist', () => {
    expect(reviewOrder(clean, [], S)).to.deep.equal({ decision: 'auto_approved', reasons: [], checklist: [] });
  });

  it('holds only amounts strictly over the limit', () => {
    expect(holdReasons({ ...clean, amountFen: 200_000, paidFen: 200_000 }, [], S)).to.deep.equal([]);
    expect(holdReasons({ ...clean, amountFen: 200_001, paidFen: 200_001 }, [], S)).to.deep.equal([{ rule: 'amount', detail: 'amount ¥2,000.01 is over ¥2,000.00' }]);
  });

  it('lists missing address, phone, and invoice data only when an invoice was asked for', () => {
    expect(missingInfo({ ...clean, address: ' ', phone: null })).to.deep.equal(['address', 'phone']);
    expect(missingInfo({ ...clean, invoiceTitle: null, invoiceTaxId: null })).to.deep.equal([]);
    expect(missingInfo({ ...clean, invoiceRequested: true, invoiceTitle: '某公司', invoiceTaxId: null })).to.deep.equal(['invoice tax number']);
    expect(missingInfo({ ...clean, invoiceRequested: true })).to.deep.equal(['invoice title', 'invoice tax number']);
  });

  it('finds a duplicate by the same items as a multiset (order and split lines do not matter) or the same amount, inside the window', () => {
    const sameItems = earlier({ number: 'D-1', items: [{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }] });
    const otherQty = earlier({ number: 'D-2', items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }] });
    const sameAmount = earlier({ number: 'D-3', amountFen: 19_900, placedAt: min(10) });
    const tooEarly = earlier({ number: 'D-4', amountFen: 19_900, placedAt: min(-10.01) });
    const cancelled = earlier({ number: 'D-5', amountFen: 19_900, status: 'cancelled' });
    const reviewCancelled = earlier({ number: 'D-6', amountFen: 19_900, review: 'cancelled' });
    const itself = earlier({ number: 'O-1', amountFen: 19_900 });
    const found = likelyDuplicates(clean, [sameItems, otherQty, sameAmount, tooEarly, cancelled, reviewCancelled, itself], 10);
    expect(found.map((d) => [d.order.number, d.same])).to.deep.equal([
      ['D-1', 'items'],
      ['D-3', 'amount'],
    ]);
    expect(holdReasons(clean, [sameItems], S)).to.deep.equal([{ rule: 'duplicate', detail: 'same items as D-1 (5 min apart)' }]);
  });

  it('gives prepaid orders the payment check with both figures, and notes a mismatch or a missing payment', () => {
    const big = { ...clean, amountFen: 300_000, paidFen: 300_000 };
    expect(reviewOrder(big, [], S).checklist).to.deep.equal([
      { item: 'payment matches amount (paid ¥3,000.00, amount ¥3,000.00)', done: false },
      { item: 'large amount ¥3,000.00 confirmed with the customer', done: false },
    ]);
    expect(reviewOrder({ ...big, paidFen: 250_000 }, [], S).checklist[0].item).to.equal('payment matches amount: MISMATCH, paid ¥2,500.00 vs amount ¥3,000.00');
    expect(reviewOrder({ ...big, paidFen: null }, [], S).checklist[0].item).to.equal('payment matches amount: no payment recorded (amount ¥3,000.00)');
  });

  it('gives cash-on-delivery orders the phone confirmation, then one item per reason and missing field', () => {
    const o = { ...clean, payment: 'cod' as const, paidFen: null, address: null, phone: null };
    const r = reviewOrder(o, [earlier({ number: 'D-9', amountFen: 19_900 })], S);
    expect(r.decision).to.equal('held');
    expect(r.reasons.map((x) => x.rule)).to.deep.equal(['missing_info', 'duplicate']);
    expect(r.checklist.map((c) => c.item)).to.deep.equal([
      'customer confirmed by phone before shipping (cash on delivery, ¥199.00)',
      'address obtained',
      'phone obtained',
      'not a duplicate of D-9 (confirmed with the customer)',
    ]);
  });

  it('keeps ticked items that read the same when a checklist is rebuilt', () => {
    const ticked = { item: 'address obtained', done: true, by: 7, at: '2026-11-23T02:05:00.000Z' };
    const next = [
      { item: 'address obtained', done: false },
      { item: 'phone obtained', done: false },
    ];
    expect(carryOverChecklist(next, [ticked, { item: 'phone obtained', done: false }])).to.deep.equal([ticked, { item: 'phone obtained', done: false }]);
    expect(carryOverChecklist(next, null)).to.equal(next);
  });
});
