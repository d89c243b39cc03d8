// Keeps each call's status and times from the carrier's status callbacks; a caller gone while waiting is abandoned.
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
      this.d.calls.update(u.callSid, {
        status: u.status,
        answeredAt: u.status === 'in-progress' && !call.answeredAt ? now : undefined,
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
