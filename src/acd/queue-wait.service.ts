// What a waiting caller hears and what happens when their wait ends (answered, hung up, left).
import type { CallsRepo } from '../calls/calls.repo';
import type { Transact } from '../db/transaction';
import type { Clock } from '../ivr/ivr-call.service';
import type { Language } from '../ivr/flow-types';
import type { QueueEntriesRepo, QueueEntryStatus } from './queue-entries.repo';

export interface WaitAnnouncement {
  language: Language;
  /** 1-based place in the desk's line, by the center's priority rules; undefined when the call is not in a queue. */
  position?: number;
}

export type QueueOutcome = 'bridged' | 'abandoned' | 'left' | 'failed';

/** Twilio's QueueResult values mapped to how the wait ended. */
const outcomes: Record<string, QueueOutcome> = {
  bridged: 'bridged',
  'bridging-in-process': 'bridged',
  hangup: 'abandoned',
  leave: 'left',
  redirected: 'left',
  'redirected-from-waitUrl': 'left',
  'redirected-from-bridged': 'bridged',
  'queue-full': 'failed',
  error: 'failed',
  'system-error': 'failed',
};

export class QueueWaitService {
  constructor(
    private readonly d: { calls: CallsRepo; queue: QueueEntriesRepo; transact: Transact; clock: Clock },
  ) {}

  announcement(callSid: string): WaitAnnouncement {
    const call = this.d.calls.get(callSid);
    const entry = this.d.queue.forCall(callSid);
    const language = (call?.language as Language | null) ?? 'zh';
    if (!entry || entry.status !== 'waiting') return { language };
    return { language, position: this.d.queue.position(entry) };
  }

  /** The carrier reports how the caller's time in the queue ended. */
  ended(callSid: string, queueResult: string): QueueOutcome {
    const outcome = outcomes[queueResult] ?? 'failed';
    const now = this.d.clock.now();
    this.d.transact(() => {
      const status: Exclude<QueueEntryStatus, 'waiting'> = outcome;
      const entry = this.d.queue.end(callSid, status, now);
      if (entry) {
        this.d.calls.appendEvent({ callSid, dedupeKey: 'queue:ended', type: `queue.${outcome}`, data: { queue: entry.queue, queueResult, waitSeconds: entry.waitSeconds }, at: now });
      }
    });
    return outcome;
  }
}
