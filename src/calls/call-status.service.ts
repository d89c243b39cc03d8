// Keeps each call's status and times: answered when its first TwiML is asked for, ended by the carrier's final status
// callback (a number's own status callback hears only that one); a caller gone while waiting is abandoned.
import type { Transact } from '../db/transaction';
import type { QueueEntriesRepo } from '../acd/queue-entries.repo';
import type { Clock } from '../ivr/ivr-call.service';
import type { CallsRepo } from './calls.repo';
import type { EventBus } from '../events/domain-events';

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface CallStatusUpdate {
  callSid: string;
  status: string;
  from: string;
  to: string;
  direction: string;
  durationSeconds?: number;
  sequenceNumber?: number;
}

export class CallStatusService {
  constructor(private readonly d: { calls: CallsRepo; queue: QueueEntriesRepo; transact: Transact; clock: Clock; events?: EventBus }) {}

  /**
   * The carrier asked for the call's first TwiML: the call is answered now (Twilio reports no `in-progress` to a number's
   * status callback, so this is the answer time). Idempotent; nothing changes once the call has ended.
   */
  answered(callSid: string): void {
    const now = this.d.clock.now();
    this.d.transact(() => {
      const call = this.d.calls.get(callSid);
      if (!call || call.answeredAt || call.endedAt) return;
      this.d.calls.update(callSid, { status: 'in-progress', answeredAt: now });
    });
  }

  update(u: CallStatusUpdate): void {
    const now = this.d.clock.now();
    const abandoned = this.d.transact(() => {
      const fresh = this.d.calls.appendEvent({
        callSid: u.callSid,
        dedupeKey: `status:${u.status}`,
        type: `call.${u.status}`,
        data: { sequenceNumber: u.sequenceNumber, durationSeconds: u.durationSeconds },
        at: now,
      });
      if (!fresh) return undefined; // the carrier repeated this callback
      this.d.calls.insert({ sid: u.callSid, direction: u.direction, from: u.from, to: u.to, status: u.status, startedAt: now });
      const call = this.d.calls.get(u.callSid)!;
      if (call.endedAt) return undefined; // a late, out-of-order callback after the final one
      const final = FINAL.has(u.status);
      const talked = final && u.status === 'completed' ? (u.durationSeconds ?? 0) : 0;
      this.d.calls.update(u.callSid, {
        status: u.status,
        // Answered but never seen by a webhook of ours (e.g. a call we only hear the end of): CallDuration says when.
        answeredAt: call.answeredAt ? undefined : u.status === 'in-progress' ? now : talked > 0 ? new Date(now.getTime() - talked * 1000) : undefined,
        endedAt: final ? now : undefined,
        durationSeconds: final ? (u.durationSeconds ?? 0) : undefined,
      });
      if (final) {
        const entry = this.d.queue.end(u.callSid, 'abandoned', now);
        if (entry) {
          this.d.calls.appendEvent({ callSid: u.callSid, dedupeKey: 'queue:ended', type: 'queue.abandoned', data: { queue: entry.queue, waitSeconds: entry.waitSeconds }, at: now });
        }
        return entry;
      }
      return undefined;
    });
    if (abandoned) this.d.events?.publish({ type: 'CallAbandoned', callSid: u.callSid, queue: abandoned.queue, waitSeconds: abandoned.waitSeconds ?? 0, at: now });
  }
}
