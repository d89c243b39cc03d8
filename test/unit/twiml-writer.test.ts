// The hand-written TwiML writer must write the same bytes as twilio's VoiceResponse: random documents through both.
import { expect } from 'chai';
import twilio from 'twilio';
import { mulberry32 } from '../../src/db/seed/mulberry32';
import { attrs, element, parent, twimlDocument, type AttrValue } from '../../src/telephony/twiml-writer';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Attrs = Record<string, AttrValue>;

/** One verb of the model both writers render. */
type Verb =
  | { name: 'Say' | 'Play' | 'Enqueue' | 'Redirect'; attrs: Attrs; text: string }
  | { name: 'Pause' | 'Record' | 'Hangup' | 'Leave'; attrs: Attrs }
  | { name: 'Gather'; attrs: Attrs; children: Verb[] }
  | { name: 'Dial'; attrs: Attrs; text?: string; conference?: { attrs: Attrs; text: string } };

const PIECES = ['a', 'Z', '7', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\r', '=', '?', '/', '#', '您好', '订单', '。', '，', '😀', 'é', ']]>', '&amp;'];

function generator(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const text = (): string => {
    if (rnd() < 0.08) return '';
    let s = '';
    const n = 1 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) s += pick(PIECES);
    return s;
  };
  const value = (): AttrValue => {
    const r = rnd();
    if (r < 0.1) return undefined;
    if (r < 0.15) return null;
    if (r < 0.3) return Math.floor(rnd() * 100);
    if (r < 0.4) return rnd() < 0.5;
    if (r < 0.5) return [text(), text()].filter(Boolean);
    return text();
  };
  const attributes = (names: string[]): Attrs => {
    const out: Attrs = {};
    for (const n of names) if (rnd() < 0.6) out[n] = value();
    return out;
  };
  const leaf = (): Verb => {
    switch (pick(['Say', 'Play', 'Pause'] as const)) {
      case 'Say':
        return { name: 'Say', attrs: attributes(['voice', 'language', 'loop']), text: text() };
      case 'Play':
        return { name: 'Play', attrs: attributes(['loop', 'digits']), text: text() };
      default:
        return { name: 'Pause', attrs: attributes(['length']) };
    }
  };
  const verb = (): Verb => {
    switch (pick(['Say', 'Play', 'Pause', 'Gather', 'Enqueue', 'Redirect', 'Record', 'Dial', 'Hangup', 'Leave'] as const)) {
      case 'Gather':
        return { name: 'Gather', attrs: attributes(['input', 'numDigits', 'finishOnKey', 'timeout', 'hints', 'language', 'action', 'method', 'actionOnEmptyResult']), children: Array.from({ length: Math.floor(rnd() * 4) }, leaf) };
      case 'Enqueue':
        return { name: 'Enqueue', attrs: attributes(['waitUrl', 'waitUrlMethod', 'action', 'method']), text: text() };
      case 'Redirect':
        return { name: 'Redirect', attrs: attributes(['method']), text: text() };
      case 'Record':
        return { name: 'Record', attrs: attributes(['action', 'method', 'maxLength', 'finishOnKey', 'playBeep', 'recordingStatusCallback']) };
      case 'Dial':
        return rnd() < 0.5
          ? { name: 'Dial', attrs: attributes(['action', 'method', 'timeout']), text: text() }
          : { name: 'Dial', attrs: attributes(['action']), conference: { attrs: attributes(['participantLabel', 'startConferenceOnEnter', 'beep', 'waitUrl', 'record', 'statusCallbackEvent']), text: text() } };
      case 'Hangup':
        return { name: 'Hangup', attrs: {} };
      case 'Leave':
        return { name: 'Leave', attrs: {} };
      default:
        return leaf();
    }
  };
  return () => Array.from({ length: Math.floor(rnd() * 6) }, verb);
}

function byWriter(doc: Verb[]): string {
  const write = (v: Verb): string => {
    switch (v.name) {
      case 'Gather':
        return parent('Gather', attrs(v.attrs), v.children.map(write));
      case 'Dial':
        return v.conference ? parent('Dial', attrs(v.attrs), [element('Conference', attrs(v.conference.attrs), v.conference.text)]) : element('Dial', attrs(v.attrs), v.text);
      case 'Pause':
      case 'Record':
      case 'Hangup':
      case 'Leave':
        return element(v.name, attrs(v.attrs));
      default:
        return element(v.name, attrs(v.attrs), v.text);
    }
  };
  return twimlDocument(...doc.map(write));
}

function byVoiceResponse(doc: Verb[]): string {
  const r = new twilio.twiml.VoiceResponse();
  type Node = VoiceResponse | ReturnType<VoiceResponse['gather']>;
  const any = (a: Attrs) => a as never;
  const add = (to: Node, v: Verb): void => {
    const n = to as VoiceResponse;
    switch (v.name) {
      case 'Say':
        return void n.say(any(v.attrs), v.text);
      case 'Play':
        return void n.play(any(v.attrs), v.text);
      case 'Pause':
        return void n.pause(any(v.attrs));
      case 'Gather': {
        const g = n.gather(any(v.attrs));
        for (const c of v.children) add(g, c);
        return;
      }
      case 'Enqueue':
        return void n.enqueue(any(v.attrs), v.text);
      case 'Redirect':
        return void n.redirect(any(v.attrs), v.text);
      case 'Record':
        return void n.record(any(v.attrs));
      case 'Dial': {
        if (!v.conference) return void n.dial(any(v.attrs), v.text);
        n.dial(any(v.attrs)).conference(any(v.conference.attrs), v.conference.text);
        return;
      }
      case 'Hangup':
        return void n.hangup();
      case 'Leave':
        return void n.leave();
    }
  };
  for (const v of doc) add(r, v);
  return r.toString();
}

function outcome(render: () => string): string {
  try {
    return render();
  } catch (err) {
    return `throws: ${(err as Error).message}`;
  }
}

describe('TwiML writer: the same bytes as twilio VoiceResponse', () => {
  it('renders 3,000 random documents (seeded) exactly as VoiceResponse does', () => {
    const next = generator(20261129);
    for (let i = 0; i < 3000; i++) {
      const doc = next();
      const expected = outcome(() => byVoiceResponse(doc));
      expect(outcome(() => byWriter(doc)), `document ${i}: ${JSON.stringify(doc)}`).to.equal(expected);
    }
  });

  it('refuses characters XML cannot carry, as VoiceResponse does', () => {
    for (const bad of ['\u0001', 'a\uD800b', '\uFFFE']) {
      const doc: Verb[] = [{ name: 'Say', attrs: {}, text: bad }];
      expect(() => byVoiceResponse(doc)).to.throw();
      expect(() => byWriter(doc)).to.throw();
    }
  });
});
