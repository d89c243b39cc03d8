// Two call legs talking to each other (Dial>Number/Client, or a caller dequeued by Dial>Queue) until one leaves.
import { deferred } from './deferred';
import type { CallSession } from './call-session';

export interface QueueBridgeInfo {
  queueSid: string;
  queueTime: number;
  /** `<Queue url>`: TwiML run on the dequeued caller before the bridge. */
  url?: string;
  method?: string;
}

export class Bridge {
  private readonly startedD = deferred();
  private readonly endedD = deferred<string>();
  startedAt = 0;
  endedAt = 0;

  constructor(readonly dialer: CallSession, readonly callee: CallSession, readonly queue?: QueueBridgeInfo) {}

  get started(): Promise<void> {
    return this.startedD.promise;
  }
  /** Resolves with the sid of the leg that left. */
  get ended(): Promise<string> {
    return this.endedD.promise;
  }
  get isEnded(): boolean {
    return this.endedD.settled;
  }

  start(now: number): void {
    if (this.endedD.settled || this.startedD.settled) return;
    this.startedAt = now;
    this.startedD.resolve();
  }

  end(bySid: string, now: number): void {
    if (this.endedD.settled) return;
    this.endedAt = now;
    this.endedD.resolve(bySid);
  }

  get seconds(): number {
    return this.startedD.settled ? Math.max(0, Math.round(this.endedAt - this.startedAt)) : 0;
  }
}
