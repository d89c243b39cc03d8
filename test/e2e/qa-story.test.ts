// Issue 8's recordings and quality story end to end, as the people live it, through the HTTP API and the carrier
// simulator (bull on real Redis): answered calls are recorded in two channels, downloaded through the outbox job,
// listed, played with Range, analysed (the silence and talk-over the call's script made), scored by a quality
// controller with a critical item failed, disputed by the agent and resolved by a supervisor; each role hears only
// what it may; a repeated callback stores one file; a foreign media URL is never fetched; retention spares the
// disputed and the kept recording and deletes the other.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Redis from 'ioredis';
import { eq } from 'drizzle-orm';
import { startBackground } from '../../src/background';
import { createLogger } from '../../src/logging/logger';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { RECORDING_RETENTION } from '../../src/recordings/recording-retention';
import { wavInfo } from '../../src/recordings/wav';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { recordings } from '../../src/db/schema/index';
import { simulatorControl, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import { deleteKeys } from '../support/redis-suite';

type Json = Record<string, any>;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DAY = 86_400_000;
/** The three customers: 李娜 talks to agent1, the others to agent5 (another team) and agent2 (agent1's team). */
const CUSTOMER_A = '+8613911112222';
const CUSTOMER_B = '+8613800138000';
const CUSTOMER_C = '+8613700001111';

/**
 * Who talks when on call A's recording (seconds from its start; the customer is the recorded leg's own party):
 * the known answers the analysis must find. Silence from 15.0 s for 33.0 s; talk-over from 52.5 s for 1.5 s.
 */
const SCRIPT_A = {
  caller: [
    { start: 4.6, end: 9.6 },
    { start: 48.0, end: 54.0 },
    { start: 58.6, end: 62.0 },
  ],
  heard: [
    { start: 0.5, end: 4.0 },
    { start: 10.2, end: 15.0 },
    { start: 52.5, end: 58.0 },
  ],
};
const SILENCE = { start: 15.0, seconds: 33.0 };
const TALK_OVER = { start: 52.5, seconds: 1.5 };

describe('issue 8 story end to end: record, download, list, play, analyse, score, dispute, resolve, retention', function () {
  this.timeout(60000);
  const prefix = `hotline-test-qastory-${process.pid}-${Date.now().toString(36)}`;
  let redis: Redis;
  let f: SimFixture;
  let bg: ReturnType<typeof startBackground>;
  let dir: string;
  let foreign: http.Server;
  let foreignHits = 0;
  /** The background's clock: the server's, or a later day to run the retention job "a while later". */
  let retentionNow: Date | undefined;
  const desks: AgentDesk[] = [];
  const tokens = new Map<string, string>();
  /** Recording ids and CallSids of the three calls. */
  const rec = { a: 0, b: 0, c: 0 };
  const callSids = { a: '', b: '', c: '' };
  let evaluationId = 0;
  let scorecardItems: { id: string; scale: { min: number; max: number } }[] = [];

  async function api(method: string, url: string, who?: string, o: { body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...o.headers };
    if (who) headers.authorization = `Bearer ${tokens.get(who) ?? `no token for ${who}`}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(f.base + url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: Json = {};
    if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8')) as Json;
    return { status: res.status, headers: res.headers, bytes, json };
  }

  async function ok(method: string, url: string, who: string, body?: unknown, status = 200) {
    const res = await api(method, url, who, { body });
    expect(res.status, `${method} ${url} as ${who}: ${JSON.stringify(res.json)}`).to.equal(status);
    return res.json;
  }

  const filesIn = (root: string): string[] =>
    fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesIn(path.join(root, e.name)) : [path.join(root, e.name)])) : [];
  const filesOfCall = (callSid: string) => filesIn(dir).filter((p) => path.basename(p).startsWith(`${callSid}-`));
  const carrierAuth = () => ({ Authorization: `Basic ${Buffer.from(`${f.config.twilio.accountSid}:${f.config.twilio.authToken}`).toString('base64')}` });

  /** The carrier's own record of a call's recordings (its REST API). */
  async function carrierRecordings(callSid: string): Promise<Json[]> {
    const res = await fetch(`${f.sim.baseUrl}/2010-04-01/Accounts/${f.config.twilio.accountSid}/Recordings.json?CallSid=${callSid}`, { headers: carrierAuth() });
    expect(res.status).to.equal(200);
    return ((await res.json()) as Json).recordings as Json[];
  }

  /** The quality controller's view of a call's recording once it is in the library (found through the list). */
  async function recordingOfCall(callSid: string, customer: string): Promise<Json> {
    return eventually(async () => {
      const list = await ok('GET', `/api/recordings?customerPhone=${encodeURIComponent(customer)}`, 'qc1');
      expect(list.recordings, `a recording of ${customer}`).to.have.length(1);
      const detail = await ok('GET', `/api/recordings/${list.recordings[0].id}`, 'qc1');
      expect(detail.callSid).to.equal(callSid);
      return detail;
    }, 20000);
  }

  async function storedAndAnalysed(id: number, timeoutMs = 20000): Promise<Json> {
    return eventually(async () => {
      const d = await ok('GET', `/api/recordings/${id}`, 'qc1');
      expect(d.status).to.equal('stored');
      expect(d.figures, 'figures of the analysis').to.not.equal(null);
      return d;
    }, timeoutMs);
  }

  /**
   * An inbound call through the IVR to the front-desk queue, answered by `agent` (the only one available); `whileLive`
   * runs as soon as the call's recording is in the library, before anything else.
   */
  async function answeredCall(agent: AgentDesk, customer: string, talkSeconds: number, o: { talk?: typeof SCRIPT_A; whileLive?: (callSid: string) => Promise<void> } = {}) {
    expect((await agent.setState('available')).status).to.equal(200);
    const call = f.dial(customer, [{ press: '1' }, { press: '0' }, { wait: talkSeconds }, { hangup: true }]);
    // The simulator's script of who talks when on this call's recording (its control API, as `npm run call` uses it).
    if (o.talk) {
      const res = await fetch(`${f.sim.baseUrl}/sim/calls/${call.sid}/talk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.talk) });
      expect(res.status).to.equal(204);
    }
    const detail = await recordingOfCall(call.sid, customer);
    await o.whileLive?.(call.sid);
    expect(detail.agent).to.include({ id: agent.id });
    // The agent goes offline once this call is over, so the next call finds the next agent.
    expect((await agent.setState('offline')).status).to.equal(200);
    return { call, id: detail.id as number };
  }

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-story-'));
    const store = new LocalRecordingStore(dir);
    f = await startHotlineWithSimulator({ RECORDING_RETENTION_DAYS: '30' }, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10, recordingStore: store });
    bg = startBackground({
      config: f.config,
      db: f.hotline.db,
      log: createLogger('error', true),
      callControl: simulatorControl(f),
      prefix,
      clock: { now: () => retentionNow ?? f.clock.now() },
      groupCommit: f.hotline.groupCommit,
      recordingStore: store,
    });
    foreign = http.createServer((_req, res) => {
      foreignHits++;
      res.end('RIFF');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    for (const username of ['qc1', 'supervisor1', 'lead1', 'lead2', 'dispatcher1', 'admin1', 'warehouse1']) {
      const res = await api('POST', '/api/auth/login', undefined, { body: { username, password: DEMO_PASSWORD } });
      expect(res.status, `login ${username}`).to.equal(200);
      tokens.set(username, res.json.token as string);
    }
    for (const username of ['agent1', 'agent5', 'agent2']) {
      // The agents stay on the line until the customer hangs up.
      const desk = await AgentDesk.signIn(f, username, { script: [{ wait: 600 }, { hangup: true }] });
      desks.push(desk);
      tokens.set(username, desk.token);
    }
  });

  after(async () => {
    for (const d of desks) d.close();
    await bg?.stop();
    await f?.close();
    await new Promise<void>((r) => (foreign ? foreign.close(() => r()) : r()));
    await deleteKeys(redis, `${prefix}:*`);
    expect(await redis.keys(`${prefix}*`)).to.deep.equal([]);
    await redis.quit();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an inbound call answered by agent1 is recorded in two channels and downloaded through the outbox job into recordings/', async () => {
    const [agent1] = desks;
    const { call, id } = await answeredCall(agent1, CUSTOMER_A, 90, { talk: SCRIPT_A });
    rec.a = id;
    callSids.a = call.sid;
    // The carrier records the customer's leg in two channels.
    const [carrier] = await carrierRecordings(call.sid);
    expect(carrier).to.include({ channels: 2, source: 'StartCallRecordingAPI' });
    await call.done;

    const d = await storedAndAnalysed(id);
    expect(d).to.include({ direction: 'inbound', desk: 'front', channels: 2, customerChannel: 0, contentType: 'audio/wav', hasAudio: true });
    expect(d.durationSeconds).to.be.within(65, 95);
    // One file, by date and call, whose header says two channels of 8 kHz 16-bit PCM.
    const files = filesOfCall(call.sid);
    expect(files).to.have.length(1);
    expect(path.relative(dir, files[0])).to.match(new RegExp(`^\\d{4}/\\d{2}/\\d{2}/${call.sid}-RE[0-9a-f]{32}\\.wav$`));
    const bytes = fs.readFileSync(files[0]);
    expect(bytes.readUInt16LE(22), 'channels in the WAV header').to.equal(2);
    expect(wavInfo(bytes)).to.include({ channels: 2, sampleRate: 8000 });
    expect(d.sizeBytes).to.equal(bytes.length);
    // The controller's download is the stored file, byte for byte.
    const download = await api('GET', `/api/recordings/${id}/download`, 'qc1');
    expect(download.status).to.equal(200);
    expect(createHash('sha256').update(download.bytes).digest('hex')).to.equal(createHash('sha256').update(bytes).digest('hex'));
  });

  it('two more answered calls: agent5 (another team), and agent2 whose first completed callback names a foreign media host, never fetched', async () => {
    const [, agent5, agent2] = desks;
    const b = await answeredCall(agent5, CUSTOMER_B, 30);
    rec.b = b.id;
    callSids.b = b.call.sid;
    await b.call.done;

    // A signed completed callback naming a media URL on a host that is not the carrier's arrives first, while the call runs.
    const port = (foreign.address() as AddressInfo).port;
    const forgeCallback = async (callSid: string) => {
      const [carrier] = await carrierRecordings(callSid);
      const forged = await f.post('/twilio/recordings/status', {
        AccountSid: f.config.twilio.accountSid,
        CallSid: callSid,
        RecordingSid: carrier.sid as string,
        RecordingStatus: 'completed',
        RecordingDuration: '60',
        RecordingChannels: '2',
        RecordingUrl: `http://127.0.0.1:${port}/2010-04-01/Accounts/${f.config.twilio.accountSid}/Recordings/${carrier.sid as string}`,
      });
      expect(forged.status).to.equal(200);
      // It came first: the carrier is still recording, so its own completed callback is yet to come.
      expect((await carrierRecordings(callSid))[0]).to.include({ status: 'in-progress' });
    };
    const c = await answeredCall(agent2, CUSTOMER_C, 60, { whileLive: forgeCallback });
    rec.c = c.id;
    callSids.c = c.call.sid;
    await c.call.done;

    const [db, dc] = [await storedAndAnalysed(b.id), await storedAndAnalysed(c.id, 30000)];
    expect(db.agent.id).to.equal(agent5.id);
    expect(dc.agent.id).to.equal(agent2.id);
    expect(foreignHits, 'requests to the foreign host').to.equal(0);
    // Nor is the foreign URL kept on the recording or its interaction (the carrier's own is: call A's).
    const mediaUrl = (callSid: string) => f.hotline.db.select({ url: recordings.mediaUrl, ix: recordings.interactionId }).from(recordings).where(eq(recordings.callSid, callSid)).get()!;
    expect(mediaUrl(c.call.sid).url).to.equal(null);
    expect(f.hotline.acdRepos.interactions.get(mediaUrl(c.call.sid).ix!)!.recordingUrl).to.equal(null);
    expect(mediaUrl(callSids.a).url).to.equal(`${f.sim.baseUrl}/2010-04-01/Accounts/${f.config.twilio.accountSid}/Recordings/${(await carrierRecordings(callSids.a))[0].sid as string}`);
    // C's audio is the carrier's recording: a real two-channel WAV, not the foreign host's four bytes.
    const [file] = filesOfCall(c.call.sid);
    expect(wavInfo(fs.readFileSync(file))).to.include({ channels: 2 });
    expect(dc.sizeBytes).to.be.greaterThan(8000 * 2 * 2 * 10);
  });

  it('GET /api/recordings lists the recordings with their figures, and filters on agent, flag and score', async () => {
    const all = await ok('GET', '/api/recordings', 'qc1');
    expect(all.total).to.equal(3);
    expect(all.recordings.map((r: Json) => r.id)).to.have.members([rec.a, rec.b, rec.c]);
    const a = all.recordings.find((r: Json) => r.id === rec.a);
    expect(a).to.deep.include({ status: 'stored', hasAudio: true, scored: null, keep: false, direction: 'inbound' });
    expect(a.customer.phone).to.equal(CUSTOMER_A);
    expect(a.agent.id).to.equal(desks[0].id);
    expect(a.flags).to.include('long_silence');
    expect(a.figures.longestSilenceSeconds).to.be.closeTo(SILENCE.seconds, 0.5);
    expect((await ok('GET', '/api/recordings?flag=long_silence', 'qc1')).recordings.map((r: Json) => r.id)).to.deep.equal([rec.a]);
    expect((await ok('GET', `/api/recordings?agentId=${desks[1].id}`, 'qc1')).recordings.map((r: Json) => r.id)).to.deep.equal([rec.b]);
    expect((await ok('GET', '/api/recordings?scored=false&limit=2', 'qc1')).recordings).to.have.length(2);
  });

  it('the audio streams with Range: a 206 with exactly the bytes asked for, Content-Range and Content-Type', async () => {
    const file = fs.readFileSync(filesOfCall(callSids.a)[0]);
    const res = await api('GET', `/api/recordings/${rec.a}/audio`, 'qc1', { headers: { Range: 'bytes=1000-5095' } });
    expect(res.status).to.equal(206);
    expect(res.headers.get('content-range')).to.equal(`bytes 1000-5095/${file.length}`);
    expect(res.headers.get('content-type')).to.match(/^audio\/wav\b/);
    expect(res.headers.get('content-length')).to.equal('4096');
    expect(res.headers.get('accept-ranges')).to.equal('bytes');
    expect(res.bytes.length).to.equal(4096);
    expect(res.bytes.equals(file.subarray(1000, 5096)), 'the bytes at 1000-5095 of the stored file').to.equal(true);
    // The agent seeks to the end of their own call: the last 100 bytes.
    const tail = await api('GET', `/api/recordings/${rec.a}/audio`, 'agent1', { headers: { Range: 'bytes=-100' } });
    expect(tail.status).to.equal(206);
    expect(tail.headers.get('content-range')).to.equal(`bytes ${file.length - 100}-${file.length - 1}/${file.length}`);
    expect(tail.bytes.equals(file.subarray(file.length - 100))).to.equal(true);
  });

  it("the analysis finds the silence and the talk-over the call's script made, within 0.5 s of their start and length", async () => {
    const d = await ok('GET', `/api/recordings/${rec.a}`, 'qc1');
    const { longestSilence, longSilences, talkOver } = d.analysis as { longestSilence: Json; longSilences: Json[]; talkOver: Json[] };
    expect(longestSilence.start).to.be.closeTo(SILENCE.start, 0.5);
    expect(longestSilence.end - longestSilence.start).to.be.closeTo(SILENCE.seconds, 0.5);
    expect(longSilences, 'silences over 30 s').to.have.length(1);
    expect(longSilences[0].start).to.be.closeTo(SILENCE.start, 0.5);
    expect(talkOver, 'talk-over intervals').to.have.length(1);
    expect(talkOver[0].start).to.be.closeTo(TALK_OVER.start, 0.5);
    expect(talkOver[0].end - talkOver[0].start).to.be.closeTo(TALK_OVER.seconds, 0.5);
    expect(d.figures.talkOverCount).to.equal(1);
    expect(d.figures.talkOverSeconds).to.be.closeTo(TALK_OVER.seconds, 0.5);
    expect(d.figures.longestSilenceSeconds).to.be.closeTo(SILENCE.seconds, 0.5);
    // Talk time per party follows the script (customer 5 + 6 + 3.4 s, agent 3.5 + 4.8 + 5.5 s), within a second each.
    expect(d.figures.customerTalkSeconds).to.be.closeTo(14.4, 1);
    expect(d.figures.agentTalkSeconds).to.be.closeTo(13.8, 1);
    expect(d.flags).to.include('long_silence');
    expect(d.peaks.channels).to.have.length(2);
  });

  it('a repeated recording status callback (the same signed POST twice) stores one file and one row', async () => {
    const [carrier] = await carrierRecordings(callSids.a);
    const before = await ok('GET', `/api/recordings/${rec.a}`, 'qc1');
    const again = {
      AccountSid: f.config.twilio.accountSid,
      CallSid: callSids.a,
      RecordingSid: carrier.sid as string,
      RecordingUrl: carrier.media_url as string,
      RecordingStatus: 'completed',
      RecordingDuration: String(carrier.duration),
      RecordingChannels: '2',
      RecordingStartTime: carrier.start_time as string,
      RecordingSource: 'StartCallRecordingAPI',
      RecordingTrack: 'both',
      ErrorCode: '0',
    };
    const [first, second] = await Promise.all([f.post('/twilio/recordings/status', again), f.post('/twilio/recordings/status', again)]);
    expect([first.status, second.status]).to.deep.equal([200, 200]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(filesOfCall(callSids.a)).to.have.length(1);
    expect(filesIn(dir)).to.have.length(3);
    expect((await ok('GET', `/api/recordings?customerPhone=${encodeURIComponent(CUSTOMER_A)}`, 'qc1')).total).to.equal(1);
    const after = await ok('GET', `/api/recordings/${rec.a}`, 'qc1');
    expect(after.storedAt).to.equal(before.storedAt);
    expect(after.sizeBytes).to.equal(before.sizeBytes);
    const counts = await bg.queues.queue('recordings').getJobCounts();
    expect(counts).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('who hears what: quality staff all, team leads their team, agents their own, other roles 403; a guessed id answers like a forbidden one', async () => {
    const range = { Range: 'bytes=0-43' };
    const hears = async (who: string, id: number) => (await api('GET', `/api/recordings/${id}/audio`, who, { headers: range })).status;
    const listed = async (who: string) => ((await ok('GET', '/api/recordings', who)).recordings as Json[]).map((r) => r.id as number).sort((x, y) => x - y);
    const sorted = (...ids: number[]) => ids.sort((x, y) => x - y);

    for (const who of ['qc1', 'supervisor1']) {
      expect(await listed(who), who).to.deep.equal(sorted(rec.a, rec.b, rec.c));
      for (const id of [rec.a, rec.b, rec.c]) expect(await hears(who, id), `${who} plays ${id}`).to.equal(206);
    }
    expect(await listed('lead1')).to.deep.equal(sorted(rec.a, rec.c));
    expect(await listed('lead2')).to.deep.equal([rec.b]);
    expect(await listed('agent1')).to.deep.equal([rec.a]);
    expect(await listed('agent5')).to.deep.equal([rec.b]);
    expect(await listed('agent2')).to.deep.equal([rec.c]);
    const may: [string, number, boolean][] = [
      ['lead1', rec.a, true],
      ['lead1', rec.c, true],
      ['lead1', rec.b, false],
      ['lead2', rec.b, true],
      ['lead2', rec.a, false],
      ['agent1', rec.a, true],
      ['agent1', rec.b, false],
      ['agent1', rec.c, false],
      ['agent2', rec.c, true],
      ['agent2', rec.a, false],
    ];
    for (const [who, id, allowed] of may) expect(await hears(who, id), `${who} plays ${id}`).to.equal(allowed ? 206 : 404);
    // Downloads are for quality staff only.
    expect((await api('GET', `/api/recordings/${rec.a}/download`, 'lead1')).status).to.equal(403);
    expect((await api('GET', `/api/recordings/${rec.a}/download`, 'agent1')).status).to.equal(403);

    // A guessed id gets exactly the answer of a real recording the caller may not see: nothing tells them apart.
    const guessed = Math.max(rec.a, rec.b, rec.c) + 1000;
    const same = async (who: string, method: string, suffix: string, forbiddenId: number) => {
      const forbidden = await api(method, `/api/recordings/${forbiddenId}${suffix}`, who, { headers: range });
      const missing = await api(method, `/api/recordings/${guessed}${suffix}`, who, { headers: range });
      expect(forbidden.status, `${who} ${method} ${suffix || '(detail)'}`).to.be.oneOf([403, 404]);
      expect(missing.status, `${who} ${method} ${suffix || '(detail)'} of a guessed id`).to.equal(forbidden.status);
      expect(missing.bytes.toString('utf8'), `${who} ${method} ${suffix || '(detail)'}: the bodies`).to.equal(forbidden.bytes.toString('utf8'));
      expect(missing.headers.get('content-type')).to.equal(forbidden.headers.get('content-type'));
      return forbidden.status;
    };
    for (const [who, id] of [
      ['agent1', rec.b],
      ['agent1', rec.c],
      ['lead1', rec.b],
      ['lead2', rec.a],
    ] as const) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/audio'],
        ['POST', '/playback-ticket'],
      ]) {
        expect(await same(who, method, suffix, id)).to.equal(404);
      }
    }
    // Roles with no view of the library: 403, whichever recording (real or guessed) they name.
    for (const who of ['dispatcher1', 'admin1', 'warehouse1']) {
      expect((await api('GET', '/api/recordings', who)).status, `${who} lists`).to.equal(403);
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/audio'],
        ['POST', '/playback-ticket'],
        ['GET', '/download'],
      ]) {
        expect(await same(who, method, suffix, rec.a), `${who} ${method} ${suffix}`).to.equal(403);
      }
    }
  });

  it('a quality controller scores call A with the critical item failed: the total is zero', async () => {
    const opened = await ok('POST', `/api/recordings/${rec.a}/evaluations`, 'qc1', {}, 201);
    evaluationId = opened.id as number;
    expect(opened).to.include({ status: 'draft', recordingId: rec.a, agentId: desks[0].id });
    scorecardItems = (opened.scorecard.definition.sections as Json[]).flatMap((s) => s.items as Json[]).map((i) => ({ id: i.id as string, scale: i.scale as { min: number; max: number } }));
    expect(scorecardItems.map((i) => i.id)).to.include('problem_solved');
    // Every step done well, but the customer was left without a solution.
    const answers = scorecardItems.map((i) => ({ itemId: i.id, score: i.id === 'problem_solved' ? i.scale.min : i.scale.max, comment: i.id === 'problem_solved' ? 'no solution and no work order' : null }));
    await ok('PUT', `/api/evaluations/${evaluationId}/answers`, 'qc1', { answers });
    // A comment at the moment of the long silence the analysis marked.
    const detail = await ok('GET', `/api/recordings/${rec.a}`, 'qc1');
    const at = Math.round((detail.analysis.longestSilence.start as number) * 10) / 10;
    await ok('POST', `/api/evaluations/${evaluationId}/comments`, 'qc1', { atSeconds: at, itemId: 'verifying', text: '33 s of silence: the customer was left waiting' }, 201);
    const submitted = await ok('POST', `/api/evaluations/${evaluationId}/submit`, 'qc1');
    expect(submitted).to.include({ status: 'submitted', score: 0, criticalFailed: true });
    const listed = (await ok('GET', '/api/recordings?scored=true', 'qc1')).recordings as Json[];
    expect(listed.map((r) => r.id)).to.deep.equal([rec.a]);
    expect(listed[0].scored).to.deep.equal({ evaluationId, score: 0, status: 'submitted' });
    // The player shows the comment at its moment.
    const shown = await ok('GET', `/api/recordings/${rec.a}`, 'agent1');
    expect(shown.comments.map((c: Json) => [c.atSeconds, c.text])).to.deep.equal([[at, '33 s of silence: the customer was left waiting']]);
  });

  it('agent1 sees the score and disputes it with a reason; the supervisor finds the dispute', async () => {
    const mine = (await ok('GET', '/api/evaluations?agent=me', 'agent1')) as unknown as Json[];
    expect(mine.map((e) => [e.id, e.score, e.status])).to.deep.equal([[evaluationId, 0, 'submitted']]);
    // Another agent does not see it, nor can dispute it.
    expect((await ok('GET', '/api/evaluations?agent=me', 'agent2')) as unknown as Json[]).to.deep.equal([]);
    expect((await api('POST', `/api/evaluations/${evaluationId}/dispute`, 'agent2', { body: { reason: 'not mine' } })).status).to.equal(404);
    const disputed = await ok('POST', `/api/evaluations/${evaluationId}/dispute`, 'agent1', { reason: '工单已转物流部，问题已按流程移交 / the case was handed to logistics with a work order' });
    expect(disputed).to.include({ status: 'disputed' });
    expect(disputed.disputeReason).to.match(/handed to logistics/);
    const open = (await ok('GET', '/api/evaluations?status=disputed', 'supervisor1')) as unknown as Json[];
    expect(open.map((e) => e.id)).to.deep.equal([evaluationId]);
  });

  it('the retention job (bull) deletes an old recording but spares the disputed and the kept one, recording each deletion', async () => {
    await ok('PATCH', `/api/recordings/${rec.b}`, 'qc1', { keep: true, reason: 'training example for new agents' });
    // A while later: every recording is past the 30 days.
    const started = ((await ok('GET', '/api/recordings', 'qc1')).recordings as Json[]).map((r) => Date.parse(r.startedAt as string));
    retentionNow = new Date(Math.max(...started) + 31 * DAY);
    await bg.queues.add(RECORDING_RETENTION.queue, RECORDING_RETENTION.name, {}, `${prefix}-retention-now`);
    const deleted = await eventually(async () => {
      const list = await ok('GET', '/api/recordings?status=deleted', 'qc1');
      expect(list.recordings.map((r: Json) => r.id)).to.deep.equal([rec.c]);
      return list.recordings[0] as Json;
    }, 15000);
    expect(deleted.hasAudio).to.equal(false);
    expect(filesOfCall(callSids.c)).to.deep.equal([]);
    expect(filesOfCall(callSids.a)).to.have.length(1);
    expect(filesOfCall(callSids.b)).to.have.length(1);
    expect((await ok('GET', '/api/recordings', 'qc1')).recordings.map((r: Json) => r.id).sort()).to.deep.equal([rec.a, rec.b].sort());
    expect((await api('GET', `/api/recordings/${rec.c}/audio`, 'qc1')).status).to.equal(404);
    // Each deletion is in the audit log, readable by supervisors.
    const audit = await ok('GET', '/api/audit?action=recording.deleted', 'supervisor1');
    expect(audit.entries.map((e: Json) => [e.subjectType, e.subjectId, e.actorId])).to.deep.equal([['recording', String(rec.c), null]]);
    expect(audit.entries[0].reason).to.match(/30 days/);
    retentionNow = undefined;
  });

  it('the supervisor resolves the dispute by changing the score; the history keeps every step and the old score', async () => {
    const answers = [{ itemId: 'problem_solved', score: scorecardItems.find((i) => i.id === 'problem_solved')!.scale.max, comment: 'handed on with a work order: solved by the standard' }];
    expect((await api('POST', `/api/evaluations/${evaluationId}/resolve`, 'qc1', { body: { resolution: 'changed', note: 'x', answers } })).status).to.equal(403);
    const resolved = await ok('POST', `/api/evaluations/${evaluationId}/resolve`, 'supervisor1', { resolution: 'changed', note: 'the work order to logistics counts as handed on', answers });
    expect(resolved).to.include({ status: 'resolved', resolution: 'changed', criticalFailed: false });
    expect(resolved.score).to.be.greaterThan(0);
    const seen = await ok('GET', `/api/evaluations/${evaluationId}`, 'agent1');
    expect(seen.history.map((h: Json) => [h.action, h.toStatus])).to.deep.equal([
      ['opened', 'draft'],
      ['submitted', 'submitted'],
      ['disputed', 'disputed'],
      ['resolved_changed', 'resolved'],
    ]);
    const [, submittedStep, disputedStep, resolvedStep] = seen.history as Json[];
    expect(submittedStep.data).to.include({ score: 0, criticalFailed: true });
    expect(disputedStep.note).to.match(/handed to logistics/);
    expect(resolvedStep.data.previous).to.include({ score: 0, criticalFailed: true });
    expect(resolvedStep.data.score).to.equal(resolved.score);
    expect(resolvedStep.note).to.equal('the work order to logistics counts as handed on');
  });
});
