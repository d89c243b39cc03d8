// The recordings library through the server: who sees which recording, the player's detail, Range playback with
// tickets, downloads, the audit trail of both, filters and paging, and the keep flag.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { synthesizeCallAudio } from '../support/synthetic-call-audio';
import { encodeDualChannelWav } from '../../src/recordings/wav';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { DEMO_PASSWORD, DEMO_TEAMS } from '../../src/db/seed/demo-staff';
import { evaluationComments, evaluations, recordings, scorecards, scorecardVersions, staff, teams } from '../../src/db/schema/index';

type Json = Record<string, any>;

const KEY = '2026/11/22/CA00000000000000000000000000000001-RE00000000000000000000000000000001.wav';
const KEY2 = '2026/11/21/CA00000000000000000000000000000002-RE00000000000000000000000000000002.wav';
const PHONE = '+8613800138000';

describe('recordings library API (through the server)', function () {
  this.timeout(30_000);
  let f: Fixture;
  let dir: string;
  let wav: Buffer;
  let wav2: Buffer;
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();
  const rec: Record<'r1' | 'r2' | 'r3' | 'r4', number> = { r1: 0, r2: 0, r3: 0, r4: 0 };

  async function api(method: string, url: string, who?: string, o: { body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...o.headers };
    if (who) headers.authorization = `Bearer ${tokens.get(who)}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(f.base + url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: Json = {};
    if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8')) as Json;
    return { status: res.status, headers: res.headers, bytes, json };
  }

  async function signIn(username: string): Promise<string> {
    const res = await api('POST', '/api/auth/login', undefined, { body: { username, password: DEMO_PASSWORD } });
    expect(res.status, `login ${username}`).to.equal(200);
    return res.json.token as string;
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recordings-library-'));
    const store = new LocalRecordingStore(dir);
    const audio = synthesizeCallAudio({ durationSeconds: 4, channel0: [{ start: 0.5, end: 1.5 }], channel1: [{ start: 2, end: 3.5 }], seed: 3 });
    wav = encodeDualChannelWav(audio.channels[0], audio.channels[1], audio.sampleRate);
    const audio2 = synthesizeCallAudio({ durationSeconds: 2, channel0: [{ start: 0.2, end: 1 }], channel1: [{ start: 1.1, end: 1.8 }], seed: 4 });
    wav2 = encodeDualChannelWav(audio2.channels[0], audio2.channels[1], audio2.sampleRate);
    await store.put(KEY, wav);
    await store.put(KEY2, wav2);
    f = await startHotline({}, { recordingStore: store });
    const db = f.hotline.db;
    for (const s of db.select({ id: staff.id, username: staff.username }).from(staff).all()) ids.set(s.username, s.id);
    const team = (name: string) => db.select({ id: teams.id }).from(teams).where(eq(teams.name, name)).get()!.id;
    const front = team(DEMO_TEAMS.frontDesk);
    const middle = team(DEMO_TEAMS.middleBack);
    const base = {
      channels: 2,
      customerChannel: 0,
      contentType: 'audio/wav',
      pauses: '[]',
      flags: '[]',
    };
    const insert = (v: Partial<typeof recordings.$inferInsert> & Pick<typeof recordings.$inferInsert, 'recordingSid' | 'callSid' | 'direction' | 'startedAt' | 'status'>) =>
      db.insert(recordings).values({ ...base, ...v }).returning({ id: recordings.id }).get().id;
    rec.r1 = insert({
      recordingSid: 'RE00000000000000000000000000000001',
      callSid: 'CA00000000000000000000000000000001',
      agentId: ids.get('agent1'),
      teamId: front,
      desk: 'front',
      customerPhone: PHONE,
      direction: 'inbound',
      disposition: 'resolved',
      startedAt: new Date('2026-11-22T02:00:00Z'),
      durationSeconds: 240,
      status: 'stored',
      storageKey: KEY,
      sizeBytes: wav.length,
      sha256: 'ab'.repeat(32),
      storedAt: new Date('2026-11-22T02:05:00Z'),
      pauses: JSON.stringify([{ start: 1, end: 1.4 }]),
      flags: JSON.stringify(['long_silence']),
      analysedAt: new Date('2026-11-22T02:06:00Z'),
      customerTalkSeconds: 1,
      agentTalkSeconds: 1.5,
      agentTalkRatio: 0.6,
      longestSilenceSeconds: 31,
      talkOverCount: 0,
      talkOverSeconds: 0,
      holdSeconds: 0,
      analysis: JSON.stringify({
        segments: { customer: [{ start: 0.5, end: 1.5 }], agent: [{ start: 2, end: 3.5 }] },
        longSilences: [{ start: 3.5, end: 4, seconds: 0.5 }],
        talkOver: { count: 0, seconds: 0, intervals: [] },
        longestSilence: { start: 3.5, end: 4, seconds: 0.5 },
      }),
    });
    rec.r2 = insert({
      recordingSid: 'RE00000000000000000000000000000002',
      callSid: 'CA00000000000000000000000000000002',
      agentId: ids.get('agent5'),
      teamId: middle,
      desk: 'middle',
      customerPhone: '+8613900139000',
      direction: 'outbound',
      disposition: 'order_inquiry',
      startedAt: new Date('2026-11-21T02:00:00Z'),
      durationSeconds: 60,
      status: 'stored',
      storageKey: KEY2,
      sizeBytes: wav2.length,
      storedAt: new Date('2026-11-21T02:05:00Z'),
      flags: JSON.stringify(['talk_over', 'agent_talk_ratio']),
    });
    rec.r3 = insert({
      recordingSid: 'RE00000000000000000000000000000003',
      callSid: 'CA00000000000000000000000000000003',
      agentId: ids.get('agent2'),
      teamId: front,
      desk: 'front',
      direction: 'inbound',
      startedAt: new Date('2026-11-20T02:00:00Z'),
      durationSeconds: 30,
      status: 'awaiting_media',
    });
    rec.r4 = insert({
      recordingSid: 'RE00000000000000000000000000000004',
      callSid: 'CA00000000000000000000000000000004',
      agentId: ids.get('agent1'),
      teamId: front,
      direction: 'inbound',
      startedAt: new Date('2026-11-19T02:00:00Z'),
      status: 'deleted',
    });
    const card = db.insert(scorecards).values({ name: 'probe', createdAt: new Date() }).returning().get();
    const version = db.insert(scorecardVersions).values({ scorecardId: card.id, version: 1, definition: '{"sections":[]}', createdAt: new Date() }).returning().get();
    const evaluation = (status: 'draft' | 'submitted', score: number, calibration = false) =>
      db
        .insert(evaluations)
        .values({ recordingId: rec.r2, scorecardVersionId: version.id, evaluatorId: ids.get('qc1')!, agentId: ids.get('agent5')!, status, score, calibration, createdAt: new Date('2026-11-22T03:00:00Z'), submittedAt: status === 'submitted' ? new Date('2026-11-22T03:10:00Z') : null })
        .returning()
        .get().id;
    const submitted = evaluation('submitted', 85);
    const draft = evaluation('draft', 40);
    db.insert(evaluationComments).values({ evaluationId: submitted, authorId: ids.get('qc1')!, atSeconds: 12.5, itemId: 'greeting', text: 'No greeting', createdAt: new Date() }).run();
    db.insert(evaluationComments).values({ evaluationId: draft, authorId: ids.get('qc1')!, atSeconds: 3, text: 'draft note', createdAt: new Date() }).run();
    for (const u of ['qc1', 'supervisor1', 'lead1', 'lead2', 'agent1', 'agent5', 'dispatcher1', 'warehouse1', 'admin1']) tokens.set(u, await signIn(u));
  });

  after(async () => {
    await f?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const listed = async (who: string, query = '') => {
    const res = await api('GET', `/api/recordings${query}`, who);
    expect(res.status, JSON.stringify(res.json)).to.equal(200);
    return res.json;
  };
  const listedIds = async (who: string, query = '') => ((await listed(who, query)).recordings as Json[]).map((r) => r.id as number);

  describe('who sees what', () => {
    it('quality staff see every recording (but the deleted) newest first, with the full number', async () => {
      for (const who of ['qc1', 'supervisor1']) {
        const body = await listed(who);
        expect(body.recordings.map((r: Json) => r.id)).to.deep.equal([rec.r1, rec.r2, rec.r3]);
        expect(body.total).to.equal(3);
        expect(body.recordings[0].customer.phone).to.equal(PHONE);
      }
    });

    it('a team lead sees their team only, an agent their own only, with the number masked', async () => {
      expect(await listedIds('lead1')).to.deep.equal([rec.r1, rec.r3]);
      expect(await listedIds('lead2')).to.deep.equal([rec.r2]);
      const own = await listed('agent1');
      expect(own.recordings.map((r: Json) => r.id)).to.deep.equal([rec.r1]);
      expect(own.recordings[0].customer.phone).to.equal('+86138****8000');
      expect(await listedIds('agent5')).to.deep.equal([rec.r2]);
    });

    it('an agent cannot widen their view with a filter on another agent', async () => {
      expect(await listedIds('agent1', `?agentId=${ids.get('agent5')}`)).to.deep.equal([]);
    });

    it('only quality staff filter by the customer\'s number: for the others, who see it masked, the filter would unmask it by trying the hidden digits', async () => {
      for (const who of ['agent1', 'lead1']) {
        const probe = await api('GET', `/api/recordings?customerPhone=${encodeURIComponent(PHONE)}`, who);
        expect(probe.status, who).to.equal(403);
        expect(probe.json.message).to.contain('customerPhone');
      }
      expect(await listedIds('supervisor1', `?customerPhone=${encodeURIComponent(PHONE)}`)).to.deep.equal([rec.r1]);
    });

    it('dispatchers, departments and admins get 403 on the list and on every recording, real or guessed', async () => {
      for (const who of ['dispatcher1', 'warehouse1', 'admin1']) {
        expect((await api('GET', '/api/recordings', who)).status, who).to.equal(403);
        for (const url of [`/api/recordings/${rec.r1}`, `/api/recordings/${rec.r1}/audio`, '/api/recordings/999999', '/api/recordings/999999/audio']) {
          expect((await api('GET', url, who)).status, `${who} ${url}`).to.equal(403);
        }
      }
    });

    it('one recording: its team lead and agent see it, another team or agent gets 404', async () => {
      expect((await api('GET', `/api/recordings/${rec.r1}`, 'lead1')).status).to.equal(200);
      expect((await api('GET', `/api/recordings/${rec.r1}`, 'agent1')).status).to.equal(200);
      expect((await api('GET', `/api/recordings/${rec.r1}`, 'lead2')).status).to.equal(404);
      expect((await api('GET', `/api/recordings/${rec.r2}`, 'agent1')).status).to.equal(404);
      expect((await api('GET', `/api/recordings/${rec.r2}/audio`, 'agent1', { headers: { range: 'bytes=0-99' } })).status).to.equal(404);
    });

    it('a guessed id answers exactly like a real recording the caller may not see', async () => {
      const forbidden = await api('GET', `/api/recordings/${rec.r2}`, 'agent1');
      const missing = await api('GET', '/api/recordings/999999', 'agent1');
      expect(forbidden.status).to.equal(404);
      expect(missing.status).to.equal(404);
      expect(forbidden.bytes.toString()).to.equal(missing.bytes.toString());
      const forbiddenTicket = await api('POST', `/api/recordings/${rec.r2}/playback-ticket`, 'agent1');
      const missingTicket = await api('POST', '/api/recordings/999999/playback-ticket', 'agent1');
      expect([forbiddenTicket.status, missingTicket.status]).to.deep.equal([404, 404]);
      expect(forbiddenTicket.bytes.toString()).to.equal(missingTicket.bytes.toString());
    });
  });

  describe('the player detail', () => {
    it('carries pauses, figures, flags, segments, evaluations and comments, and peaks computed from the file', async () => {
      const r1 = (await api('GET', `/api/recordings/${rec.r1}`, 'agent1')).json;
      expect(r1.pauses).to.deep.equal([{ start: 1, end: 1.4 }]);
      expect(r1.flags).to.deep.equal(['long_silence']);
      expect(r1.figures).to.include({ agentTalkRatio: 0.6, longestSilenceSeconds: 31 });
      expect(r1.analysis.segments).to.deep.equal({ customer: [{ start: 0.5, end: 1.5 }], agent: [{ start: 2, end: 3.5 }] });
      expect(r1.analysis.longSilences).to.deep.equal([{ start: 3.5, end: 4 }]);
      expect(r1.peaks.channels).to.have.length(2);
      expect(r1.peaks.channels[0].max).to.have.length(1000);
      expect(r1.peaks.bucketSeconds).to.equal(0.004);
      // The customer speaks 0.5–1.5 s on channel 0: loud there, only line noise and echo at the start.
      expect(Math.max(...r1.peaks.channels[0].max.slice(150, 350))).to.be.above(0.1);
      expect(Math.max(...r1.peaks.channels[0].max.slice(0, 100))).to.be.below(0.05);
      expect(r1.audio.downloadUrl).to.equal(null);
      expect(r1.customer.phone).to.equal('+86138****8000');
      expect(r1.pauses).to.have.length(1);
    });

    it('shows the agent the submitted evaluation and its comments, quality staff the drafts too', async () => {
      const mine = (await api('GET', `/api/recordings/${rec.r2}`, 'agent5')).json;
      expect(mine.evaluations.map((e: Json) => [e.status, e.score, e.evaluator.name])).to.deep.equal([['submitted', 85, '郑洁']]);
      expect(mine.comments.map((c: Json) => [c.atSeconds, c.text])).to.deep.equal([[12.5, 'No greeting']]);
      expect(mine.scored).to.include({ score: 85, status: 'submitted' });
      const qc = (await api('GET', `/api/recordings/${rec.r2}`, 'qc1')).json;
      expect(qc.evaluations.map((e: Json) => e.status)).to.deep.equal(['submitted', 'draft']);
      expect(qc.comments.map((c: Json) => c.atSeconds)).to.deep.equal([3, 12.5]);
      expect(qc.audio.downloadUrl).to.equal(`/api/recordings/${rec.r2}/download`);
      expect(qc.customer.phone).to.equal('+8613900139000');
    });
  });

  describe('playback with Range', () => {
    const url = () => `/api/recordings/${rec.r1}/audio`;

    it('bytes=0-99 → 206 with exactly those bytes', async () => {
      const res = await api('GET', url(), 'agent1', { headers: { range: 'bytes=0-99' } });
      expect(res.status).to.equal(206);
      expect(res.headers.get('content-range')).to.equal(`bytes 0-99/${wav.length}`);
      expect(res.headers.get('accept-ranges')).to.equal('bytes');
      expect(res.headers.get('content-type')).to.equal('audio/wav');
      expect(res.headers.get('content-length')).to.equal('100');
      expect(res.bytes.equals(wav.subarray(0, 100))).to.equal(true);
    });

    it('bytes=1000- → the rest of the file; bytes=-500 → its last 500 bytes', async () => {
      const rest = await api('GET', url(), 'agent1', { headers: { range: 'bytes=1000-' } });
      expect(rest.status).to.equal(206);
      expect(rest.headers.get('content-range')).to.equal(`bytes 1000-${wav.length - 1}/${wav.length}`);
      expect(rest.bytes.equals(wav.subarray(1000))).to.equal(true);
      const tail = await api('GET', url(), 'agent1', { headers: { range: 'bytes=-500' } });
      expect(tail.status).to.equal(206);
      expect(tail.headers.get('content-range')).to.equal(`bytes ${wav.length - 500}-${wav.length - 1}/${wav.length}`);
      expect(tail.bytes.equals(wav.subarray(wav.length - 500))).to.equal(true);
    });

    it('a range past the end → 416 with the size; several ranges → the first one; none → 200 whole', async () => {
      const out = await api('GET', url(), 'agent1', { headers: { range: `bytes=${wav.length}-` } });
      expect(out.status).to.equal(416);
      expect(out.headers.get('content-range')).to.equal(`bytes */${wav.length}`);
      const several = await api('GET', url(), 'agent1', { headers: { range: 'bytes=10-19,100-199' } });
      expect(several.status).to.equal(206);
      expect(several.bytes.equals(wav.subarray(10, 20))).to.equal(true);
      const whole = await api('GET', url(), 'agent1');
      expect(whole.status).to.equal(200);
      expect(whole.headers.get('accept-ranges')).to.equal('bytes');
      expect(whole.bytes.equals(wav)).to.equal(true);
    });

    it('If-Range with the current ETag gets the range, with a stale one the whole file', async () => {
      const first = await api('GET', url(), 'agent1', { headers: { range: 'bytes=0-9' } });
      const etag = first.headers.get('etag')!;
      expect(etag).to.match(/^"[0-9a-f]{32}"$/);
      expect((await api('GET', url(), 'agent1', { headers: { range: 'bytes=0-9', 'if-range': etag } })).status).to.equal(206);
      const stale = await api('GET', url(), 'agent1', { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } });
      expect(stale.status).to.equal(200);
      expect(stale.bytes.length).to.equal(wav.length);
    });

    it('a recording without stored audio answers 404 to one who may see it', async () => {
      const res = await api('GET', `/api/recordings/${rec.r3}/audio`, 'lead1');
      expect(res.status).to.equal(404);
      expect(res.json.message).to.match(/no audio/i);
    });
  });

  describe('playback tickets (for <audio>, which cannot send the bearer header)', () => {
    it('plays many ranges of its one recording without a header, audited once, and not another recording', async () => {
      const before = f.hotline.db.select().from(recordings).all().length;
      expect(before).to.equal(4);
      const issued = await api('POST', `/api/recordings/${rec.r1}/playback-ticket`, 'agent1');
      expect(issued.status).to.equal(201);
      const { ticket, url, expiresAt } = issued.json as { ticket: string; url: string; expiresAt: string };
      expect(url).to.equal(`/api/recordings/${rec.r1}/audio?ticket=${ticket}`);
      expect(new Date(expiresAt).getTime() - f.clock.now().getTime()).to.equal(5 * 60_000);
      const auditBefore = await playedEntries();
      for (const range of ['bytes=0-65535', 'bytes=65536-', 'bytes=0-99']) {
        const res = await api('GET', url, undefined, { headers: { range } });
        expect(res.status, range).to.equal(206);
      }
      const chunk = await api('GET', url, undefined, { headers: { range: 'bytes=0-99' } });
      expect(chunk.bytes.equals(wav.subarray(0, 100))).to.equal(true);
      const added = (await playedEntries()).filter((e) => !auditBefore.some((b) => b.id === e.id));
      expect(added.map((e) => [e.actorId, e.subjectId, e.detail.via])).to.deep.equal([[ids.get('agent1'), String(rec.r1), 'ticket']]);
      expect(added[0].ip).to.match(/127\.0\.0\.1/);
      // Bound to its recording: another one's audio with it is refused, as is a made-up ticket.
      expect((await api('GET', `/api/recordings/${rec.r2}/audio?ticket=${ticket}`)).status).to.equal(401);
      expect((await api('GET', `/api/recordings/${rec.r1}/audio?ticket=${'x'.repeat(32)}`)).status).to.equal(401);
    });

    it('expires after 5 minutes, and ends with the session it stands for', async () => {
      const { ticket } = (await api('POST', `/api/recordings/${rec.r1}/playback-ticket`, 'qc1')).json as { ticket: string };
      const url = `/api/recordings/${rec.r1}/audio?ticket=${ticket}`;
      const start = f.clock.now().toISOString();
      f.clock.set(new Date(f.clock.now().getTime() + 5 * 60_000 + 1).toISOString());
      try {
        expect((await api('GET', url, undefined, { headers: { range: 'bytes=0-9' } })).status).to.equal(401);
      } finally {
        f.clock.set(start);
      }
      const token = await signIn('agent1');
      tokens.set('agent1-b', token);
      const other = (await api('POST', `/api/recordings/${rec.r1}/playback-ticket`, 'agent1-b')).json as { ticket: string };
      expect((await api('GET', `/api/recordings/${rec.r1}/audio?ticket=${other.ticket}`, undefined, { headers: { range: 'bytes=0-9' } })).status).to.equal(206);
      expect((await api('POST', '/api/auth/logout', 'agent1-b')).status).to.be.within(200, 204);
      expect((await api('GET', `/api/recordings/${rec.r1}/audio?ticket=${other.ticket}`, undefined, { headers: { range: 'bytes=0-9' } })).status).to.equal(401);
    });

    it('playback with the bearer header is audited once per listen, not once per Range request', async () => {
      const before = await playedEntries();
      for (let i = 0; i < 4; i++) expect((await api('GET', `/api/recordings/${rec.r2}/audio`, 'supervisor1', { headers: { range: `bytes=${i * 100}-${i * 100 + 99}` } })).status).to.equal(206);
      const added = (await playedEntries()).filter((e) => !before.some((b) => b.id === e.id));
      expect(added.map((e) => [e.actorId, e.subjectId, e.detail.via, e.detail.range])).to.deep.equal([[ids.get('supervisor1'), String(rec.r2), 'bearer', 'bytes 0-99']]);
    });
  });

  async function playedEntries(): Promise<Json[]> {
    const res = await api('GET', '/api/audit?action=recording.played&limit=500', 'supervisor1');
    expect(res.status).to.equal(200);
    return res.json.entries as Json[];
  }

  describe('download', () => {
    it('agents and team leads may not download (403); quality staff get the whole file as an attachment, audited', async () => {
      expect((await api('GET', `/api/recordings/${rec.r1}/download`, 'agent1')).status).to.equal(403);
      expect((await api('GET', `/api/recordings/${rec.r1}/download`, 'lead1')).status).to.equal(403);
      const res = await api('GET', `/api/recordings/${rec.r1}/download`, 'qc1');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="?recording-\d+-RE0+1\.wav"?$/);
      expect(res.headers.get('content-type')).to.equal('audio/wav');
      expect(res.bytes.equals(wav)).to.equal(true);
      const entries = (await api('GET', '/api/audit?action=recording.downloaded', 'supervisor1')).json.entries as Json[];
      expect(entries.map((e) => [e.actorId, e.subjectType, e.subjectId])).to.deep.equal([[ids.get('qc1'), 'recording', String(rec.r1)]]);
      expect(entries[0].ip).to.match(/127\.0\.0\.1/);
    });
  });

  describe('filters and paging', () => {
    it('filters by agent, team, desk, date, duration, disposition, phone, direction, flag, scored and status', async () => {
      expect(await listedIds('qc1', `?agentId=${ids.get('agent1')}`)).to.deep.equal([rec.r1]);
      expect(await listedIds('qc1', '?desk=front')).to.deep.equal([rec.r1, rec.r3]);
      expect(await listedIds('qc1', '?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).to.deep.equal([rec.r2]);
      expect(await listedIds('qc1', '?minDuration=60&maxDuration=200')).to.deep.equal([rec.r2]);
      expect(await listedIds('qc1', '?disposition=resolved')).to.deep.equal([rec.r1]);
      expect(await listedIds('qc1', `?customerPhone=${encodeURIComponent(PHONE)}`)).to.deep.equal([rec.r1]);
      expect(await listedIds('qc1', '?direction=outbound')).to.deep.equal([rec.r2]);
      expect(await listedIds('qc1', '?flag=talk_over')).to.deep.equal([rec.r2]);
      expect(await listedIds('qc1', '?flag=long_silence')).to.deep.equal([rec.r1]);
      expect(await listedIds('qc1', '?scored=true')).to.deep.equal([rec.r2]);
      expect(await listedIds('qc1', '?scored=false')).to.deep.equal([rec.r1, rec.r3]);
      expect(await listedIds('qc1', '?status=deleted')).to.deep.equal([rec.r4]);
      expect(await listedIds('qc1', '?status=stored,awaiting_media')).to.deep.equal([rec.r1, rec.r2, rec.r3]);
    });

    it('shows each row with its figures, flags, score, keep and pauses', async () => {
      const [r1, r2] = (await listed('qc1')).recordings as Json[];
      expect(r1).to.deep.include({ flags: ['long_silence'], keep: false, pauses: 1, scored: null, hasAudio: true, direction: 'inbound', desk: 'front', disposition: 'resolved' });
      expect(r1.agent).to.deep.equal({ id: ids.get('agent1'), name: '陈静' });
      expect(r1.team.name).to.equal(DEMO_TEAMS.frontDesk);
      expect(r1.figures).to.deep.include({ customerTalkSeconds: 1, agentTalkSeconds: 1.5, agentTalkRatio: 0.6, holdSeconds: 0 });
      expect(r2.scored).to.include({ score: 85, status: 'submitted' });
      expect(r2.figures).to.equal(null);
    });

    it('refuses bad filters with 400 naming the field', async () => {
      for (const [q, field] of [
        ['?customerPhone=13800138000', 'customerPhone'],
        ['?flag=loud', 'flag'],
        ['?limit=201', 'limit'],
        ['?from=yesterday', 'from'],
        ['?status=gone', 'status'],
        ['?cursor=abc', 'cursor'],
        ['?color=red', 'color'],
      ]) {
        const res = await api('GET', `/api/recordings${q}`, 'qc1');
        expect(res.status, q).to.equal(400);
        expect(res.json.message, q).to.include(field);
      }
    });

    it('pages by offset and by cursor, newest first, with the total', async () => {
      const p1 = await listed('qc1', '?limit=2');
      expect(p1.recordings.map((r: Json) => r.id)).to.deep.equal([rec.r1, rec.r2]);
      expect(p1).to.include({ total: 3, nextOffset: 2 });
      const p2 = await listed('qc1', `?limit=2&offset=${p1.nextOffset}`);
      expect(p2.recordings.map((r: Json) => r.id)).to.deep.equal([rec.r3]);
      expect(p2).to.include({ total: 3, nextOffset: null });
      const c2 = await listed('qc1', `?limit=2&cursor=${p1.nextCursor}`);
      expect(c2.recordings.map((r: Json) => r.id)).to.deep.equal([rec.r3]);
      expect(c2.total).to.equal(3);
    });
  });

  describe('keep flag', () => {
    it('quality staff keep a recording past retention, with a reason, audited; others may not', async () => {
      expect((await api('PATCH', `/api/recordings/${rec.r1}`, 'agent1', { body: { keep: true, reason: 'mine' } })).status).to.equal(403);
      expect((await api('PATCH', `/api/recordings/${rec.r1}`, 'lead1', { body: { keep: true, reason: 'team' } })).status).to.equal(403);
      const noReason = await api('PATCH', `/api/recordings/${rec.r1}`, 'qc1', { body: { keep: true } });
      expect(noReason.status).to.equal(400);
      expect(noReason.json.message).to.include('reason');
      const kept = await api('PATCH', `/api/recordings/${rec.r1}`, 'supervisor1', { body: { keep: true, reason: 'complaint evidence' } });
      expect(kept.status).to.equal(200);
      expect(kept.json).to.deep.equal({ id: rec.r1, keep: true });
      expect((await listed('qc1')).recordings[0].keep).to.equal(true);
      const entries = (await api('GET', '/api/audit?action=recording.kept', 'supervisor1')).json.entries as Json[];
      expect(entries.map((e) => [e.actorId, e.subjectId, e.reason])).to.deep.equal([[ids.get('supervisor1'), String(rec.r1), 'complaint evidence']]);
      expect((await api('PATCH', '/api/recordings/999999', 'qc1', { body: { keep: true, reason: 'x' } })).status).to.equal(404);
    });
  });
});
