// Plays a call's TwiML the way Twilio does: fetches documents, runs verbs in order, follows actions and redirects, falls back on errors.
import type { CarrierContext } from './carrier-context';
import { Interrupted, statusEvents, type CallSession, type Next } from './call-session';
import { parseTwiml, boolAttr, numAttr, TwimlError, type TwimlNode } from './twiml-document';
import type { WebhookResponse } from './webhook-client';
import { gatherInput, recordInput } from './caller-input';
import { speechSeconds } from './sim-clock';
import type { QueueMember } from './carrier-queues';
import { enqueueVerb } from './enqueue-verb';
import { dialVerb } from './dial-verb';
import { GATHER_LANGUAGES } from './twilio-vocabulary';

/** A call may make this many TwiML requests before the simulator hangs it up as a runaway loop. */
export const MAX_WEBHOOKS_PER_CALL = 500;
export const APPLICATION_ERROR = "We're sorry, an application error has occurred. Goodbye.";

export const LEAVE = Symbol('leave');
/** undefined: go on with the next verb; null: the document is over; Next: fetch that; LEAVE: leave the queue. */
export type VerbResult = Next | null | undefined | typeof LEAVE;

export interface DocContext {
  /** The URL the document came from (base for relative URLs, default action). */
  url?: string;
  /** Set while running an <Enqueue> waitUrl document. */
  inQueue?: QueueMember;
}

/** An error Twilio reports with a code (bad URL, HTTP failure, bad TwiML). */
export class CallError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
class RunawayCall extends Error {}

export class TwimlRunner {
  private lastRedirect = -Infinity;

  constructor(readonly ctx: CarrierContext, readonly call: CallSession) {}

  /** Runs the call to its end; `start` does what comes before the first document (ringing) and returns it, or null. */
  async run(start: () => Promise<Next | null>): Promise<void> {
    const call = this.call;
    try {
      let next = await this.redirectable(start);
      while (next && !call.ended) {
        const current: Next = next;
        next = await this.redirectable(() => this.document(current));
      }
      if (!call.ended) call.finish('completed', 'server', 'end of TwiML');
    } catch (err) {
      if (err instanceof Interrupted && err.interrupt.kind === 'hangup') {
        call.finish(call.answered ? 'completed' : 'canceled', err.interrupt.by, err.interrupt.reason);
      } else {
        if (!(err instanceof Interrupted)) this.ctx.opts.log('simulator error', { callSid: call.sid, error: (err as Error).stack });
        call.log('error', (err as Error).message, err instanceof RunawayCall ? { code: 'runaway' } : { code: 'simulator' });
        call.finish(call.answered ? 'completed' : 'failed', 'simulator');
      }
    }
  }

  private async redirectable(fn: () => Promise<Next | null>): Promise<Next | null> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      const i = err.interrupt;
      if (i.kind === 'redirect' || i.kind === 'twiml') {
        this.call.clearInterrupt();
        this.call.log('redirect', i.kind === 'redirect' ? i.url : 'inline TwiML', { by: i.source });
        return i.kind === 'redirect' ? { url: i.url, method: i.method } : { twiml: i.twiml };
      }
      if (i.kind === 'bridge') {
        this.call.clearInterrupt();
        i.bridge.end(this.call.sid, this.ctx.clock.now());
        this.call.log('error', 'dequeued by <Dial><Queue> while not waiting in a queue', { code: 'simulator' });
        return null;
      }
      throw err;
    }
  }

  private async document(next: Next): Promise<Next | null> {
    const call = this.call;
    let verbs: TwimlNode[];
    const url = 'url' in next ? next.url : undefined;
    try {
      verbs = url ? await this.fetch(url, (next as { method: string }).method, (next as { params?: Record<string, string> }).params) : parseTwiml((next as { twiml: string }).twiml);
    } catch (err) {
      if (err instanceof Interrupted || err instanceof RunawayCall) throw err;
      return this.failed(err as Error, url ?? 'inline TwiML');
    }
    if (!call.answered) {
      if (verbs[0]?.name === 'Reject') {
        const reason = verbs[0].attrs.reason ?? 'rejected';
        call.log('reject', reason);
        call.finish(reason === 'busy' ? 'busy' : 'no-answer', 'server', 'rejected');
        return null;
      }
      call.answer();
    }
    const r = await this.execute(verbs, { url });
    return r === LEAVE || r === undefined ? null : r;
  }

  /** A failed request or a bad document: the fallback URL if there is one, else Twilio's announcement and hang up. */
  private async failed(err: Error, url: string): Promise<Next | null> {
    const code = (err as { code?: number }).code ?? 11200;
    const call = this.call;
    call.log('error', err.message, { code: String(code), url });
    this.ctx.events.emit('call-error', { callSid: call.sid, code, url, message: err.message });
    if (call.fallbackUrl && url !== call.fallbackUrl) {
      return { url: call.fallbackUrl, method: 'POST', params: { ErrorCode: String(code), ErrorUrl: url } };
    }
    if (!call.answered) call.answer();
    await this.say(APPLICATION_ERROR);
    throw call.hangupNow('server');
  }

  /** Requests TwiML for this call; `allowed` restricts verbs (waitUrl documents). */
  async fetch(url: string, method: string, extra: Record<string, string> = {}, allowed?: string[], counted = true): Promise<TwimlNode[]> {
    const call = this.call;
    if (counted && ++call.webhookCount > MAX_WEBHOOKS_PER_CALL) {
      throw new RunawayCall(`more than ${MAX_WEBHOOKS_PER_CALL} TwiML requests: hung up as a loop`);
    }
    const res = await this.ctx.webhooks.send(url, method, call.params(extra));
    call.checkpoint();
    return this.toVerbs(res, allowed);
  }

  private toVerbs(res: WebhookResponse, allowed?: string[]): TwimlNode[] {
    const type = res.contentType.toLowerCase();
    if (type.startsWith('audio/')) throw new TwimlError(12300, 'Invalid Content-Type: audio responses are not simulated');
    if (type.startsWith('text/plain') && !res.body.trim().startsWith('<')) {
      return [{ name: 'Say', attrs: {}, children: [], text: res.body.trim() }];
    }
    if (type && !/xml|html|text\/plain/.test(type)) throw new TwimlError(12300, `Invalid Content-Type: ${res.contentType}`);
    return parseTwiml(res.body, allowed);
  }

  /** Posts a request whose answer Twilio ignores (an action when the caller already hung up). */
  async notify(next: Next | undefined, callStatus = 'completed'): Promise<void> {
    if (!next || !('url' in next)) return;
    this.call.webhookCount++;
    const params = this.call.params({ ...next.params, CallStatus: callStatus });
    const sent = this.ctx.callbacks.schedule(Promise.resolve(), () => this.ctx.webhooks.send(next.url, next.method, params));
    // Shuffled, it races the status callback as on Twilio; in order, it is sent before the call's end is reported.
    if (this.ctx.callbacks.shuffled) this.call.track(sent);
    else await sent;
  }

  resolve(url: string, base?: string): string {
    let u: URL;
    try {
      u = new URL(url.trim(), base);
    } catch {
      throw new CallError(11100, `Invalid URL: ${url}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CallError(11100, `Invalid URL: ${url}`);
    return u.toString();
  }

  /** A verb's action: its TwiML replaces the document. Without one (and no default) the call goes on. */
  action(action: string | undefined, method: string | undefined, params: Record<string, string>, dctx: DocContext, defaultToCurrent: boolean): Next | undefined {
    const target = action ?? (defaultToCurrent ? dctx.url : undefined);
    if (target === undefined || target === '') return undefined;
    return { url: this.resolve(target, dctx.url), method: (method ?? 'POST').toUpperCase(), params };
  }

  async execute(verbs: TwimlNode[], dctx: DocContext): Promise<VerbResult> {
    for (const verb of verbs) {
      let r: VerbResult;
      try {
        r = await this.verb(verb, dctx);
      } catch (err) {
        if (err instanceof CallError) return this.failed(err, dctx.url ?? 'inline TwiML');
        throw err;
      }
      if (r !== undefined) return r;
    }
    return null;
  }

  private async verb(v: TwimlNode, dctx: DocContext): Promise<VerbResult> {
    const call = this.call;
    const a = v.attrs;
    switch (v.name) {
      case 'Say': {
        const loops = loopCount(a.loop);
        for (let i = 0; i < loops; i++) await this.say(v.text, a);
        return undefined;
      }
      case 'Play': {
        if (a.digits) {
          call.log('play', `digits ${a.digits}`);
          await call.sleep([...a.digits].reduce((s, d) => s + (d === 'w' ? 0.5 : 0.1), 0));
          return undefined;
        }
        const loops = loopCount(a.loop);
        call.log('play', v.text.trim(), loops > 1 ? { loop: a.loop ?? '' } : undefined);
        await call.sleep(this.ctx.opts.playSeconds * loops);
        return undefined;
      }
      case 'Pause': {
        const length = numAttr(a.length, 1);
        call.log('pause', `${length}s`);
        await call.sleep(length);
        return undefined;
      }
      case 'Gather':
        return this.gather(v, dctx);
      case 'Record':
        return this.record(v, dctx);
      case 'Redirect': {
        const url = this.resolve(v.text, dctx.url);
        const since = call.now() - this.lastRedirect;
        if (since < 1) await call.sleep(1 - since);
        this.lastRedirect = call.now();
        call.log('redirect', url);
        return { url, method: (a.method ?? 'POST').toUpperCase() };
      }
      case 'Hangup':
        throw call.hangupNow('server');
      case 'Reject':
        call.log('reject', a.reason ?? 'rejected', { note: 'not the first verb: hangs up' });
        throw call.hangupNow('server');
      case 'Leave':
        return dctx.inQueue ? LEAVE : undefined;
      case 'Enqueue':
        return enqueueVerb(this, v, dctx);
      case 'Dial':
        return dialVerb(this, v, dctx);
      default:
        throw new CallError(12200, `<${v.name}> is not supported`);
    }
  }

  async say(text: string, attrs: Record<string, string> = {}): Promise<void> {
    const detail: Record<string, string> = {};
    if (attrs.language) detail.language = attrs.language;
    if (attrs.voice) detail.voice = attrs.voice;
    this.call.log('say', text, detail);
    await this.call.sleep(speechSeconds(text));
  }

  private async gather(v: TwimlNode, dctx: DocContext): Promise<VerbResult> {
    const a = v.attrs;
    const input = (a.input ?? 'dtmf').toLowerCase();
    const spec = {
      dtmf: input.includes('dtmf'),
      speech: input.includes('speech'),
      numDigits: numAttr(a.numDigits, 0) || undefined,
      finishOnKey: a.finishOnKey ?? '#',
      timeout: numAttr(a.timeout, 5),
    };
    this.call.log('gather', undefined, {
      input,
      timeout: String(spec.timeout),
      ...(spec.numDigits ? { numDigits: String(spec.numDigits) } : {}),
      ...(spec.finishOnKey ? { finishOnKey: spec.finishOnKey } : {}),
    });
    for (const child of v.children) await this.verb(child, dctx);
    if (spec.speech && a.language !== undefined && !GATHER_LANGUAGES.has(a.language)) {
      // Warning 13331: the recognizer cannot take this language, so the gather fails and the call goes on without input.
      this.call.log('error', `Gather: Invalid language value ${a.language}`, { code: '13331' });
      this.ctx.events.emit('call-error', { callSid: this.call.sid, code: 13331, url: dctx.url, message: `Gather: Invalid language value ${a.language}` });
      return boolAttr(a.actionOnEmptyResult, false) ? this.action(a.action, a.method, spec.dtmf ? { Digits: '' } : {}, dctx, true) : undefined;
    }
    const got = await gatherInput(this.call, spec);
    if (got) {
      let params: Record<string, string>;
      if ('digits' in got) params = { Digits: got.digits };
      else {
        const heard = this.ctx.recognizer.recognize(got.speech, got.heardAs);
        this.call.log('recognized', heard.text, { confidence: heard.confidence.toFixed(2) });
        params = { SpeechResult: heard.text, Confidence: String(heard.confidence) };
      }
      return this.action(a.action, a.method, params, dctx, true);
    }
    if (boolAttr(a.actionOnEmptyResult, false)) return this.action(a.action, a.method, spec.dtmf ? { Digits: '' } : {}, dctx, true);
    return undefined;
  }

  private async record(v: TwimlNode, dctx: DocContext): Promise<VerbResult> {
    const a = v.attrs;
    const call = this.call;
    const spec = { timeout: numAttr(a.timeout, 5), finishOnKey: a.finishOnKey ?? '1234567890*#', maxLength: numAttr(a.maxLength, 3600) };
    call.log('record', undefined, { timeout: String(spec.timeout), maxLength: String(spec.maxLength), finishOnKey: spec.finishOnKey });
    if (boolAttr(a.playBeep, true)) {
      call.log('play', 'beep');
      await call.sleep(0.5);
    }
    const got = await recordInput(call, spec);
    if (got.seconds <= 0) {
      call.log('record', 'nothing recorded');
      if (got.hungUp) throw call.hangupNow('caller');
      return undefined;
    }
    const callback = a.recordingStatusCallback
      ? { url: this.resolve(a.recordingStatusCallback, dctx.url), method: a.recordingStatusCallbackMethod ?? 'POST', events: statusEvents(a.recordingStatusCallbackEvent) }
      : undefined;
    const rec = this.ctx.recordings.completed({ callSid: call.sid, source: 'RecordVerb', callback }, got.seconds);
    call.log('record', `${rec.duration}s`, { recordingSid: rec.sid, ...(got.digits ? { digits: got.digits } : {}) });
    const params: Record<string, string> = { RecordingUrl: this.ctx.recordings.url(rec), RecordingDuration: String(rec.duration), RecordingSid: rec.sid };
    if (got.digits) params.Digits = got.digits;
    const next = this.action(a.action, a.method, params, dctx, true);
    if (got.hungUp) {
      await this.notify(next);
      throw call.hangupNow('caller');
    }
    return next;
  }
}

function loopCount(loop: string | undefined): number {
  const n = numAttr(loop, 1);
  return n <= 0 ? 1000 : Math.min(n, 1000);
}
