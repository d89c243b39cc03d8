// The carrier's call queues (Twilio Queue resources) and the callers waiting in them.
import type { CarrierContext } from './carrier-context';
import type { CallSession } from './call-session';
import type { Bridge } from './bridge';
import { newSid } from './sid';

export interface QueueMember {
  call: CallSession;
  queue: CarrierQueue;
  enqueuedSim: number;
  dateEnqueued: Date;
  /** Set by Dial>Queue when it takes this caller, before the caller's flow learns of it. */
  bridge?: Bridge;
}

export class CarrierQueue {
  readonly sid = newSid('QU');
  readonly dateCreated = new Date();
  dateUpdated = new Date();
  maxSize = 1000;
  readonly members: QueueMember[] = [];
  private joinWaiters: (() => void)[] = [];
  private readonly waits: number[] = [];

  constructor(private readonly ctx: CarrierContext, public friendlyName: string) {}

  get size(): number {
    return this.members.length;
  }

  add(call: CallSession): QueueMember {
    const m: QueueMember = { call, queue: this, enqueuedSim: this.ctx.clock.now(), dateEnqueued: new Date() };
    this.members.push(m);
    this.dateUpdated = new Date();
    for (const w of this.joinWaiters.splice(0)) w();
    return m;
  }

  remove(m: QueueMember): boolean {
    const i = this.members.indexOf(m);
    if (i < 0) return false;
    this.members.splice(i, 1);
    this.waits.push(this.waitTime(m));
    if (this.waits.length > 50) this.waits.shift();
    this.dateUpdated = new Date();
    return true;
  }

  /** Resolves when someone joins the queue. */
  joined(): Promise<void> {
    return new Promise((r) => this.joinWaiters.push(r));
  }

  position(m: QueueMember): number {
    return this.members.indexOf(m) + 1;
  }

  waitTime(m: QueueMember): number {
    return Math.max(0, Math.round(this.ctx.clock.now() - m.enqueuedSim));
  }

  /** Average wait of the callers waiting now, or of past callers when empty. */
  averageWait(): number {
    const w = this.members.length ? this.members.map((m) => this.waitTime(m)) : this.waits;
    return w.length ? Math.round(w.reduce((a, b) => a + b, 0) / w.length) : 0;
  }

  member(callSidOrFront: string): QueueMember | undefined {
    if (callSidOrFront === 'Front') return this.members[0];
    return this.members.find((m) => m.call.sid === callSidOrFront);
  }
}

export class CarrierQueues {
  private readonly bySid = new Map<string, CarrierQueue>();

  constructor(private readonly ctx: CarrierContext) {}

  create(friendlyName: string, maxSize?: number): CarrierQueue {
    const q = new CarrierQueue(this.ctx, friendlyName);
    if (maxSize !== undefined) q.maxSize = maxSize;
    this.bySid.set(q.sid, q);
    return q;
  }

  byName(name: string): CarrierQueue | undefined {
    return [...this.bySid.values()].find((q) => q.friendlyName === name);
  }

  /** <Enqueue> makes the queue when it does not exist yet. */
  getOrCreate(name: string): CarrierQueue {
    return this.byName(name) ?? this.create(name);
  }

  get(sid: string): CarrierQueue | undefined {
    return this.bySid.get(sid);
  }

  list(): CarrierQueue[] {
    return [...this.bySid.values()];
  }

  delete(sid: string): boolean {
    return this.bySid.delete(sid);
  }

  memberOf(call: CallSession): QueueMember | undefined {
    for (const q of this.bySid.values()) {
      const m = q.member(call.sid);
      if (m) return m;
    }
    return undefined;
  }
}
