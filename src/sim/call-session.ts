// One call leg: its status and status callbacks, transcript, caller script, and interruptible simulated waits.
import type { CarrierContext } from './carrier-context';
import type { CallerStep } from './caller-script';
import type { TranscriptEntry, TranscriptKind } from './transcript';
import type { Bridge } from './bridge';
import { newSid, rfc2822 } from './sid';

export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
export type Direction = 'inbound' | 'outbound-api' | 'outbound-dial';

/** Where the call goes next: a TwiML URL (with extra webhook params) or an inline document. */
export type Next = { url: string; method: string; params?: Record<string, string> } | { twiml: string };

/** Something from outside that stops what the call is doing. */
export type Interrupt =
  | { kind: 'hangup'; by: string; reason?: string }
  | { kind: 'redirect'; url: string; method: string; source: string }
  | { kind: 'twiml'; twiml: string; source: string }
  | { kind: 'bridge'; bridge: Bridge };

export class Interrupted extends Error {
  constructor(readonly interrupt: Interrupt) {
    super(`call interrupted: ${interrupt.kind}`);
  }
}

export interface StatusCallbackConfig {
  url: string;
  method: string;
  /** Subset of initiated, ringing, answered, completed. */
  events: Set<string>;
}

/** The public face of a simulated call. */
export interface SimCall {
  sid: string;
  from: string;
  to: string;
  readonly status: string;
  transcript: TranscriptEntry[];
  /** Resolves when the call has ended and its status callbacks were delivered. */
  done: Promise<TranscriptEntry[]>;
  hangup(): void;
  /** Everything the caller heard from <Say>, in order. */
  heard(): string[];
}

const FINAL: CallStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];
const SIP_CODE: Partial<Record<CallStatus, string>> = { completed: '200', busy: '486', 'no-answer': '487', canceled: '487', failed: '500' };

export interface CallInit {
  from: string;
  to: string;
  direction: Direction;
  parentCallSid?: string;
  script?: CallerStep[];
  statusCallback?: StatusCallbackConfig;
  fallbackUrl?: string;
  phoneNumberSid?: string;
}

export class CallSession implements SimCall {
  readonly sid = newSid('CA');
  readonly from: string;
  readonly to: string;
  readonly direction: Direction;
  readonly parentCallSid?: string;
  readonly phoneNumberSid?: string;
  readonly transcript: TranscriptEntry[] = [];
  readonly done: Promise<TranscriptEntry[]>;
  readonly createdAt = new Date();
  updatedAt = new Date();
  startTime?: Date;
  endTime?: Date;
  statusCallback?: StatusCallbackConfig;
  fallbackUrl?: string;
  /** What an outgoing call runs once answered (REST may change it while it rings). */
  answerNext?: Next;
  script: CallerStep[];
  /** The caller stays silent until this simulated time (set by a `wait` step). */
  silentUntil = 0;
  webhookCount = 0;
  endedBy?: string;
  /** Set by answering-machine detection (REST `MachineDetection`). */
  answeredBy?: string;
  private currentStatus: CallStatus = 'queued';
  private readonly startSim: number;
  private answeredSim?: number;
  private endSim?: number;
  private pending?: Interrupt;
  private readonly wakers = new Set<() => void>();
  private readonly scriptWaiters = new Set<() => void>();
  private readonly transcriptWaiters = new Set<() => void>();
  /** Where the search for the words of a `hear` step starts: after the words the last one heard. */
  private heardUpTo = 0;
  private sequence = 0;
  private statusChain: Promise<unknown> = Promise.resolve();
  private readonly background: Promise<unknown>[] = [];
  private resolveDone!: (t: TranscriptEntry[]) => void;
  private readonly maxTimer: NodeJS.Timeout;

  constructor(private readonly ctx: CarrierContext, init: CallInit) {
    this.from = init.from;
    this.to = init.to;
    this.direction = init.direction;
    this.parentCallSid = init.parentCallSid;
    this.phoneNumberSid = init.phoneNumberSid;
    this.script = [...(init.script ?? [])];
    this.statusCallback = init.statusCallback;
    this.fallbackUrl = init.fallbackUrl;
    this.startSim = ctx.clock.now();
    this.done = new Promise((r) => (this.resolveDone = r));
    this.maxTimer = setTimeout(
      () => this.interrupt({ kind: 'hangup', by: 'caller', reason: 'max-call-seconds' }),
      ctx.clock.ms(ctx.opts.maxCallSeconds),
    );
    this.maxTimer.unref();
    ctx.addCall(this);
  }

  get status(): CallStatus {
    return this.currentStatus;
  }
  get ended(): boolean {
    return FINAL.includes(this.currentStatus);
  }
  get answered(): boolean {
    return this.answeredSim !== undefined;
  }
  /** Simulated seconds since the call was created. */
  now(): number {
    return this.ctx.clock.now() - this.startSim;
  }
  /** Seconds talked: from answer to end (or now). */
  get durationSeconds(): number {
    if (this.answeredSim === undefined) return 0;
    return Math.max(0, Math.round((this.endSim ?? this.ctx.clock.now()) - this.answeredSim));
  }

  log(kind: TranscriptKind, text?: string, detail?: Record<string, string>): void {
    const entry: TranscriptEntry = { t: Math.round(this.now() * 10) / 10, kind };
    if (text !== undefined) entry.text = text;
    if (detail && Object.keys(detail).length) entry.detail = detail;
    this.transcript.push(entry);
    if (this.transcriptWaiters.size) {
      for (const w of [...this.transcriptWaiters]) w();
      this.transcriptWaiters.clear();
    }
  }

  /** Whether the caller has heard `words` (in a <Say>) since the last words a `hear` step waited for; marks them heard. */
  hasHeard(words: string): boolean {
    for (let i = this.heardUpTo; i < this.transcript.length; i++) {
      const e = this.transcript[i];
      if (e.kind === 'say' && e.text?.includes(words)) {
        this.heardUpTo = i + 1;
        return true;
      }
    }
    return false;
  }

  /** Resolves the next time something is added to the transcript. */
  transcriptChanged(): Promise<void> {
    return new Promise((r) => this.transcriptWaiters.add(r));
  }

  heard(): string[] {
    return this.transcript.filter((e) => e.kind === 'say').map((e) => e.text ?? '');
  }

  /** The parameters Twilio puts on every webhook about this call. */
  params(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const p: Record<string, string | undefined> = {
      CallSid: this.sid,
      AccountSid: this.ctx.opts.accountSid,
      From: this.from,
      To: this.to,
      Caller: this.from,
      Called: this.to,
      CallStatus: this.currentStatus,
      ApiVersion: '2010-04-01',
      Direction: this.direction,
      ParentCallSid: this.parentCallSid,
      ...extra,
    };
    return Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined));
  }

  setStatus(status: CallStatus): void {
    if (this.ended || status === this.currentStatus) return;
    this.currentStatus = status;
    this.updatedAt = new Date();
    this.ctx.events.emit('call-status', { callSid: this.sid, status, direction: this.direction, from: this.from, to: this.to });
    const event = status === 'in-progress' ? 'answered' : FINAL.includes(status) ? 'completed' : status;
    if (this.statusCallback && (this.statusCallback.events.has(event) || (event === 'completed' && this.statusCallback.events.size === 0))) {
      this.postStatus();
    }
  }

  answer(): void {
    if (this.answered || this.ended) return;
    this.answeredSim = this.ctx.clock.now();
    this.startTime = new Date();
    this.log('status', 'answered');
    this.setStatus('in-progress');
  }

  /** Ends the call once: the last transcript entry says who hung up; `done` resolves after callbacks are delivered. */
  finish(status: CallStatus, by: string, reason?: string): void {
    if (this.ended) return;
    clearTimeout(this.maxTimer);
    this.endSim = this.ctx.clock.now();
    this.endTime = new Date();
    this.endedBy = by;
    if (!FINAL.includes(status)) status = 'completed';
    this.log('hangup', by, { status, ...(reason ? { reason } : {}) });
    this.ctx.opts.log('call ended', { callSid: this.sid, status, by, seconds: this.durationSeconds });
    this.ctx.recordings.finishForCall(this.sid);
    this.setStatus(status);
    if (!this.pending || this.pending.kind !== 'hangup') this.pending = { kind: 'hangup', by };
    for (const w of [...this.wakers]) w();
    void Promise.allSettled([this.statusChain, ...this.background]).then(() => this.resolveDone(this.transcript));
  }

  /** Keeps `done` open until this side task (a callback post) has finished. */
  track(p: Promise<unknown>): void {
    this.background.push(p.catch(() => undefined));
  }

  // --- interrupts and simulated waits ---

  /** Returns false when the call already ended or is already hanging up. */
  interrupt(i: Interrupt): boolean {
    if (this.ended || this.pending?.kind === 'hangup') return false;
    this.pending = i;
    for (const w of [...this.wakers]) w();
    return true;
  }

  /** The caller hangs up (script step, or a test calling it). */
  hangup(by = 'caller'): void {
    this.interrupt({ kind: 'hangup', by });
  }

  /** Hangs up from inside the call's own flow: throw the result. */
  hangupNow(by: string): Interrupted {
    this.interrupt({ kind: 'hangup', by });
    return new Interrupted(this.pending ?? { kind: 'hangup', by });
  }

  get pendingInterrupt(): Interrupt | undefined {
    return this.pending;
  }

  clearInterrupt(): void {
    if (this.pending?.kind !== 'hangup') this.pending = undefined;
  }

  checkpoint(): void {
    if (this.pending) throw new Interrupted(this.pending);
  }

  /** Waits until `p` settles or `simSeconds` pass (settled=false); throws Interrupted when interrupted. */
  waitFor<T>(p: Promise<T> | undefined, simSeconds?: number): Promise<{ settled: true; value: T } | { settled: false }> {
    this.checkpoint();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let over = false;
      const finish = (fn: () => void) => {
        if (over) return;
        over = true;
        if (timer) clearTimeout(timer);
        this.wakers.delete(wake);
        fn();
      };
      const wake = () => finish(() => reject(new Interrupted(this.pending!)));
      this.wakers.add(wake);
      if (simSeconds !== undefined) timer = setTimeout(() => finish(() => resolve({ settled: false })), this.ctx.clock.ms(simSeconds));
      p?.then(
        (value) => finish(() => resolve({ settled: true, value })),
        (err) => finish(() => reject(err)),
      );
    });
  }

  async sleep(simSeconds: number): Promise<void> {
    await this.waitFor(undefined, Math.max(0, simSeconds));
  }

  // --- the caller's script ---

  takeStep(): CallerStep | undefined {
    const step = this.script.shift();
    for (const w of [...this.scriptWaiters]) w();
    this.scriptWaiters.clear();
    return step;
  }

  /** Resolves the next time a step is taken from the script. */
  scriptChanged(): Promise<void> {
    return new Promise((r) => this.scriptWaiters.add(r));
  }

  // --- status callbacks ---

  private postStatus(): void {
    const sc = this.statusCallback!;
    const final = this.ended;
    const params = this.params({
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(this.sequence++),
      Timestamp: rfc2822(new Date())!,
      ...(final
        ? {
            CallDuration: String(this.durationSeconds),
            Duration: String(Math.ceil(this.durationSeconds / 60)),
            SipResponseCode: SIP_CODE[this.currentStatus],
          }
        : {}),
    });
    const sent = this.ctx.callbacks.schedule(this.statusChain, () => this.ctx.webhooks.send(sc.url, sc.method, params));
    if (this.ctx.callbacks.shuffled) this.track(sent);
    else this.statusChain = sent;
  }
}

/** Parses StatusCallbackEvent values (repeated params or space-separated). */
export function statusEvents(values: string[] | string | undefined): Set<string> {
  const list = Array.isArray(values) ? values : values ? [values] : [];
  return new Set(list.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean));
}
