// <Enqueue>: the caller waits in a queue hearing the waitUrl TwiML until they leave, hang up, are redirected or are bridged by <Dial><Queue>.
import { Interrupted, type Next } from './call-session';
import type { Bridge } from './bridge';
import type { CarrierQueue, QueueMember } from './carrier-queues';
import { isHear, isPress, isSay } from './caller-script';
import { waitWithScript } from './caller-input';
import { deferred } from './deferred';
import { WAIT_URL_VERBS, type TwimlNode } from './twiml-document';
import { LEAVE, type DocContext, type TwimlRunner, type VerbResult } from './twiml-runner';
import { partyOf } from './dial-verb';

/** Twilio's default hold music for queues. */
export const DEFAULT_WAIT_MUSIC = 'http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3';

export async function enqueueVerb(runner: TwimlRunner, node: TwimlNode, dctx: DocContext): Promise<VerbResult> {
  const { call, ctx } = runner;
  const name = node.text.trim();
  const method = node.attrs.method;
  const queue = ctx.queues.getOrCreate(name);
  const result = (qr: string, m: QueueMember) => ({ QueueResult: qr, QueueSid: queue.sid, QueueTime: String(queue.waitTime(m)) });
  if (queue.size >= queue.maxSize) {
    call.log('enqueue', name, { result: 'queue-full' });
    // The caller never joined: no QueueSid or QueueTime, as on Twilio.
    return runner.action(node.attrs.action, method, { QueueResult: 'queue-full' }, dctx, false);
  }
  const member = queue.add(call);
  call.log('enqueue', name, { queueSid: queue.sid, position: String(queue.position(member)) });
  ctx.events.emit('queue-joined', { callSid: call.sid, queue: name, queueSid: queue.sid, position: queue.position(member) });
  const waiting = deferred();
  const script = waitWithScript(call, waiting.promise, false).catch(() => undefined);
  try {
    await waitInQueue(runner, node, queue, member, dctx);
  } catch (err) {
    waiting.resolve();
    await script;
    queue.remove(member);
    if (!(err instanceof Interrupted)) throw err;
    const i = err.interrupt;
    if (i.kind === 'bridge') return bridged(runner, node, queue, i.bridge, dctx);
    member.bridge?.end(call.sid, ctx.clock.now());
    const qr = i.kind === 'hangup' ? 'hangup' : 'redirected';
    if (qr === 'redirected') call.log('dequeued', name, { result: qr });
    ctx.events.emit('queue-left', { callSid: call.sid, queue: name, queueSid: queue.sid, result: qr });
    await runner.notify(runner.action(node.attrs.action, method, result(qr, member), dctx, false), qr === 'hangup' ? 'completed' : 'in-progress');
    throw err;
  }
  waiting.resolve();
  await script;
  queue.remove(member);
  call.log('leave', name, { queueTime: String(queue.waitTime(member)) });
  ctx.events.emit('queue-left', { callSid: call.sid, queue: name, queueSid: queue.sid, result: 'leave' });
  return runner.action(node.attrs.action, method, result('leave', member), dctx, false);
}

/** Runs the waitUrl document again and again (at least a simulated second per round) until <Leave>; interrupts end it. */
async function waitInQueue(runner: TwimlRunner, node: TwimlNode, queue: CarrierQueue, member: QueueMember, dctx: DocContext): Promise<void> {
  const { call, ctx } = runner;
  const waitUrl = node.attrs.waitUrl;
  const queueParams = () => ({
    QueuePosition: String(queue.position(member)),
    QueueSid: queue.sid,
    QueueTime: String(queue.waitTime(member)),
    AvgQueueTime: String(queue.averageWait()),
    CurrentQueueSize: String(queue.size),
    MaxQueueSize: String(queue.maxSize),
  });
  for (;;) {
    const roundStart = call.now();
    const head = call.script[0];
    if (waitUrl === '') {
      await call.waitFor(undefined);
    } else if (waitUrl === undefined) {
      call.log('play', DEFAULT_WAIT_MUSIC);
      await call.sleep(ctx.opts.playSeconds);
    } else {
      call.log('queue-wait', queue.friendlyName, { position: String(queue.position(member)), queueTime: String(queue.waitTime(member)) });
      let next: Next | null = { url: runner.resolve(waitUrl, dctx.url), method: (node.attrs.waitUrlMethod ?? 'POST').toUpperCase() };
      while (next && 'url' in next) {
        let verbs: TwimlNode[];
        try {
          verbs = await runner.fetch(next.url, next.method, { ...next.params, ...queueParams() }, WAIT_URL_VERBS, false);
        } catch (err) {
          if (err instanceof Interrupted) throw err;
          call.log('error', (err as Error).message, { code: String((err as { code?: number }).code ?? 11200), url: next.url });
          await call.sleep(ctx.opts.playSeconds);
          break;
        }
        const r = await runner.execute(verbs, { url: next.url, inQueue: member });
        if (r === LEAVE) return;
        next = r ?? null;
      }
    }
    const heard = call.script[0];
    if (isHear(heard) && call.hasHeard(heard.hear)) call.takeStep();
    const now = call.script[0];
    // A key or word due during a round with no gather is lost, as on a real line; one not due yet (the caller is still silent) waits.
    if (now && now === head && (isPress(now) || isSay(now)) && call.silentUntil <= call.now()) {
      call.takeStep();
      call.log(isPress(now) ? 'press' : 'speech', isPress(now) ? now.press : (now as { say: string }).say, { ignored: 'no gather in the wait music' });
    }
    const spent = call.now() - roundStart;
    if (spent < 1) await call.sleep(1 - spent);
  }
}

/** Taken by <Dial><Queue>: run the noun's url on this caller, talk until one side leaves, then the Enqueue action. */
async function bridged(runner: TwimlRunner, node: TwimlNode, queue: CarrierQueue, bridge: Bridge, dctx: DocContext): Promise<VerbResult> {
  const { call, ctx } = runner;
  call.clearInterrupt();
  const info = bridge.queue!;
  const params = { QueueResult: 'bridged', QueueSid: queue.sid, QueueTime: String(info.queueTime) };
  call.log('dequeued', queue.friendlyName, { by: bridge.dialer.sid, queueTime: String(info.queueTime) });
  ctx.events.emit('queue-left', { callSid: call.sid, queue: queue.friendlyName, queueSid: queue.sid, result: 'bridged' });
  try {
    if (info.url) {
      try {
        const verbs = await runner.fetch(info.url, (info.method ?? 'POST').toUpperCase(), { QueueSid: queue.sid, QueueTime: String(info.queueTime), DequeingCallSid: bridge.dialer.sid });
        await runner.execute(verbs, { url: info.url });
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        call.log('error', (err as Error).message, { code: String((err as { code?: number }).code ?? 11200), url: info.url });
      }
    }
    bridge.start(ctx.clock.now());
    call.log('bridged', partyOf(bridge.dialer), { callSid: bridge.dialer.sid });
    await waitWithScript(call, bridge.ended, true);
  } catch (err) {
    bridge.end(call.sid, ctx.clock.now());
    if (err instanceof Interrupted) {
      const qr = err.interrupt.kind === 'hangup' ? 'bridged' : 'redirected-from-bridged';
      await runner.notify(runner.action(node.attrs.action, node.attrs.method, { ...params, QueueResult: qr }, dctx, false), err.interrupt.kind === 'hangup' ? 'completed' : 'in-progress');
    }
    throw err;
  }
  return runner.action(node.attrs.action, node.attrs.method, params, dctx, false);
}
