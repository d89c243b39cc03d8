// What answers when the carrier dials out: registered softphones (client:<identity>) and simulated phone numbers.
import { EventEmitter } from 'node:events';
import type { CarrierContext } from './carrier-context';
import { Interrupted, type CallSession, type SimCall } from './call-session';
import type { CallerStep } from './caller-script';
import { deferred, type Deferred } from './deferred';
import { verifyVoiceToken } from './access-token';

/** How many of its calls a softphone remembers. */
const RECENT_CALLS = 20;

export type RingOutcome = 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface SoftphoneOptions {
  identity: string;
  /** A Voice access token (HS256 JWT signed with the API key secret) with an incoming-allowed voice grant. */
  token: string;
  /** Simulated seconds of ringing before answering, or 'never' (answer with `answer()`). @default 1 */
  answerAfter?: number | 'never';
  /** Declines every call (the caller gets busy). */
  reject?: boolean;
  /** What the agent does once connected, per call (e.g. `[{wait: 30}, {hangup: true}]`). */
  script?: CallerStep[];
}

/** Who (or what) picks up, as answering-machine detection reports it (Twilio's `AnsweredBy`). */
export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';
export const ANSWERED_BY: AnsweredBy[] = ['human', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax', 'unknown'];

export interface PhoneOptions {
  number: string;
  /** What the number does when dialed: answer, be busy, ring out unanswered, or fail (unreachable). @default 'answer' */
  outcome?: 'answer' | 'busy' | 'no-answer' | 'failed';
  /** Seconds of ringing before the answer. @default 2 */
  answerAfter?: number | 'never';
  /** Who answers, for `MachineDetection`. @default 'human' */
  answeredBy?: AnsweredBy;
  reject?: boolean;
  script?: CallerStep[];
}

/** One scripted answer of a number, consumed by the next call placed to it. */
export const SCRIPTED_OUTCOMES = ['human', 'machine', 'fax', 'busy', 'no-answer', 'failed'] as const;
export type ScriptedOutcome = (typeof SCRIPTED_OUTCOMES)[number];

export interface NumberScript {
  outcomes: ScriptedOutcome[];
  /** Simulated seconds a person who answers stays on the line before hanging up. @default 30 */
  talkSeconds?: number;
}

/** A registered agent softphone; emits 'ringing', 'connected', 'disconnected' with `{callSid, from}`. */
export class SimSoftphone extends EventEmitter {
  readonly identity: string;
  answerAfter: number | 'never';
  reject: boolean;
  script: CallerStep[];
  /**
   * Its latest answered calls, weakly: a call is the carrier's to keep (retainEndedCalls), and a thousand softphones
   * holding twenty ended calls each kept the simulator's heap growing all through a busy day (bench:day).
   */
  private readonly recent: WeakRef<CallSession>[] = [];
  currentCall?: SimCall;
  private ringingCall?: { call: CallSession; decision: Deferred<'answer' | 'reject'> };

  constructor(opts: SoftphoneOptions, private readonly onUnregister: (s: SimSoftphone) => void) {
    super();
    this.identity = opts.identity;
    this.answerAfter = opts.answerAfter ?? 1;
    this.reject = opts.reject ?? false;
    this.script = [...(opts.script ?? [])];
  }

  /** The calls it answered, oldest first: the latest ones the carrier still keeps. */
  get calls(): SimCall[] {
    return this.recent.map((r) => r.deref()).filter((c): c is CallSession => c !== undefined);
  }

  get busy(): boolean {
    return !!this.currentCall || !!this.ringingCall;
  }

  /** The call ringing now, if any. */
  get ringing(): SimCall | undefined {
    return this.ringingCall?.call;
  }

  /** Answers the ringing call; false if nothing rings. */
  answer(): boolean {
    if (!this.ringingCall) return false;
    this.ringingCall.decision.resolve('answer');
    return true;
  }

  /** Declines the ringing call (busy). */
  decline(): boolean {
    if (!this.ringingCall) return false;
    this.ringingCall.decision.resolve('reject');
    return true;
  }

  /** Hangs up the call in progress (or declines the one ringing). */
  hangup(): void {
    if (this.currentCall) this.currentCall.hangup();
    else this.decline();
  }

  unregister(): void {
    this.onUnregister(this);
  }

  /** @internal */
  startRinging(call: CallSession): Deferred<'answer' | 'reject'> {
    const decision = deferred<'answer' | 'reject'>();
    this.ringingCall = { call, decision };
    this.emit('ringing', { callSid: call.sid, from: call.from });
    return decision;
  }

  /** @internal */
  stopRinging(call: CallSession, answered: boolean): void {
    if (this.ringingCall?.call === call) this.ringingCall = undefined;
    if (!answered) return;
    this.currentCall = call;
    this.recent.push(new WeakRef(call));
    // Only the latest calls, so a softphone that takes thousands of calls does not keep them all.
    if (this.recent.length > RECENT_CALLS) this.recent.splice(0, this.recent.length - RECENT_CALLS);
    this.emit('connected', { callSid: call.sid, from: call.from });
    void call.done.then(() => {
      if (this.currentCall === call) this.currentCall = undefined;
      this.emit('disconnected', { callSid: call.sid, from: call.from });
    });
  }
}

const E164 = /^\+[1-9]\d{1,14}$/;

export class Endpoints {
  private readonly softphones = new Map<string, SimSoftphone>();
  private readonly phones = new Map<string, PhoneOptions>();
  private readonly scripts = new Map<string, { outcomes: ScriptedOutcome[]; talkSeconds: number }>();
  /** Who picked up each answered leg, for answering-machine detection. */
  private readonly pickedUpBy = new WeakMap<CallSession, AnsweredBy>();

  constructor(private readonly ctx: CarrierContext) {}

  registerSoftphone(opts: SoftphoneOptions): SimSoftphone {
    const secret = this.ctx.opts.apiKeySecret;
    if (!secret) throw new Error('the simulator needs apiKeySecret to verify softphone access tokens');
    const grant = verifyVoiceToken(opts.token, secret, { apiKeySid: this.ctx.opts.apiKeySid, accountSid: this.ctx.opts.accountSid });
    if (grant.identity !== opts.identity) throw new Error(`access token is for ${grant.identity}, not ${opts.identity}`);
    if (!grant.incomingAllow) throw new Error('access token does not allow incoming calls');
    this.softphones.get(opts.identity)?.unregister();
    const phone = new SimSoftphone(opts, (s) => this.softphones.get(s.identity) === s && this.softphones.delete(s.identity));
    this.softphones.set(opts.identity, phone);
    return phone;
  }

  phone(number: string): PhoneOptions | undefined {
    return this.phones.get(number);
  }

  softphone(identity: string): SimSoftphone | undefined {
    return this.softphones.get(identity);
  }

  registerPhone(opts: PhoneOptions): void {
    this.phones.set(opts.number, { ...opts, script: [...(opts.script ?? [])] });
  }

  /** The next calls placed to `number` end as `outcomes` say, one each, in order; after them the number's usual behaviour. */
  scriptNumber(number: string, script: NumberScript): void {
    this.scripts.set(number, { outcomes: [...script.outcomes], talkSeconds: script.talkSeconds ?? 30 });
  }

  /** Scripted outcomes not yet used by a call. */
  scriptedLeft(number: string): ScriptedOutcome[] {
    return [...(this.scripts.get(number)?.outcomes ?? [])];
  }

  /** Who answered the leg (a person unless the number says otherwise), as AMD will report it. */
  answeredBy(leg: CallSession): AnsweredBy {
    return this.pickedUpBy.get(leg) ?? this.phones.get(leg.to)?.answeredBy ?? 'human';
  }

  /** The number's behaviour for this one call: its next scripted outcome, else what it was registered with. */
  private phoneFor(leg: CallSession): PhoneOptions | undefined {
    const registered = this.phones.get(leg.to);
    const script = this.scripts.get(leg.to);
    const next = script?.outcomes.shift();
    if (!next) return registered;
    const base: PhoneOptions = { number: leg.to, answerAfter: registered?.answerAfter ?? 2 };
    switch (next) {
      case 'busy':
      case 'no-answer':
      case 'failed':
        return { ...base, outcome: next };
      case 'machine':
        return { ...base, outcome: 'answer', answeredBy: 'machine_start', script: [{ wait: 20 }, { hangup: true }] as CallerStep[] };
      case 'fax':
        return { ...base, outcome: 'answer', answeredBy: 'fax', script: [{ wait: 20 }, { hangup: true }] as CallerStep[] };
      case 'human':
        return { ...base, outcome: 'answer', answeredBy: 'human', script: registered?.script?.length ? registered.script : ([{ wait: script!.talkSeconds }, { hangup: true }] as CallerStep[]) };
    }
  }

  /** Rings the leg's `to` for up to `timeout` simulated seconds; answers the leg when picked up. */
  async ring(leg: CallSession, timeout: number): Promise<RingOutcome> {
    const identity = leg.to.startsWith('client:') ? leg.to.slice('client:'.length) : undefined;
    const softphone = identity ? this.softphones.get(identity) : undefined;
    const phone = identity ? undefined : this.phoneFor(leg);
    if (phone?.answeredBy) this.pickedUpBy.set(leg, phone.answeredBy);
    let outcome: RingOutcome = 'no-answer';
    try {
      await leg.sleep(0.1);
      leg.setStatus('initiated');
      // An unreachable or busy line never rings.
      if ((!identity && !E164.test(leg.to)) || phone?.outcome === 'failed') return (outcome = 'failed');
      if (phone?.outcome === 'busy') {
        await leg.sleep(1);
        return (outcome = 'busy');
      }
      leg.setStatus('ringing');
      leg.log('ringing', leg.to);
      if (identity && !softphone) {
        await leg.sleep(timeout);
        return 'no-answer';
      }
      if (softphone?.busy) return 'busy';
      if (phone?.outcome === 'no-answer') {
        await leg.sleep(timeout);
        return (outcome = 'no-answer');
      }
      const answerAfter = softphone ? softphone.answerAfter : (phone?.answerAfter ?? 2);
      const reject = softphone ? softphone.reject : (phone?.reject ?? false);
      leg.script = [...((softphone ?? phone)?.script ?? [])];
      const decision = softphone ? softphone.startRinging(leg) : deferred<'answer' | 'reject'>();
      if (softphone) this.ctx.events.emit('softphone-ringing', { identity, callSid: leg.sid, from: leg.from, parentCallSid: leg.parentCallSid });
      if (reject) decision.resolve('reject');
      const after = answerAfter === 'never' ? Infinity : answerAfter;
      const r = await leg.waitFor(decision.promise, Math.min(after, timeout));
      if (r.settled) outcome = r.value === 'answer' ? 'answered' : 'busy';
      else outcome = after <= timeout ? 'answered' : 'no-answer';
      return outcome;
    } catch (err) {
      if (err instanceof Interrupted && err.interrupt.kind === 'hangup') return (outcome = 'canceled');
      throw err;
    } finally {
      if (outcome === 'answered') leg.answer();
      softphone?.stopRinging(leg, outcome === 'answered');
    }
  }
}
