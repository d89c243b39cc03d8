// The simulator's Twilio REST subset through the real twilio client, with every JSON body checked against Twilio's OpenAPI schemas.
import { expect } from 'chai';
import { startSim, voiceToken, type SimTest } from './sim-fixture';
import { simRestClient } from './sim-rest-client';
import { oaiValidator, OAI_FILE, type OaiValidator } from './oai-schemas';
import { HOTLINE, CUSTOMER, ACCOUNT_SID, AUTH_TOKEN, API_KEY_SID, API_KEY_SECRET, until } from './twiml-test-server';
import type twilio from 'twilio';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;

async function restError(p: Promise<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await p;
  } catch (err) {
    return err as { status: number; code: number; message: string; moreInfo: string };
  }
  throw new Error('expected a RestException');
}

describe('carrier simulator: Twilio REST subset (real twilio client)', function () {
  this.timeout(10000);
  let t: SimTest;
  let client: twilio.Twilio;
  let validateOai: OaiValidator | undefined;
  before(() => {
    validateOai = oaiValidator();
    if (!validateOai) console.warn(`    (no ${OAI_FILE}: JSON is not checked against the OpenAPI schemas)`);
  });
  beforeEach(async () => {
    t = await startSim();
    client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
  });
  afterEach(async () => t.close());

  /** GETs raw JSON with Basic auth and checks it against the named OpenAPI schema (list responses: each item under `key`). */
  const raw = async (path: string, schema?: string, key?: string) => {
    const res = await fetch(t.sim.baseUrl + ACCOUNT + path, { headers: { Authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') } });
    const body = (await res.json()) as Record<string, unknown>;
    if (schema && validateOai) for (const item of key ? (body[key] as unknown[]) : [body]) validateOai(schema, item);
    return body;
  };

  it('authenticates with the account token or an API key, and refuses anything else with 20003', async () => {
    const bad = await restError(simRestClient(t.sim.baseUrl, ACCOUNT_SID, 'wrong').calls.list());
    expect(bad).to.include({ status: 401, code: 20003 });
    expect(bad.moreInfo).to.equal('https://www.twilio.com/docs/errors/20003');
    const withKey = simRestClient(t.sim.baseUrl, API_KEY_SID, API_KEY_SECRET, ACCOUNT_SID);
    expect(await withKey.calls.list()).to.deep.equal([]);
  });

  it('Calls: create, fetch, list, redirect with Url and Twiml, hang up, delete; errors 21211, 21205, 20404', async () => {
    t.sim.registerPhone({ number: '+8613911112222', answerAfter: 1 });
    t.app.on('/hold', xml('<Say>please hold</Say><Pause length="60"/>'));
    t.app.on('/moved', xml('<Say>moved</Say><Pause length="60"/>'));
    const created = await client.calls.create({ to: '+8613911112222', from: HOTLINE, url: t.app.url('/hold'), timeout: 20 });
    expect(created.sid).to.match(/^CA[0-9a-f]{32}$/);
    expect(created).to.include({ status: 'queued', direction: 'outbound-api', to: '+8613911112222', from: HOTLINE, accountSid: ACCOUNT_SID });
    await until(async () => expect(t.sim.call(created.sid)!.heard()).to.include('please hold'));
    const fetched = await client.calls(created.sid).fetch();
    expect(fetched.status).to.equal('in-progress');
    expect(fetched.startTime).to.be.instanceOf(Date);
    await raw(`/Calls/${created.sid}.json`, 'api.v2010.account.call');
    expect((await client.calls.list({ to: '+8613911112222' })).map((c) => c.sid)).to.deep.equal([created.sid]);
    await raw('/Calls.json', 'api.v2010.account.call', 'calls');

    await client.calls(created.sid).update({ url: t.app.url('/moved'), method: 'POST' });
    await until(() => expect(t.sim.call(created.sid)!.heard()).to.include('moved'));
    await client.calls(created.sid).update({ twiml: '<Response><Say>inline words</Say><Pause length="60"/></Response>' });
    await until(() => expect(t.sim.call(created.sid)!.heard()).to.include('inline words'));
    const ended = await client.calls(created.sid).update({ status: 'completed' });
    expect(ended.sid).to.equal(created.sid);
    await t.sim.call(created.sid)!.done;
    const after = await client.calls(created.sid).fetch();
    expect(after.status).to.equal('completed');
    expect(Number(after.duration)).to.be.greaterThan(0);
    expect(t.sim.call(created.sid)!.transcript.at(-1)).to.deep.include({ kind: 'hangup', text: 'api' });
    await raw(`/Calls/${created.sid}.json`, 'api.v2010.account.call');

    expect(await client.calls(created.sid).remove()).to.equal(true);
    expect(await restError(client.calls(created.sid).fetch())).to.include({ status: 404, code: 20404 });
    expect(await restError(client.calls.create({ to: 'not-a-number', from: HOTLINE, url: t.app.url('/hold') }))).to.include({ status: 400, code: 21211 });
    expect(await restError(client.calls.create({ to: '+8613911112222', from: HOTLINE, url: 'ftp://nowhere' }))).to.include({ status: 400, code: 21205 });
    expect(await restError(client.calls('CA' + '0'.repeat(32)).fetch())).to.include({ status: 404, code: 20404 });
  });

  it('Scripted outcomes in sequence (POST /sim/numbers/:phone/script): busy, machine, person; AnsweredBy with MachineDetection; StartTime and To filters', async () => {
    const n = '+8613811112222';
    t.app.on('/answer', xml('<Pause length="2"/>'));
    t.app.on('/status', xml(''));
    const bad = await fetch(`${t.sim.baseUrl}/sim/numbers/${encodeURIComponent(n)}/script`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcomes: ['maybe'] }) });
    expect(bad.status).to.equal(400);
    const ok = await fetch(`${t.sim.baseUrl}/sim/numbers/${encodeURIComponent(n)}/script`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcomes: ['busy', 'machine', 'human'], talkSeconds: 3 }) });
    expect(ok.status).to.equal(201);
    const before = new Date(Date.now() - 1000);
    const place = async () => {
      const c = await client.calls.create({ to: n, from: HOTLINE, url: t.app.url('/answer'), statusCallback: t.app.url('/status'), statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'], machineDetection: 'Enable', timeout: 10 });
      await t.sim.call(c.sid)!.done;
      return (await client.calls(c.sid).fetch()).status;
    };
    expect(await place()).to.equal('busy');
    expect(await place()).to.equal('completed');
    expect(await place()).to.equal('completed');
    // AnsweredBy came with the answer URL request: a machine, then a person.
    expect(t.app.hitsFor('/answer').map((h) => h.params.AnsweredBy)).to.deep.equal(['machine_start', 'human']);
    const finals = t.app.hitsFor('/status').filter((h) => ['busy', 'completed'].includes(h.params.CallStatus));
    expect(finals.map((h) => h.params.CallStatus)).to.deep.equal(['busy', 'completed', 'completed']);
    // The list filters as Twilio's: To, StartTime> (on or after), StartTime< (before); checked against the OpenAPI schema.
    expect(await client.calls.list({ to: n, startTimeAfter: before })).to.have.length(3);
    expect(await client.calls.list({ to: n, startTimeBefore: before })).to.have.length(0);
    expect(await client.calls.list({ to: '+8613800000000' })).to.have.length(0);
    const listed = await raw(`/Calls.json?To=${encodeURIComponent(n)}&StartTime%3E=${before.toISOString().slice(0, 10)}`, 'api.v2010.account.call', 'calls');
    expect((listed.calls as unknown[]).length).to.equal(3);
  });

  it('Queues and Members: create, update MaxSize, list members in order, dequeue one with a Url (QueueResult=redirected), delete', async () => {
    const queue = await client.queues.create({ friendlyName: 'sales', maxSize: 10 });
    expect(queue.sid).to.match(/^QU[0-9a-f]{32}$/);
    expect((await client.queues(queue.sid).update({ maxSize: 50 })).maxSize).to.equal(50);
    t.app.on('/voice', xml('<Enqueue waitUrl="/wait" action="/queue-result">sales</Enqueue>'));
    t.app.on('/wait', xml('<Play>http://example.com/music.mp3</Play>'));
    t.app.on('/picked', xml('<Say>an agent will call you back</Say>'));
    const first = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(t.sim.queues.get(queue.sid)!.size).to.equal(1));
    const second = t.sim.placeCall({ from: '+8613900000009', to: HOTLINE, script: [{ wait: 30 }, { hangup: true }] });
    await until(() => expect(t.sim.queues.get(queue.sid)!.size).to.equal(2));
    const members = await client.queues(queue.sid).members.list();
    expect(members.map((m) => [m.callSid, m.position])).to.deep.equal([[first.sid, 1], [second.sid, 2]]);
    expect((await client.queues(queue.sid).members('Front').fetch()).callSid).to.equal(first.sid);
    expect((await client.queues(queue.sid).fetch()).currentSize).to.equal(2);
    await raw(`/Queues/${queue.sid}.json`, 'api.v2010.account.queue');
    await raw('/Queues.json', 'api.v2010.account.queue', 'queues');
    await raw(`/Queues/${queue.sid}/Members.json`, 'api.v2010.account.queue.member', 'queue_members');
    await raw(`/Queues/${queue.sid}/Members/${first.sid}.json`, 'api.v2010.account.queue.member');

    await client.queues(queue.sid).members(first.sid).update({ url: t.app.url('/picked'), method: 'POST' });
    await first.done;
    expect(first.heard()).to.include('an agent will call you back');
    expect(t.app.hits.find((h) => h.path === '/queue-result' && h.params.CallSid === first.sid)!.params).to.include({ QueueResult: 'redirected', QueueSid: queue.sid });
    expect(first.transcript.some((e) => e.kind === 'dequeued')).to.equal(true);
    expect(await restError(client.queues(queue.sid).members(first.sid).fetch())).to.include({ code: 20404 });
    await second.done;
    expect(await client.queues(queue.sid).remove()).to.equal(true);
    expect(await restError(client.queues(queue.sid).fetch())).to.include({ status: 404, code: 20404 });
  });

  it('Conferences and Participants: add an agent by REST with a label, mute/hold/coach it, kick the customer, end the conference', async () => {
    t.sim.registerSoftphone({ identity: 'alice', token: voiceToken('alice'), answerAfter: 1 });
    t.app.on('/voice', xml('<Dial><Conference participantLabel="customer" statusCallback="/conf" statusCallbackEvent="join leave mute hold modify end">case-42</Conference></Dial><Say>back from the conference</Say>'));
    const customer = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    const [conf] = await until(async () => {
      const list = await client.conferences.list({ friendlyName: 'case-42', status: 'init' });
      expect(list).to.have.length(1);
      return list;
    });
    expect(conf.sid).to.match(/^CF[0-9a-f]{32}$/);
    const p = await client.conferences(conf.sid).participants.create({ from: HOTLINE, to: 'client:alice', label: 'agent', endConferenceOnExit: true });
    expect(p).to.include({ label: 'agent', conferenceSid: conf.sid, status: 'queued' });
    await until(async () => expect((await client.conferences(conf.sid).fetch()).status).to.equal('in-progress'));
    expect((await client.conferences(conf.sid).participants.list()).map((x) => x.label)).to.have.members(['customer', 'agent']);
    // While it runs, Twilio says reason_conference_ended: null (not absent).
    expect(await raw(`/Conferences/${conf.sid}.json`, 'api.v2010.account.conference')).to.have.property('reason_conference_ended', null);
    await raw('/Conferences.json', 'api.v2010.account.conference', 'conferences');
    await raw(`/Conferences/${conf.sid}/Participants.json`, 'api.v2010.account.conference.participant', 'participants');

    const muted = await client.conferences(conf.sid).participants('agent').update({ muted: true, hold: true });
    expect(muted).to.include({ muted: true, hold: true, callSid: p.callSid });
    // A HoldUrl is fetched (GET by default, signed, with the held call's parameters) and what it plays is noted.
    t.app.on('/hold-music', xml('<Play loop="0">https://example.com/music.mp3</Play>'));
    await client.conferences(conf.sid).participants('customer').update({ hold: true, holdUrl: t.app.url('/hold-music') });
    const holdHit = await until(() => {
      const [h] = t.app.hitsFor('/hold-music');
      expect(h).to.not.equal(undefined);
      return h;
    });
    expect(holdHit).to.include({ method: 'GET', signatureValid: true });
    expect(holdHit.params).to.include({ CallSid: customer.sid, ConferenceSid: conf.sid });
    await until(() => expect(customer.transcript.some((e) => e.kind === 'play' && e.text === 'https://example.com/music.mp3' && e.detail?.hold === 'true')).to.equal(true));
    await client.conferences(conf.sid).participants('customer').update({ hold: false });
    expect(await restError(client.conferences(conf.sid).participants('customer').update({ hold: true, holdUrl: 'ftp://example.com/x' }))).to.include({ status: 400 });
    const coach = await client.conferences(conf.sid).participants(p.callSid).update({ hold: false, coaching: true, callSidToCoach: customer.sid });
    expect(coach).to.include({ coaching: true, callSidToCoach: customer.sid, hold: false });
    await raw(`/Conferences/${conf.sid}/Participants/agent.json`, 'api.v2010.account.conference.participant');

    expect(await client.conferences(conf.sid).participants('customer').remove()).to.equal(true);
    await customer.done;
    expect(customer.heard()).to.deep.equal(['back from the conference']);
    expect((await client.conferences(conf.sid).participants.list()).map((x) => x.label)).to.deep.equal(['agent']);
    const endedConf = await client.conferences(conf.sid).update({ status: 'completed' });
    expect(endedConf.status).to.equal('completed');
    await t.sim.call(p.callSid)!.done;
    expect((await client.conferences(conf.sid).fetch()).reasonConferenceEnded).to.equal('conference-ended-via-api');
    const events = t.app.hitsFor('/conf').map((h) => h.params.StatusCallbackEvent);
    expect(events).to.include.members(['participant-join', 'participant-mute', 'participant-hold', 'participant-unhold', 'participant-modify', 'participant-leave', 'conference-end']);
    expect(await restError(client.conferences(conf.sid).participants('nobody').fetch())).to.include({ code: 20404 });
  });

  it('Recordings: a <Record> message is listed and fetched, its media is a WAV (no MP3), and it can be deleted', async () => {
    t.app.on('/voice', xml('<Record maxLength="30" action="/done"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script: [{ say: 'hello, please call me back about my order' }, { press: '#' }] });
    await call.done;
    const [rec] = await client.recordings.list({ callSid: call.sid });
    expect(rec.sid).to.match(/^RE[0-9a-f]{32}$/);
    expect(rec).to.include({ callSid: call.sid, status: 'completed', source: 'RecordVerb', channels: 1 });
    const fetched = await client.recordings(rec.sid).fetch();
    expect(Number(fetched.duration)).to.be.greaterThan(0);
    await raw(`/Recordings/${rec.sid}.json`, 'api.v2010.account.recording');
    await raw('/Recordings.json', 'api.v2010.account.recording', 'recordings');
    for (const suffix of ['', '.wav']) {
      const res = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Recordings/${rec.sid}${suffix}`);
      expect(res.headers.get('content-type')).to.match(/audio\/x-wav/);
      const wav = Buffer.from(await res.arrayBuffer());
      expect(wav.subarray(8, 12).toString()).to.equal('WAVE');
      expect(wav.readUInt32LE(40)).to.equal(Number(fetched.duration) * 16000);
    }
    const mp3 = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Recordings/${rec.sid}.mp3`);
    expect(mp3.status).to.equal(404);
    expect(((await mp3.json()) as { code: number }).code).to.equal(20404);
    expect(await client.recordings(rec.sid).remove()).to.equal(true);
    expect(await restError(client.recordings(rec.sid).fetch())).to.include({ status: 404, code: 20404 });
  });

  it('Call recordings: start by REST, pause, resume and stop (Twilio.CURRENT); the recording callback says completed', async () => {
    t.app.on('/voice', xml('<Pause length="40"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(call.status).to.equal('in-progress'));
    const rec = await client.calls(call.sid).recordings.create({ recordingStatusCallback: t.app.url('/rec'), recordingStatusCallbackEvent: ['in-progress', 'completed'] });
    expect(rec).to.include({ callSid: call.sid, status: 'in-progress', source: 'StartCallRecordingAPI' });
    await raw(`/Calls/${call.sid}/Recordings/${rec.sid}.json`, 'api.v2010.account.call.call_recording');
    expect((await client.calls(call.sid).recordings('Twilio.CURRENT').update({ status: 'paused' })).status).to.equal('paused');
    expect((await client.calls(call.sid).recordings(rec.sid).update({ status: 'in-progress' })).status).to.equal('in-progress');
    const stopped = await client.calls(call.sid).recordings(rec.sid).update({ status: 'stopped' });
    expect(stopped.status).to.equal('stopped');
    await raw(`/Calls/${call.sid}/Recordings.json`, 'api.v2010.account.call.call_recording', 'recordings');
    await client.calls(call.sid).update({ status: 'completed' });
    await call.done;
    expect(t.app.hitsFor('/rec').map((h) => h.params.RecordingStatus)).to.deep.equal(['in-progress', 'completed']);
  });
});
