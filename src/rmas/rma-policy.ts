// The return policy for an RMA, as pure rules: inside the return window after delivery, and the warehouse's quality
// check passed.

export interface RmaPolicyInput {
  /** When the customer asked (the request date). */
  createdAt: Date;
  /** null when the order system did not say: the window cannot be checked. */
  deliveredAt: Date | null;
  /** The warehouse's quality check: null while not done. */
  qcPassed: boolean | null;
}

export interface RmaPolicyResult {
  window: 'inside' | 'outside' | 'unknown';
  /** The last moment a request is inside the window; null when delivery is unknown. */
  windowEndsAt: Date | null;
  qc: 'passed' | 'failed' | 'pending';
  /** Inside the window and QC passed; anything else needs an override with a note. */
  eligible: boolean;
  /** Why it is not eligible (empty when it is). */
  reasons: string[];
}

const DAY_MS = 86_400_000;

export function checkRmaPolicy(r: RmaPolicyInput, o: { returnWindowDays: number }): RmaPolicyResult {
  const reasons: string[] = [];
  const windowEndsAt = r.deliveredAt ? new Date(r.deliveredAt.getTime() + o.returnWindowDays * DAY_MS) : null;
  const window = !windowEndsAt ? 'unknown' : windowEndsAt.getTime() >= r.createdAt.getTime() ? 'inside' : 'outside';
  if (window === 'unknown') reasons.push('delivery date unknown: check the return window by hand');
  if (window === 'outside') reasons.push(`requested after the ${o.returnWindowDays}-day return window (ended ${windowEndsAt!.toISOString()})`);
  const qc = r.qcPassed === null ? 'pending' : r.qcPassed ? 'passed' : 'failed';
  if (qc === 'pending') reasons.push("the warehouse's quality check is not done yet");
  if (qc === 'failed') reasons.push("the item failed the warehouse's quality check");
  return { window, windowEndsAt, qc, eligible: reasons.length === 0, reasons };
}

