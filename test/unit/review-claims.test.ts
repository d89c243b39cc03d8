// The one claims helper of the middle and back office, on orders and on RMAs: one holder at a time, extension by the
// holder, expiry written once (by the next claim or by the sweep), release only by the holder.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { orders, reviewHistory, rmas } from '../../src/db/schema/index';
import { ReviewClaims, liveClaim } from '../../src/office/review-claims';
import { ReviewHistoryRepo } from '../../src/office/review-history.repo';
import { insertHeldOrder, insertRequestedRma } from '../support/office-records';

const T0 = new Date('2026-11-23T03:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('review claims (orders and RMAs share one helper)', () => {
  let db: Db;
  let history: ReviewHistoryRepo;
  beforeEach(() => {
    db = openDatabase(':memory:');
    seedDemoData(db, { now: T0 });
    history = new ReviewHistoryRepo(db);
  });
  afterEach(() => db.$client.close());

  const steps = (subject: 'order' | 'rma', id: number) =>
    db.select().from(reviewHistory).where(and(eq(reviewHistory.subject, subject), eq(reviewHistory.subjectId, id))).orderBy(reviewHistory.id).all().map((h) => [h.action, h.actorId]);

  it('liveClaim: a claim holds until its expiry, exclusive', () => {
    expect(liveClaim({ claimedBy: 7, claimExpiresAt: min(15) }, min(14))).to.deep.equal({ by: 7, until: min(15) });
    expect(liveClaim({ claimedBy: 7, claimExpiresAt: min(15) }, min(15))).to.equal(null);
    expect(liveClaim({ claimedBy: null, claimExpiresAt: null }, T0)).to.equal(null);
  });

  it('on orders: one holder, extension, takeover after expiry with claim_expired once, release by the holder only', () => {
    const claims = new ReviewClaims({ db, table: orders, subject: 'order', history, claimMinutes: 15, inReview: eq(orders.review, 'held') });
    const id = insertHeldOrder(db, { number: 'C-1', heldAt: T0 });
    expect(claims.claim(id, 1, T0)).to.deep.equal({ ok: true, until: min(15), extended: false });
    expect(claims.claim(id, 2, min(5))).to.deep.equal({ ok: false, heldBy: { by: 1, until: min(15) } });
    expect(claims.claim(id, 1, min(10))).to.deep.equal({ ok: true, until: min(25), extended: true });
    expect(claims.release(id, 2, min(11))).to.equal(false);
    expect(claims.claim(id, 2, min(25))).to.deep.equal({ ok: true, until: min(40), extended: false });
    expect(claims.sweep(min(26)), 'the takeover already wrote the expiry').to.equal(0);
    expect(claims.release(id, 2, min(30))).to.equal(true);
    expect(steps('order', id)).to.deep.equal([
      ['claimed', 1],
      ['claimed', 1],
      ['claim_expired', null],
      ['claimed', 2],
      ['released', 2],
    ]);
  });

  it('on RMAs: the sweep clears a lapsed claim once; rows not under review cannot be claimed', () => {
    const claims = new ReviewClaims({ db, table: rmas, subject: 'rma', history, claimMinutes: 15, inReview: eq(rmas.status, 'requested') });
    const id = insertRequestedRma(db, { number: 'R-1', createdAt: T0 });
    expect(claims.claim(id, 3, T0).ok).to.equal(true);
    expect(claims.sweep(min(14))).to.equal(0);
    expect(claims.sweep(min(15))).to.equal(1);
    expect(claims.sweep(min(16))).to.equal(0);
    expect(db.select().from(rmas).where(eq(rmas.id, id)).get()).to.include({ claimedBy: null, claimExpiresAt: null });
    expect(steps('rma', id)).to.deep.equal([
      ['claimed', 3],
      ['claim_expired', null],
    ]);
    db.update(rmas).set({ status: 'rejected' }).where(eq(rmas.id, id)).run();
    expect(() => claims.claim(id, 3, min(20))).to.throw(/check inReview first/);
  });
});
