// Builds the middle office's order review and the back office's RMA review on one database connection: their shared
// claims helper (one per table), the review history and the customer lookups.
import { eq } from 'drizzle-orm';
import type { AuditTrail } from '../audit/audit.repo';
import type { Db } from '../db/client';
import { orders, rmas, type Department } from '../db/schema/index';
import type { Transact } from '../db/transaction';
import type { Desk } from '../acd/agent-desks.repo';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { OrderReviewRepo } from '../orders/order-review.repo';
import { OrderReviewService, type NewNeedInfoCallback } from '../orders/order-review.service';
import { RmaReviewRepo } from '../rmas/rma-review.repo';
import { RmaReviewService, type NewRmaStatusCallback } from '../rmas/rma-review.service';
import { CustomerContacts } from './customer-contact';
import { ReviewClaims } from './review-claims';
import { ReviewHistoryRepo } from './review-history.repo';

export interface OfficeReviewDeps {
  db: Db;
  /** Where the office's decisions (orders approved or cancelled, RMAs decided and moved on) are audited. */
  audit: AuditTrail;
  transact: Transact;
  clock: Clock;
  events: EventBus;
  office: { claimMinutes: number; returnWindowDays: number };
  /** The one callback list (CallbackRequestsRepo). */
  callbacks: { add(row: NewNeedInfoCallback | NewRmaStatusCallback): number | undefined };
  desks: { desksOf(staffId: number): Desk[] };
  staff: { byId(id: number): { department: Department | null } | undefined };
}

export function createOfficeReview(d: OfficeReviewDeps) {
  const history = new ReviewHistoryRepo(d.db);
  const contacts = new CustomerContacts(d.db);
  const common = { history, contacts, desks: d.desks, callbacks: d.callbacks, transact: d.transact, clock: d.clock, events: d.events, audit: d.audit };
  const orderReview = new OrderReviewService({
    ...common,
    repo: new OrderReviewRepo(d.db),
    claims: new ReviewClaims({ db: d.db, table: orders, subject: 'order', history, claimMinutes: d.office.claimMinutes, inReview: eq(orders.review, 'held') }),
  });
  const rmaReview = new RmaReviewService({
    ...common,
    repo: new RmaReviewRepo(d.db),
    staff: d.staff,
    returnWindowDays: d.office.returnWindowDays,
    claims: new ReviewClaims({ db: d.db, table: rmas, subject: 'rma', history, claimMinutes: d.office.claimMinutes, inReview: eq(rmas.status, 'requested') }),
  });
  return {
    orderReview,
    rmaReview,
    history,
    /** Clears lapsed claims on both lists (claim_expired history); returns how many. */
    sweep(): number {
      return orderReview.sweep() + rmaReview.sweep();
    },
  };
}

export type OfficeReview = ReturnType<typeof createOfficeReview>;
