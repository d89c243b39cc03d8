// Where the simulator must behave as Twilio does or tests would lie: scripted numbers and AMD, attribute values,
// recognizer-like speech, shuffled callbacks, small shapes, and a bounded memory of ended calls.
import { expect } from 'chai';
import { startSim, type SimTest } from './sim-fixture';
import { simRestClient } from './sim-rest-client';
import { HOTLINE, CUSTOMER, ACCOUNT_SID, AUTH_TOKEN, until } from './twiml-test-server';
import { APPLICATION_ERROR } from '../../src/sim/index';
import { Recognizer } from '../../src/sim/recognizer';
import type twilio from 'twilio';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('carrier simulator: fidelity to Twilio', function () {
  this.timeout(15000);
  let t: SimTest;
  let client: twilio.Twilio;
  beforeEach(async () => {
    t = await startSim();
    client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
  });
  afterEach(async () => t.close());

  const place = async (script: Parameters<typeof t.sim.placeCall>[0]['script'] = []) => {
    const c = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script });
    await c.done;
    return c;
  };
  const errors = (c: { transcript: { kind: string; detail?: Record<string, string> }[] }) => c.transcript.filter((e) => e.kind === 'error');

  describe('scripted numbers and answering-machine detection', () => {
    const dialOut = async (to: string, extra: Record<string, unknown> = {}) => {
      const created = await client.calls.create({
        to,
        from: HOTLINE,
        url: t.app.url('/out'),
        statusCallback: t.app.url('/out-status'),
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        timeout: 20,
        ...extra,
      });
      await until(async () => expect((await client.calls(created.sid).fetch()).status).to.be.oneOf(['completed', 'busy', 'no-answer', 'failed']), 8000);
      await until(() => expect(t.app.hitsFor('/out-status').filter((h) => h.params.CallSid === created.sid).map((h) => h.params.CallStatus)).to.satisfy((s: string[]) => s.some((x) => x !== 'initiated' && x !== 'ringing' && x !== 'in-progress')));
      return { sid: created.sid, status: t.app.hitsFor('/out-status').filter((h) => h.params.CallSid === created.sid).map((h) => h.params) };
    };

    it('a busy number: initiated then busy, SipResponseCode 486, CallDuration 0, the Url never requested', async () => {
      t.sim.registerPhone({ number: '+8613900000001', outcome: 'busy' });
      const { sid, status } = await dialOut('+8613900000001');
      expect(status.map((p) => p.CallStatus)).to.deep.equal(['initiated', 'busy']);
      expect(status.at(-1)).to.include({ CallDuration: '0', SipResponseCode: '486' });
      expect(t.app.hitsFor('/out')).to.have.length(0);
      expect((await client.calls(sid).fetch()).status).to.equal('busy');
    });

    it('a number that rings out: no-answer after the timeout, SipResponseCode 487', async () => {
      t.sim.registerPhone({ number: '+8613900000002', outcome: 'no-answer' });
      const { status } = await dialOut('+8613900000002', { timeout: 5 });
      expect(status.map((p) => p.CallStatus)).to.deep.equal(['initiated', 'ringing', 'no-answer']);
      expect(status.at(-1)).to.include({ CallDuration: '0', SipResponseCode: '487' });
    });

    it('an unreachable number fails without ringing', async () => {
      t.sim.registerPhone({ number: '+8613900000003', outcome: 'failed' });
      const { status } = await dialOut('+8613900000003');
      expect(status.map((p) => p.CallStatus)).to.deep.equal(['initiated', 'failed']);
      expect(status.at(-1)).to.include({ CallDuration: '0' });
    });

    it('MachineDetection=Enable reports a machine as machine_start on the Url request and in answered_by; a person as human', async () => {
      t.app.on('/out', xml('<Hangup/>'));
      t.sim.registerPhone({ number: '+8613900000004', answeredBy: 'machine_end_beep' });
      const machine = await dialOut('+8613900000004', { machineDetection: 'Enable' });
      expect(t.app.hitsFor('/out')[0].params).to.include({ AnsweredBy: 'machine_start', CallSid: machine.sid });
      expect((await client.calls(machine.sid).fetch()).answeredBy).to.equal('machine_start');
      const person = await dialOut('+8613900000005', { machineDetection: 'DetectMessageEnd' });
      expect(t.app.hitsFor('/out')[1].params).to.include({ AnsweredBy: 'human', CallSid: person.sid });
      expect(person.status.map((p) => p.CallStatus)).to.deep.equal(['initiated', 'ringing', 'in-progress', 'completed']);
    });

    it('the control API scripts numbers for other processes (POST /sim/phones) and refuses bad values', async () => {
      const post = (body: object) => fetch(`${t.sim.baseUrl}/sim/phones`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post({ number: '+8613900000020', outcome: 'maybe' })).status).to.equal(400);
      expect((await post({ number: '+8613900000020', answeredBy: 'robot' })).status).to.equal(400);
      expect((await post({ number: '12345' })).status).to.equal(400);
      expect((await post({ number: '+8613900000020', outcome: 'busy' })).status).to.equal(201);
      const { status } = await dialOut('+8613900000020');
      expect(status.map((p) => p.CallStatus)).to.deep.equal(['initiated', 'busy']);
    });

    it('DetectMessageEnd waits for the greeting to end and says how it ended; no MachineDetection, no AnsweredBy', async () => {
      t.app.on('/out', xml('<Hangup/>'));
      t.sim.registerPhone({ number: '+8613900000006', answeredBy: 'machine_start' });
      await dialOut('+8613900000006', { machineDetection: 'DetectMessageEnd' });
      expect(t.app.hitsFor('/out')[0].params.AnsweredBy).to.equal('machine_end_beep');
      const plain = await dialOut('+8613900000007');
      expect(t.app.hitsFor('/out')[1].params.AnsweredBy).to.equal(undefined);
      expect((await client.calls(plain.sid).fetch()).answeredBy).to.equal(null);
    });
  });

  describe('status callbacks only where asked', () => {
    it('a <Number> leg posts the events its statusCallbackEvent names, or only completed; the number\'s own callback only the end', async () => {
      t.sim.registerPhone({ number: '+8613900000030', answerAfter: 1, script: [{ wait: 2 }, { hangup: true }] });
      t.sim.registerPhone({ number: '+8613900000031', answerAfter: 1, script: [{ wait: 2 }, { hangup: true }] });
      t.app.on('/voice', xml('<Dial action="/next"><Number statusCallback="/leg" statusCallbackEvent="ringing answered completed">+8613900000030</Number></Dial>'));
      t.app.on('/next', xml('<Dial><Number statusCallback="/leg2">+8613900000031</Number></Dial>'));
      const c = await place();
      await until(() => expect(t.app.hitsFor('/leg2')).to.have.length(1));
      expect(t.app.hitsFor('/leg').map((h) => h.params.CallStatus)).to.deep.equal(['ringing', 'in-progress', 'completed']);
      expect(t.app.hitsFor('/leg').every((h) => h.params.ParentCallSid === c.sid)).to.equal(true);
      expect(t.app.hitsFor('/leg2').map((h) => h.params.CallStatus)).to.deep.equal(['completed']);
      expect(t.app.hitsFor('/status').map((h) => h.params.CallStatus)).to.deep.equal(['completed']);
    });
  });

  describe('attribute values', () => {
    it('a Gather language not on Twilio\'s list fails the gather (warning 13331); cmn-Hans-CN is taken', async () => {
      t.app.on('/voice', (p) => (p.SpeechResult ? xml(`<Say>got ${p.SpeechResult}</Say>`) : xml('<Gather input="speech" language="cmn-CN" action="/voice"><Say>请讲</Say></Gather><Say>no gather</Say><Redirect>/good</Redirect>')));
      t.app.on('/good', (p) => (p.SpeechResult ? xml(`<Say>got ${p.SpeechResult}</Say>`) : xml('<Gather input="speech" language="cmn-Hans-CN" action="/good"/>')));
      const c = await place([{ say: '我要投诉' }]);
      expect(errors(c).map((e) => e.detail?.code)).to.deep.equal(['13331']);
      expect(c.heard()).to.deep.equal(['请讲', 'no gather', 'got 我要投诉。']);
    });

    for (const [what, doc] of [
      ['an unknown Say voice', '<Say voice="Polly.Nobody">hi</Say>'],
      ['a Say language that is not one', '<Say voice="Polly.Zhiyu" language="zh-Hans">hi</Say>'],
      ['a Gather timeout of 0', '<Gather timeout="0"/>'],
      ['a non-integer Pause', '<Pause length="1.5"/>'],
      ['numDigits out of range', '<Gather numDigits="-1"/>'],
    ] as const) {
      it(`refuses ${what} as Twilio's schema check does (12200)`, async () => {
        t.app.on('/voice', xml(doc));
        const c = await place();
        expect(errors(c).map((e) => e.detail?.code)).to.deep.equal(['12200']);
        expect(c.heard()).to.deep.equal([APPLICATION_ERROR]);
      });
    }

    it('takes known voices: Polly, Google, alice, with Say languages', async () => {
      t.app.on('/voice', xml('<Say voice="Polly.Zhiyu" language="cmn-CN">一</Say><Say voice="Google.cmn-CN-Wavenet-A">二</Say><Say voice="alice" language="zh-CN">三</Say><Say voice="Polly.Joanna-Neural">four</Say>'));
      const c = await place();
      expect(errors(c)).to.deep.equal([]);
      expect(c.heard()).to.deep.equal(['一', '二', '三', 'four']);
    });
  });

  describe('speech as a recognizer returns it', () => {
    it('punctuation, digits for numbers, a confidence below 1; a misheard word when the script says so', async () => {
      t.app.on('/voice', (p) => (p.SpeechResult !== undefined ? xml('') : xml('<Gather input="speech" action="/said"/>')));
      t.app.on('/said', (p) => xml(p.SpeechResult!.includes('?') ? '' : '<Gather input="speech" action="/said"/>'));
      await place([{ say: '订单号一二三四五' }, { say: 'press two please' }, { say: '我要投诉', heardAs: '我要头诉' }, { say: 'is it there?' }]);
      const said = t.app.hitsFor('/said').map((h) => h.params);
      expect(said.map((p) => p.SpeechResult)).to.deep.equal(['订单号12345。', 'Press 2 please.', '我要头诉。', 'Is it there?']);
      for (const p of said) expect(Number(p.Confidence)).to.be.greaterThan(0.5).and.lessThan(1);
    });

    it('mishears a word now and then, the same way for the same seed', () => {
      const run = (seed: number) => {
        const r = new Recognizer({ seed, mishearRate: 0.5 });
        return Array.from({ length: 20 }, () => r.recognize('我要投诉').text);
      };
      expect(run(3)).to.deep.equal(run(3));
      expect(run(3)).to.include('我要投诉。');
      expect(run(3).some((s) => s !== '我要投诉。')).to.equal(true);
      expect(new Recognizer({ seed: 1 }).recognize('十五').text).to.equal('15。');
    });
  });

  describe('callbacks', () => {
    it('shuffled by a seed: an Enqueue action and the final status race, as on Twilio; in order they do not', async () => {
      const order = async (sim: SimTest) => {
        sim.app.on('/voice', xml(`<Enqueue action="${sim.app.url('/left')}" waitUrl="">support</Enqueue>`));
        const calls = Array.from({ length: 12 }, () => sim.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script: [{ wait: 2 }, { hangup: true }] }));
        await Promise.all(calls.map((c) => c.done));
        return calls.map((c) => sim.app.hits.filter((h) => h.params.CallSid === c.sid && (h.path === '/left' || h.path === '/status')).map((h) => h.path).join(' '));
      };
      const inOrder = await order(t);
      expect(new Set(inOrder)).to.deep.equal(new Set(['/left /status']));
      await t.close();
      t = await startSim({ callbackOrder: { shuffle: 11, maxDelayMs: 40 } });
      const shuffled = await order(t);
      expect(shuffled.every((s) => s === '/left /status' || s === '/status /left')).to.equal(true);
      expect(shuffled).to.include('/status /left');
    });
  });

  describe('shapes', () => {
    it('Dial actions carry DialBridged; a full queue answers queue-full without QueueSid or QueueTime', async () => {
      t.sim.registerPhone({ number: '+8613900000010', outcome: 'busy' });
      t.sim.registerPhone({ number: '+8613900000011', answerAfter: 1, script: [{ wait: 2 }, { hangup: true }] });
      t.app.on('/voice', xml('<Dial action="/d1">+8613900000010</Dial>'));
      t.app.on('/d1', xml('<Dial action="/d2">+8613900000011</Dial>'));
      t.app.on('/d2', xml('<Enqueue action="/full">tiny</Enqueue>'));
      t.app.on('/full', xml('<Hangup/>'));
      t.sim.queues.create('tiny', 0);
      await place();
      expect(t.app.hitsFor('/d1')[0].params).to.include({ DialCallStatus: 'busy', DialBridged: 'false' });
      expect(t.app.hitsFor('/d2')[0].params).to.include({ DialCallStatus: 'completed', DialBridged: 'true' });
      const full = t.app.hitsFor('/full')[0].params;
      expect(full.QueueResult).to.equal('queue-full');
      expect(full).to.not.have.any.keys('QueueSid', 'QueueTime');
    });
  });

  describe('memory', () => {
    it('keeps only the latest ended calls (retainEndedCalls): 300 calls, at most 40 retained; old ones are 404, recent ones found', async () => {
      await t.close();
      t = await startSim({ retainEndedCalls: 40, timeScale: 0.5 });
      client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
      t.app.on('/voice', xml('<Say>hi</Say>'));
      const sids: string[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const calls = Array.from({ length: 30 }, () => t.sim.placeCall({ from: CUSTOMER, to: HOTLINE }));
        await Promise.all(calls.map((c) => c.done));
        sids.push(...calls.map((c) => c.sid));
        expect(t.sim.retainedCalls).to.be.at.most(40);
      }
      expect(t.sim.retainedCalls).to.equal(40);
      expect(t.sim.call(sids[0])).to.equal(undefined);
      expect((await fetch(`${t.sim.baseUrl}/sim/calls/${sids[0]}`)).status).to.equal(404);
      const recent = await client.calls(sids.at(-1)!).fetch();
      expect(recent.status).to.equal('completed');
      expect((await client.calls.list({ limit: 1000 })).length).to.equal(40);
    });
  });
});
