// <Dial>: rings Numbers/Clients in parallel and bridges the first to answer, takes the front caller of a <Queue>, or joins a <Conference>.
import { CallSession, Interrupted, statusEvents } from './call-session';
import { Bridge } from './bridge';
import { deferred } from './deferred';
import { waitWithScript } from './caller-input';
import type { RingOutcome } from './endpoints';
import type { QueueMember } from './carrier-queues';
import { boolAttr, numAttr, type TwimlNode } from './twiml-document';
import { TwimlRunner, type DocContext, type VerbResult } from './twiml-runner';
import { DEFAULT_WAIT_MUSIC } from './enqueue-verb';

type DialState = Record<string, string>;

/** The party a call is with, as the other side sees it. */
export function partyOf(call: CallSession): string {
  return call.direction === 'inbound' ? call.from : call.to;
}

export async function dialVerb(runner: TwimlRunner, node: TwimlNode, dctx: DocContext): Promise<VerbResult> {
  const a = node.attrs;
  const timeout = Math.min(600, Math.max(5, numAttr(a.timeout, 30)));
  const nouns = node.children.length ? node.children : [{ name: 'Number', attrs: {}, children: [], text: node.text.trim() }];
  const state: DialState = { DialCallStatus: 'no-answer', DialBridged: 'false' };
  const conference = nouns.find((n) => n.name === 'Conference');
  const queue = nouns.find((n) => n.name === 'Queue');
  try {
    if (conference) await dialConference(runner, conference, dctx, state);
    else if (queue) await dialQueue(runner, queue, a, timeout, dctx, state);
    else await dialLegs(runner, nouns, a, timeout, dctx, state);
  } catch (err) {
    if (err instanceof Interrupted && err.interrupt.kind === 'hangup') {
      await runner.notify(runner.action(a.action, a.method, state, dctx, false));
    }
    throw err;
  }
  runner.call.log('dial', `ended: ${state.DialCallStatus}`, state.DialCallDuration ? { duration: state.DialCallDuration } : undefined);
  return runner.action(a.action, a.method, state, dctx, false);
}

/** One outgoing leg of a <Dial>: rings, and once chosen, runs the noun's whisper url and stays bridged until one side leaves. */
class DialLeg {
  outcome?: RingOutcome;
  readonly answered = deferred<boolean>();
  private readonly link = deferred<Bridge | null>();
  readonly call: CallSession;
  private readonly whisper?: { url: string; method: string };

  constructor(private readonly parent: TwimlRunner, noun: TwimlNode, from: string, to: string, dctx: DocContext) {
    const n = noun.attrs;
    this.call = new CallSession(parent.ctx, {
      from,
      to,
      direction: 'outbound-dial',
      parentCallSid: parent.call.sid,
      statusCallback: n.statusCallback
        ? { url: parent.resolve(n.statusCallback, dctx.url), method: n.statusCallbackMethod ?? 'POST', events: statusEvents(n.statusCallbackEvent) }
        : undefined,
    });
    this.whisper = n.url ? { url: parent.resolve(n.url, dctx.url), method: (n.method ?? 'POST').toUpperCase() } : undefined;
  }

  start(timeout: number): void {
    const leg = this.call;
    const runner = new TwimlRunner(this.parent.ctx, leg);
    void runner.run(async () => {
      const o = (this.outcome = await this.parent.ctx.endpoints.ring(leg, timeout));
      if (o !== 'answered') {
        leg.finish(o, o === 'canceled' ? 'remote' : o === 'busy' ? 'callee' : 'carrier');
        this.answered.resolve(false);
        return null;
      }
      this.answered.resolve(true);
      const chosen = await leg.waitFor(this.link.promise);
      const bridge = chosen.settled ? chosen.value : null;
      if (!bridge) throw leg.hangupNow('remote');
      try {
        if (this.whisper) {
          try {
            const verbs = await runner.fetch(this.whisper.url, this.whisper.method);
            await runner.execute(verbs, { url: this.whisper.url });
          } catch (err) {
            if (err instanceof Interrupted) throw err;
            leg.log('error', (err as Error).message, { code: String((err as { code?: number }).code ?? 11200), url: this.whisper.url });
          }
        }
        bridge.start(this.parent.ctx.clock.now());
        leg.log('bridged', partyOf(this.parent.call), { callSid: this.parent.call.sid });
        await waitWithScript(leg, bridge.ended, true);
      } catch (err) {
        bridge.end(leg.sid, this.parent.ctx.clock.now());
        throw err;
      }
      leg.finish('completed', 'remote');
      return null;
    });
  }

  connect(bridge: Bridge): void {
    this.link.resolve(bridge);
  }

  cancel(): void {
    this.link.resolve(null);
    this.call.hangup('remote');
  }
}

async function dialLegs(runner: TwimlRunner, nouns: TwimlNode[], a: Record<string, string>, timeout: number, dctx: DocContext, state: DialState) {
  const { call } = runner;
  const legs = nouns
    .filter((n) => n.name === 'Number' || n.name === 'Client' || n.name === 'Sip')
    .map((n) => {
      const identity = n.children.find((c) => c.name === 'Identity')?.text ?? n.text;
      const to = n.name === 'Client' ? `client:${identity.trim()}` : n.text.trim();
      return new DialLeg(runner, n, a.callerId ?? call.from, to, dctx);
    });
  call.log('dial', legs.map((l) => l.call.to).join(', '), { timeout: String(timeout) });
  for (const leg of legs) leg.start(timeout);
  const first = new Promise<DialLeg | null>((resolve) => {
    let pending = legs.length;
    if (!pending) resolve(null);
    for (const l of legs) void l.answered.promise.then((ok) => (ok ? resolve(l) : --pending === 0 && resolve(null)));
  });
  let winner: DialLeg | null = null;
  try {
    await waitWithScript(call, first, true);
    winner = await first;
  } catch (err) {
    for (const l of legs) l.cancel();
    state.DialCallStatus = 'canceled';
    throw err;
  }
  for (const l of legs) if (l !== winner) l.cancel();
  if (!winner) {
    const outcomes = legs.map((l) => l.outcome);
    state.DialCallStatus = outcomes.includes('busy') ? 'busy' : outcomes.length && outcomes.every((o) => o === 'failed') ? 'failed' : 'no-answer';
    if (legs.length === 1) state.DialCallSid = legs[0].call.sid;
    return;
  }
  state.DialCallSid = winner.call.sid;
  const bridge = new Bridge(call, winner.call);
  winner.connect(bridge);
  await talk(runner, bridge, a, dctx, state);
}

/** The dialer's side of a bridge: wait until it starts, talk, then fill in DialCallStatus/Duration (and the recording). */
async function talk(runner: TwimlRunner, bridge: Bridge, a: Record<string, string>, dctx: DocContext, state: DialState) {
  const { call, ctx } = runner;
  const record = a.record && a.record !== 'do-not-record' && a.record !== 'false';
  let recording: ReturnType<typeof ctx.recordings.start> | undefined;
  try {
    await call.waitFor(Promise.race([bridge.started, bridge.ended]));
    if (bridge.isEnded && !bridge.startedAt) return;
    state.DialCallStatus = 'completed';
    state.DialBridged = 'true';
    call.log('bridged', partyOf(bridge.callee), { callSid: bridge.callee.sid });
    ctx.events.emit('bridged', { callSid: call.sid, otherCallSid: bridge.callee.sid, queueSid: bridge.queue?.queueSid });
    if (record) {
      const callback = a.recordingStatusCallback
        ? { url: runner.resolve(a.recordingStatusCallback, dctx.url), method: a.recordingStatusCallbackMethod ?? 'POST', events: statusEvents(a.recordingStatusCallbackEvent) }
        : undefined;
      recording = ctx.recordings.start({ callSid: call.sid, source: 'DialVerb', callback, channels: a.record.includes('dual') ? 2 : 1 });
    }
    await waitWithScript(call, bridge.ended, true);
  } finally {
    bridge.end(call.sid, ctx.clock.now());
    state.DialCallDuration = String(bridge.seconds);
    if (recording) {
      ctx.recordings.finish(recording);
      Object.assign(state, { RecordingUrl: ctx.recordings.url(recording), RecordingSid: recording.sid, RecordingDuration: String(recording.duration) });
    }
  }
}

async function dialQueue(runner: TwimlRunner, noun: TwimlNode, a: Record<string, string>, timeout: number, dctx: DocContext, state: DialState) {
  const { call, ctx } = runner;
  const name = noun.text.trim();
  const queue = ctx.queues.getOrCreate(name);
  call.log('dial', `queue:${name}`, { timeout: String(timeout) });
  const deadline = call.now() + timeout;
  let member: QueueMember | undefined;
  for (;;) {
    member = queue.members.find((m) => !m.call.ended && !m.call.pendingInterrupt);
    const left = deadline - call.now();
    if (member || left <= 0) break;
    await call.waitFor(queue.joined(), left);
  }
  if (!member) {
    call.log('dial', `queue ${name} is empty`);
    return;
  }
  queue.remove(member);
  const queueTime = queue.waitTime(member);
  const url = noun.attrs.url ? runner.resolve(noun.attrs.url, dctx.url) : undefined;
  const bridge = new Bridge(call, member.call, { queueSid: queue.sid, queueTime, url, method: noun.attrs.method });
  member.bridge = bridge;
  Object.assign(state, { DialCallSid: member.call.sid, QueueSid: queue.sid, QueueTime: String(queueTime), DequeingCallSid: call.sid });
  if (!member.call.interrupt({ kind: 'bridge', bridge })) bridge.end(member.call.sid, ctx.clock.now());
  await talk(runner, bridge, a, dctx, state);
}

async function dialConference(runner: TwimlRunner, noun: TwimlNode, dctx: DocContext, state: DialState) {
  const { call, ctx } = runner;
  const n = noun.attrs;
  const name = noun.text.trim();
  const conf = ctx.conferences.getOrCreate(name);
  conf.configure({
    statusCallback: n.statusCallback ? { url: runner.resolve(n.statusCallback, dctx.url), method: n.statusCallbackMethod ?? 'POST', events: statusEvents(n.statusCallbackEvent) } : undefined,
    record: n.record === 'record-from-start',
    recordingCallback: n.recordingStatusCallback
      ? { url: runner.resolve(n.recordingStatusCallback, dctx.url), method: n.recordingStatusCallbackMethod ?? 'POST', events: statusEvents(n.recordingStatusCallbackEvent) }
      : undefined,
  });
  call.log('dial', `conference:${name}`);
  const p = conf.join(call, {
    label: n.participantLabel,
    muted: boolAttr(n.muted, false),
    hold: false,
    coaching: !!n.coach,
    callSidToCoach: n.coach || undefined,
    startConferenceOnEnter: boolAttr(n.startConferenceOnEnter, true),
    endConferenceOnExit: boolAttr(n.endConferenceOnExit, false),
    beep: n.beep ?? 'true',
  });
  state.DialCallStatus = 'answered';
  state.ConferenceSid = conf.sid;
  const joined = call.now();
  if (conf.status === 'init' && n.waitUrl !== '') await waitMusic(runner, n.waitUrl, n.waitMethod, dctx);
  try {
    await waitWithScript(call, p.left.promise, true);
  } catch (err) {
    conf.leave(p, err instanceof Interrupted && err.interrupt.kind === 'hangup' ? 'hangup' : 'left');
    throw err;
  } finally {
    state.DialCallDuration = String(Math.round(call.now() - joined));
  }
}

/** The conference waitUrl is played once, then silence; its Say/Play are noted without taking time. */
async function waitMusic(runner: TwimlRunner, waitUrl: string | undefined, method: string | undefined, dctx: DocContext) {
  const { call } = runner;
  if (!waitUrl) {
    call.log('play', DEFAULT_WAIT_MUSIC);
    return;
  }
  try {
    const url = runner.resolve(waitUrl, dctx.url);
    for (const v of await runner.fetch(url, (method ?? 'POST').toUpperCase(), {}, ['Play', 'Say', 'Pause', 'Redirect'])) {
      if (v.name === 'Say') call.log('say', v.text);
      if (v.name === 'Play') call.log('play', v.text.trim());
    }
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    call.log('error', (err as Error).message, { code: String((err as { code?: number }).code ?? 11200), url: waitUrl });
  }
}
