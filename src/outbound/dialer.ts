// The dial job (bull, worker side): places the customer's call for an attempt the agent answered, exactly once.
// The attempt is marked 'dialing' and committed before the REST request; a job that finds it 'dialing' (the worker
// died between the request and recording its CallSid) looks for the call at the carrier before dialing again.
import { z } from 'zod';
import type { Transact } from '../db/transaction';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import { maskPhone } from '../logging/logger';
import type { CallsRepo } from '../calls/calls.repo';
import type { CallControl, CallLookup, CarrierCall } from '../telephony/call-control';
import { outboundUrls } from '../telephony/outbound-webhooks';
import { DIAL_JOB } from '../acd/callback-offers';
import type { CallbackAttempt, CallbackAttemptsRepo } from './callback-attempts.repo';
import { callingHours, type CallbackRequest, type CallbackRequestsRepo } from './callback-requests.repo';
import { insideCallingHours } from './calling-hours';

export { DIAL_JOB };

export const dialPayload = z.object({ attemptId: z.number().int().positive() });

export interface DialerOptions {
  /** Seconds the customer's phone rings before the attempt ends no-answer. @default 25 */
  ringSeconds?: number;
  /** Seconds an attempt may stay pending or dialing before the stalled-attempt sweep ends it (its job's retries take about 30 s). @default 180 */
  stalledAfterSeconds?: number;
}

export interface DialerDeps {
  attempts: CallbackAttemptsRepo;
  callbacks: CallbackRequestsRepo;
  calls: CallsRepo;
  control: Pick<CallControl, 'placeCall' | 'redirect'>;
  /** Finds a call placed but not recorded; without it a half-done attempt is dialed again. */
  lookup?: CallLookup;
  transact: Transact;
  clock: Clock;
  log: Logger;
  /** PUBLIC_BASE_URL: where the carrier sends the call's webhooks. */
  base: string;
  /** The customer sees the hotline's number. */
  hotlineNumber: string;
  options?: DialerOptions;
}

/** A carrier refusal (4xx): the call was certainly not placed. Anything else (timeout, 5xx) may have placed it. */
function refusedByCarrier(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export class Dialer {
  private readonly urls;

  constructor(private readonly d: DialerDeps) {
    this.urls = outboundUrls(d.base);
  }

  async run(payload: unknown): Promise<void> {
    const { attemptId } = dialPayload.parse(payload);
    const a = this.d.attempts.get(attemptId);
    if (!a) return void this.d.log.warn('dial job for an attempt that does not exist', { attemptId });
    const item = this.d.callbacks.get(a.callbackId);
    if (!item) return void this.d.log.warn('dial job for an attempt whose callback does not exist', { attemptId });
    if (a.state === 'pending') return this.dialPending(a, item);
    if (a.state === 'dialing') return this.reconcile(a, item);
    // offered: the agent never answered (no job is made then); placed/ended: already dialed. Never dial twice.
  }

  private async dialPending(a: CallbackAttempt, item: CallbackRequest): Promise<void> {
    const now = this.d.clock.now();
    const refusal = this.refusal(item, now);
    if (refusal) {
      const ended = this.d.transact(() => {
        if (!this.d.attempts.transition(a.id, 'pending', { state: 'ended', result: 'not_dialed', note: refusal.note, endedAt: now })) return false;
        if (refusal.close) this.d.callbacks.close(item.id, refusal.close, now);
        else this.d.callbacks.attemptFinished(item.id, 'not_dialed', now);
        return true;
      });
      this.d.log.info('callback not dialed', { attemptId: a.id, callbackId: item.id, why: refusal.note });
      if (ended) await this.tellAgent(a);
      return;
    }
    // Committed before the request: from here on a crash leaves 'dialing', which is reconciled, never blindly redialed.
    const dialing = this.d.transact(() => this.d.attempts.transition(a.id, 'pending', { state: 'dialing', dialedAt: now }));
    if (!dialing) return;
    await this.place({ ...a, state: 'dialing', dialedAt: now }, item);
  }

  /** Why this customer must not be dialed now, if so. */
  private refusal(item: CallbackRequest, now: Date): { note: string; close?: 'do_not_call' | 'cancelled' } | undefined {
    if (this.d.callbacks.isDoNotCall(item.phone)) return { note: 'the number is on the do-not-call list', close: 'do_not_call' };
    if (item.status !== 'in_progress') return { note: `the callback is ${item.status}` };
    const s = this.d.callbacks.settings(item.source);
    if (!insideCallingHours(now, item.timeZone, callingHours(s))) return { note: `outside calling hours in ${item.timeZone}` };
    return undefined;
  }

  private async place(a: CallbackAttempt, item: CallbackRequest): Promise<void> {
    let sid: string;
    try {
      sid = await this.d.control.placeCall({
        to: item.phone,
        from: this.d.hotlineNumber,
        url: this.urls.customerAnswered(a.id),
        statusCallback: this.urls.customerStatus(a.id),
        timeoutSeconds: this.d.options?.ringSeconds ?? 25,
        machineDetection: 'Enable',
      });
    } catch (err) {
      if (!refusedByCarrier(err)) throw err; // maybe placed: the retry finds the attempt 'dialing' and reconciles
      const now = this.d.clock.now();
      const ended = this.d.transact(() => {
        if (!this.d.attempts.transition(a.id, 'dialing', { state: 'ended', result: 'failed', note: `the carrier refused the call: ${(err as Error).message}`, endedAt: now })) return false;
        this.d.callbacks.attemptFinished(item.id, 'failed', now);
        return true;
      });
      this.d.log.warn('the carrier refused a callback call', { attemptId: a.id, to: maskPhone(item.phone), err: (err as Error).message });
      if (ended) await this.tellAgent({ ...a, result: 'failed' });
      return;
    }
    this.record(a, item, sid, 'placed');
  }

  /** Stores the customer's CallSid (unless its status callback already did) and the call's row. */
  private record(a: CallbackAttempt, item: CallbackRequest, sid: string, how: 'placed' | 'adopted'): void {
    const now = this.d.clock.now();
    this.d.transact(() => {
      this.d.calls.insert({ sid, direction: 'outbound-api', from: this.d.hotlineNumber, to: item.phone, status: 'queued', customerId: item.customerId, startedAt: a.dialedAt ?? now });
      this.d.calls.update(sid, { from: this.d.hotlineNumber });
      if (!this.d.attempts.transition(a.id, 'dialing', { state: 'placed', callSid: sid })) {
        const current = this.d.attempts.get(a.id);
        if (!current?.callSid) this.d.attempts.update(a.id, { callSid: sid });
      }
    });
    this.d.log.info(how === 'placed' ? 'callback call placed' : 'callback call found at the carrier and adopted', { attemptId: a.id, callSid: sid, to: maskPhone(item.phone) });
  }

  /** The attempt was left 'dialing': adopt the call the carrier has for it, or dial if it never got there. */
  private async reconcile(a: CallbackAttempt, item: CallbackRequest): Promise<void> {
    if (a.callSid) return void this.d.transact(() => this.d.attempts.transition(a.id, 'dialing', { state: 'placed' }));
    const sid = await this.carrierCallFor(a, item);
    if (sid) return this.record(a, item, sid, 'adopted');
    if (this.d.attempts.get(a.id)?.state !== 'dialing') return; // the stalled-attempt sweep ended it meanwhile
    this.d.log.info('callback attempt left dialing: the carrier has no call for it, dialing now', { attemptId: a.id });
    await this.place(a, item);
  }

  /** The call the carrier placed for an attempt left 'dialing' (the oldest one from us no other attempt owns), if any. */
  private async carrierCallFor(a: CallbackAttempt, item: CallbackRequest): Promise<string | undefined> {
    if (!this.d.lookup) return undefined;
    // A little before dialedAt: the carrier's clock and ours differ.
    const since = new Date((a.dialedAt ?? a.createdAt).getTime() - 5_000);
    const candidates = (await this.d.lookup.callsTo(item.phone, since)).filter((c) => this.ours(c, a));
    return candidates.sort((x, y) => (x.dateCreated?.getTime() ?? 0) - (y.dateCreated?.getTime() ?? 0))[0]?.sid;
  }

  /**
   * Attempts stuck 'pending' or 'dialing' for longer than `stalledAfterSeconds`: their job gave up after its retries
   * (the carrier kept failing) or never ran (Redis was down that long) while the agent waited on the line. A call the
   * carrier did place is adopted; otherwise the attempt ends not dialed (the callback keeps its place in line) and the
   * agent is told. The sweep never dials, so a late job finds the attempt ended and dials nothing. Returns how many
   * ended; an attempt whose carrier cannot be asked now waits for the next sweep.
   */
  async sweepStalled(): Promise<number> {
    const now = this.d.clock.now();
    const before = new Date(now.getTime() - (this.d.options?.stalledAfterSeconds ?? 180) * 1000);
    let ended = 0;
    for (const a of this.d.attempts.stalledBefore(before)) {
      const item = this.d.callbacks.get(a.callbackId);
      if (!item) continue;
      if (a.state === 'dialing') {
        if (a.callSid) {
          this.d.transact(() => this.d.attempts.transition(a.id, 'dialing', { state: 'placed' }));
          continue;
        }
        let sid: string | undefined;
        try {
          sid = await this.carrierCallFor(a, item);
        } catch (err) {
          this.d.log.warn('stalled callback attempt: the carrier cannot be asked now; next sweep', { attemptId: a.id, err: String(err) });
          continue;
        }
        if (sid) {
          this.record(a, item, sid, 'adopted');
          continue;
        }
      }
      const note = a.state === 'dialing' ? 'not dialed: the carrier could not be reached' : 'not dialed: the dialer did not run in time';
      const done = this.d.transact(() => {
        if (!this.d.attempts.transition(a.id, a.state, { state: 'ended', result: 'not_dialed', note, endedAt: now })) return false;
        this.d.callbacks.attemptFinished(item.id, 'not_dialed', now);
        return true;
      });
      if (!done) continue;
      ended++;
      this.d.log.warn('stalled callback attempt ended; the callback keeps its place', { attemptId: a.id, callbackId: item.id, was: a.state });
      await this.tellAgent(a);
    }
    return ended;
  }

  /** A call from the hotline to the customer that no other attempt owns. */
  private ours(c: CarrierCall, a: CallbackAttempt): boolean {
    if (c.from && c.from !== this.d.hotlineNumber) return false;
    const owner = this.d.attempts.forCallSid(c.sid);
    return !owner || owner.id === a.id;
  }

  /** The agent hears why the attempt ended, then their leg ends. */
  private async tellAgent(a: CallbackAttempt): Promise<void> {
    const fresh = this.d.attempts.get(a.id);
    const leg = fresh?.agentCallSid ?? a.agentCallSid;
    if (!leg) return;
    await this.d.control.redirect(leg, this.urls.agentNotice(a.id)).catch((err: unknown) => this.d.log.warn('could not tell the agent the callback was not dialed', { attemptId: a.id, err: String(err) }));
  }
}

/** Bull's limiter for a rate in calls per second, fractional rates included (0.5 → one call every 2 s). */
export function dialerLimiter(callsPerSecond: number): { max: number; duration: number } {
  const max = Math.max(1, Math.ceil(callsPerSecond));
  return { max, duration: Math.round((1000 * max) / callsPerSecond) };
}
