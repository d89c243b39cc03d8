// The simulator's own JSON API for other processes (`npm run call`): place a call and wait for its transcript, or look one up.
import express, { type Router } from 'express';
import type { CallerStep } from './caller-script';
import { parseScript } from './caller-script';
import type { TalkPattern } from './recording-audio';
import type { SimCall } from './call-session';
import { ANSWERED_BY, SCRIPTED_OUTCOMES, type AnsweredBy, type NumberScript, type PhoneOptions, type ScriptedOutcome, type SimSoftphone, type SoftphoneOptions } from './endpoints';

export interface CallPlacer {
  placeCall(opts: { from: string; to: string; script?: CallerStep[] }): SimCall;
  call(sid: string): SimCall | undefined;
  calls(): SimCall[];
  registerSoftphone(opts: SoftphoneOptions): SimSoftphone;
  softphone(identity: string): SimSoftphone | undefined;
  registerPhone(opts: PhoneOptions): void;
  scriptNumber(number: string, script: NumberScript): void;
  setTalkPattern(callSid: string, pattern: TalkPattern): void;
  audibility(conference: string): object | undefined;
  whoHears(callSid: string): string[] | undefined;
}

/** `{caller: [{start, end}], heard: [...]}` in seconds from the recording's start, from outside. */
export function parseTalkPattern(raw: unknown): TalkPattern {
  const body = (raw ?? {}) as Record<string, unknown>;
  const side = (key: string) => {
    const list = body[key] ?? [];
    if (!Array.isArray(list)) throw new Error(`${key} must be an array of {start, end} seconds`);
    return list.map((iv, i) => {
      const { start, end } = (iv ?? {}) as { start?: unknown; end?: unknown };
      if (typeof start !== 'number' || typeof end !== 'number' || !(start >= 0) || !(end > start)) throw new Error(`${key}[${i}] must be {start, end} seconds with 0 <= start < end`);
      return { start, end };
    });
  };
  return { caller: side('caller'), heard: side('heard') };
}

const OUTCOMES = ['answer', 'busy', 'no-answer', 'failed'];

function summary(c: SimCall) {
  return { callSid: c.sid, from: c.from, to: c.to, status: c.status, transcript: c.transcript };
}

/** Resolves when the softphone emits `event`, or after a second (the call may have ended meanwhile). */
function settles(phone: SimSoftphone, event: 'connected' | 'disconnected'): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      phone.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, 1000);
    phone.once(event, done);
  });
}

function softphoneState(phone: SimSoftphone) {
  const ringing = phone.ringing;
  const current = phone.currentCall;
  return {
    identity: phone.identity,
    ringing: ringing ? { callSid: ringing.sid, from: ringing.from } : null,
    connected: current ? { callSid: current.sid, from: current.from } : null,
  };
}

export function controlApi(sim: CallPlacer): Router {
  const api = express.Router();
  api.use(express.json());

  api.post('/calls', async (req, res) => {
    const { from, to, script } = (req.body ?? {}) as { from?: unknown; to?: unknown; script?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string') return void res.status(400).json({ message: 'from and to are required strings' });
    let steps: CallerStep[];
    try {
      steps = parseScript(script);
    } catch (err) {
      return void res.status(400).json({ message: (err as Error).message });
    }
    const call = sim.placeCall({ from, to, script: steps });
    await call.done;
    res.json(summary(call));
  });

  // A softphone for another process (`npm run agent`): registered with the agent's own Voice access token.
  api.post('/softphones', (req, res) => {
    const { identity, token, answerAfter, script } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof identity !== 'string' || typeof token !== 'string') return void res.status(400).json({ message: 'identity and token are required strings' });
    if (answerAfter !== undefined && answerAfter !== 'never' && typeof answerAfter !== 'number') return void res.status(400).json({ message: "answerAfter is a number of seconds or 'never'" });
    try {
      const phone = sim.registerSoftphone({ identity, token, answerAfter: answerAfter as number | 'never' | undefined, script: script === undefined ? undefined : parseScript(script) });
      res.status(201).json({ identity: phone.identity });
    } catch (err) {
      res.status(400).json({ message: (err as Error).message });
    }
  });

  // The person at a softphone registered with answerAfter 'never' (the console's simulated softphone): what rings or talks,
  // answer, hang up. Answering when nothing rings is a 409, so a late click after the ring timed out says so.
  api.get('/softphones/:identity', (req, res) => {
    const phone = sim.softphone(req.params.identity);
    if (!phone) return void res.status(404).json({ message: `no softphone ${req.params.identity}` });
    res.json(softphoneState(phone));
  });

  api.post('/softphones/:identity/answer', async (req, res) => {
    const phone = sim.softphone(req.params.identity);
    if (!phone) return void res.status(404).json({ message: `no softphone ${req.params.identity}` });
    const connected = settles(phone, 'connected');
    if (!phone.answer()) return void res.status(409).json({ message: 'nothing is ringing on this softphone' });
    await connected;
    res.json(softphoneState(phone));
  });

  api.post('/softphones/:identity/hangup', async (req, res) => {
    const phone = sim.softphone(req.params.identity);
    if (!phone) return void res.status(404).json({ message: `no softphone ${req.params.identity}` });
    if (!phone.busy) return void res.status(409).json({ message: 'this softphone has no call to hang up' });
    const over = phone.currentCall ? settles(phone, 'disconnected') : Promise.resolve();
    phone.hangup();
    await over;
    res.json(softphoneState(phone));
  });

  api.delete('/softphones/:identity', (req, res) => {
    sim.softphone(req.params.identity)?.unregister();
    res.status(204).end();
  });

  // Scripts a number the carrier may dial (the outbound dialer's customers): busy, no answer, failed, or answered by a machine.
  api.post('/phones', (req, res) => {
    const { number, outcome, answeredBy, answerAfter, script } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof number !== 'string' || !/^\+[1-9]\d{1,14}$/.test(number)) return void res.status(400).json({ message: 'number must be E.164' });
    if (outcome !== undefined && !OUTCOMES.includes(outcome as string)) return void res.status(400).json({ message: `outcome is one of ${OUTCOMES.join(', ')}` });
    if (answeredBy !== undefined && !ANSWERED_BY.includes(answeredBy as AnsweredBy)) return void res.status(400).json({ message: `answeredBy is one of ${ANSWERED_BY.join(', ')}` });
    if (answerAfter !== undefined && answerAfter !== 'never' && typeof answerAfter !== 'number') return void res.status(400).json({ message: "answerAfter is a number of seconds or 'never'" });
    try {
      sim.registerPhone({
        number,
        outcome: outcome as PhoneOptions['outcome'],
        answeredBy: answeredBy as AnsweredBy | undefined,
        answerAfter: answerAfter as number | 'never' | undefined,
        script: script === undefined ? undefined : parseScript(script),
      });
    } catch (err) {
      return void res.status(400).json({ message: (err as Error).message });
    }
    res.status(201).json({ number });
  });

  // The next calls to a number end as scripted, in order (e.g. busy, then a machine, then a person): tests and demos of the dialer.
  api.post('/numbers/:phone/script', (req, res) => {
    const number = req.params.phone;
    const { outcomes, talkSeconds } = (req.body ?? {}) as Record<string, unknown>;
    if (!/^\+[1-9]\d{1,14}$/.test(number)) return void res.status(400).json({ message: 'the number must be E.164 (URL-encode the +)' });
    if (!Array.isArray(outcomes) || !outcomes.length || !outcomes.every((o) => SCRIPTED_OUTCOMES.includes(o as ScriptedOutcome))) {
      return void res.status(400).json({ message: `outcomes is a non-empty list of: ${SCRIPTED_OUTCOMES.join(', ')}` });
    }
    if (talkSeconds !== undefined && (typeof talkSeconds !== 'number' || talkSeconds <= 0)) return void res.status(400).json({ message: 'talkSeconds is a positive number of seconds' });
    sim.scriptNumber(number, { outcomes: outcomes as ScriptedOutcome[], talkSeconds: talkSeconds as number | undefined });
    res.status(201).json({ number, outcomes });
  });

  // Who talks when on a call's recordings (channel 1 the call's own party, channel 2 what it hears): tests of the audio.
  api.post('/calls/:sid/talk', (req, res) => {
    if (!sim.call(req.params.sid)) return void res.status(404).json({ message: `no call ${req.params.sid}` });
    try {
      sim.setTalkPattern(req.params.sid, parseTalkPattern(req.body));
    } catch (err) {
      return void res.status(400).json({ message: (err as Error).message });
    }
    res.status(204).end();
  });

  // Who hears whom in a conference right now (listen, whisper, barge, hold): by friendly name or CF SID.
  api.get('/conferences/:name/audibility', (req, res) => {
    const a = sim.audibility(req.params.name);
    if (!a) return void res.status(404).json({ message: `no conference ${req.params.name}` });
    res.json(a);
  });

  // The CallSids one call hears right now in its conference.
  api.get('/calls/:sid/hears', (req, res) => {
    if (!sim.call(req.params.sid)) return void res.status(404).json({ message: `no call ${req.params.sid}` });
    const hears = sim.whoHears(req.params.sid);
    if (!hears) return void res.status(409).json({ message: `call ${req.params.sid} is in no conference` });
    res.json({ callSid: req.params.sid, hears });
  });

  api.get('/calls', (_req, res) => {
    res.json({ calls: sim.calls().map((c) => ({ callSid: c.sid, from: c.from, to: c.to, status: c.status })) });
  });

  api.get('/calls/:sid', (req, res) => {
    const call = sim.call(req.params.sid);
    if (!call) return void res.status(404).json({ message: `no call ${req.params.sid}` });
    res.json(summary(call));
  });

  return api;
}
