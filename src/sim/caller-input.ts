// How a simulated caller's script answers the call: keys and speech for <Gather>/<Record>, and waiting or hanging up while on hold or connected.
import type { CallSession } from './call-session';
import { isHangup, isHear, isPress, isSay, isTalk, isWait, type CallerStep } from './caller-script';
import { speechSeconds } from './sim-clock';

const EPS = 0.01;

export interface GatherSpec {
  dtmf: boolean;
  speech: boolean;
  numDigits?: number;
  finishOnKey: string;
  timeout: number;
}

export type GatherResult = { digits: string } | { speech: string; heardAs?: string } | null;

/** Takes the caller's next steps as <Gather> input; null when nothing came before the timeout. */
export async function gatherInput(call: CallSession, spec: GatherSpec): Promise<GatherResult> {
  let digits = '';
  let deadline = call.now() + spec.timeout;
  let listening = true;
  for (;;) {
    const now = call.now();
    if (now >= deadline - EPS) {
      if (digits) return { digits };
      call.log('silence', `no input after ${spec.timeout}s`);
      return null;
    }
    if (call.silentUntil > now + EPS || !listening) {
      await call.sleep((listening ? Math.min(call.silentUntil, deadline) : deadline) - now);
      continue;
    }
    const step = call.script[0];
    if (isHear(step) && call.hasHeard(step.hear)) {
      call.takeStep();
      continue;
    }
    if (!step || isHear(step)) {
      await call.sleep(deadline - now);
      continue;
    }
    call.takeStep();
    if (isTalk(step)) talk(call, step, now);
    else if (isWait(step)) {
      call.silentUntil = now + step.wait;
      call.log('silence', `${step.wait}s`);
    } else if (isHangup(step)) {
      throw call.hangupNow('caller');
    } else if (isPress(step)) {
      if (!spec.dtmf) {
        call.log('press', step.press, { ignored: 'gather does not take dtmf' });
        listening = false;
        continue;
      }
      call.log('press', step.press);
      await call.sleep(0.1 * step.press.length);
      for (const key of step.press) {
        if (spec.finishOnKey && key === spec.finishOnKey) return digits ? { digits } : emptySubmit(call, spec);
        digits += key;
        if (spec.numDigits && digits.length >= spec.numDigits) return { digits };
      }
      deadline = call.now() + spec.timeout;
    } else if (isSay(step)) {
      if (!spec.speech) {
        call.log('speech', step.say, { ignored: 'gather does not take speech' });
        listening = false;
        continue;
      }
      call.log('speech', step.say);
      await call.sleep(speechSeconds(step.say));
      return { speech: step.say, heardAs: step.heardAs };
    }
  }
}

function emptySubmit(call: CallSession, spec: GatherSpec): null {
  call.log('silence', `finish key with no digits (${spec.finishOnKey})`);
  return null;
}

export interface RecordSpec {
  timeout: number;
  finishOnKey: string;
  maxLength: number;
}

export interface RecordResult {
  /** Seconds of speech recorded (trailing silence trimmed). */
  seconds: number;
  digits?: string;
  /** What the caller said, joined. */
  said: string;
  hungUp: boolean;
}

/** Takes the caller's next steps as a <Record> message: speech until a finish key, silence timeout, hangup or maxLength. */
export async function recordInput(call: CallSession, spec: RecordSpec): Promise<RecordResult> {
  const r: RecordResult = { seconds: 0, said: '', hungUp: false };
  let silenceSince = call.now();
  for (;;) {
    const now = call.now();
    if (r.seconds >= spec.maxLength - EPS) return { ...r, seconds: spec.maxLength };
    const silenceEnds = silenceSince + spec.timeout;
    if (now >= silenceEnds - EPS) return r;
    if (call.silentUntil > now + EPS) {
      await call.sleep(Math.min(call.silentUntil, silenceEnds) - now);
      continue;
    }
    const step = call.script[0];
    if (isHear(step) && call.hasHeard(step.hear)) {
      call.takeStep();
      continue;
    }
    if (!step || isHear(step)) {
      await call.sleep(silenceEnds - now);
      continue;
    }
    call.takeStep();
    if (isTalk(step)) {
      // Recorded like speech (it keeps the silence timeout off), only without words.
      const secs = Math.min(step.talk, spec.maxLength - r.seconds);
      call.log('speech', `(talks ${secs}s)`, { talkSeconds: String(secs) });
      await call.sleep(secs);
      r.seconds += secs;
      silenceSince = call.now();
    } else if (isWait(step)) {
      call.silentUntil = now + step.wait;
      call.log('silence', `${step.wait}s`);
    } else if (isHangup(step)) {
      return { ...r, digits: 'hangup', hungUp: true };
    } else if (isPress(step)) {
      call.log('press', step.press);
      const key = [...step.press].find((k) => spec.finishOnKey.includes(k));
      if (key) return { ...r, digits: key };
    } else if (isSay(step)) {
      call.log('speech', step.say);
      const secs = Math.min(speechSeconds(step.say), spec.maxLength - r.seconds);
      await call.sleep(secs);
      r.seconds += secs;
      r.said = r.said ? `${r.said} ${step.say}` : step.say;
      silenceSince = call.now();
    }
  }
}

/**
 * While the call waits (in a queue, ringing out, connected, in a conference): `wait` steps pass time, `hangup` hangs up,
 * and keys or speech are heard by the other side (ignored) when `takeInput`, else left for a <Gather> in the wait music.
 * Returns when `until` settles; throws Interrupted when the call is interrupted (its own hangup included).
 */
export async function waitWithScript(call: CallSession, until: Promise<unknown>, takeInput: boolean): Promise<void> {
  let over = false;
  void until.then(() => (over = true));
  while (!over) {
    const now = call.now();
    if (call.silentUntil > now + EPS) {
      await call.waitFor(until, call.silentUntil - now);
      continue;
    }
    const step = call.script[0];
    if (!step) {
      await call.waitFor(until);
      return;
    }
    if (isHear(step)) {
      if (call.hasHeard(step.hear)) call.takeStep();
      else await call.waitFor(Promise.race([until, call.transcriptChanged()]));
      continue;
    }
    if (isWait(step)) {
      call.takeStep();
      call.silentUntil = now + step.wait;
      call.log('silence', `${step.wait}s`);
    } else if (isHangup(step)) {
      call.takeStep();
      throw call.hangupNow('caller');
    } else if (takeInput && isTalk(step)) {
      call.takeStep();
      talk(call, step, now);
    } else if (takeInput) {
      call.takeStep();
      if (isPress(step)) call.log('press', step.press, { ignored: 'no gather' });
      else if (isSay(step)) call.log('speech', step.say, { ignored: 'no gather' });
    } else {
      await call.waitFor(Promise.race([until, call.scriptChanged()]));
    }
  }
}

/** The caller talks for a while (no words): the time passes and the transcript says how long, for the recording's audio. */
function talk(call: CallSession, step: Extract<CallerStep, { talk: number }>, now: number): void {
  call.silentUntil = now + step.talk;
  call.log('speech', `(talks ${step.talk}s)`, { talkSeconds: String(step.talk) });
}
