// The carrier's REST door against a misbehaving carrier (a small node:http server in Twilio's shapes): errors come
// out with phone numbers masked, and a recording download is bounded in time and bytes and leaves no half file.
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { CallsRepo } from '../../src/calls/calls.repo';
import { VoicemailsRepo } from '../../src/recordings/voicemails.repo';
import { VoicemailDownloader } from '../../src/recordings/voicemail-download';
import { mediaRedirectProblem, TwilioCallControl } from '../../src/telephony/call-control';
import { maskPhonesIn } from '../../src/logging/logger';
import { callSid } from '../support/hotline-fixture';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const RECORDING = 'RE' + '1'.repeat(32);
const WAV_HEAD = Buffer.from('RIFF');

type Behaviour = 'small' | 'huge' | 'endless' | 'slow' | 'rest-error' | 'hostile-uri' | 'redirect' | 'hour-long';

/** A carrier whose recording media and call creation behave as told; counts the media bytes it managed to send. */
async function misbehavingCarrier() {
  let behaviour: Behaviour = 'small';
  const sent = { bytes: 0, closedEarly: false, mediaRequests: [] as string[] };
  let hostileUri = '';
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url.endsWith(`/Recordings/${RECORDING}.json`)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const uri = behaviour === 'hostile-uri' ? hostileUri : `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}.json`;
      return res.end(JSON.stringify({ sid: RECORDING, account_sid: ACCOUNT, uri }));
    }
    if (url === '/storage/media.wav') {
      sent.mediaRequests.push(url);
      res.writeHead(200, { 'Content-Type': 'audio/x-wav' });
      return res.end(Buffer.concat([WAV_HEAD, Buffer.alloc(100, 1)]));
    }
    if (url.split('?')[0].endsWith(`/Recordings/${RECORDING}.wav`)) {
      sent.mediaRequests.push(url);
      if (behaviour === 'redirect') {
        res.writeHead(302, { Location: hostileUri });
        return res.end();
      }
      res.on('close', () => (sent.closedEarly = !res.writableFinished));
      const piece = Buffer.alloc(16 * 1024, 1);
      if (behaviour === 'small' || behaviour === 'hostile-uri') {
        res.writeHead(200, { 'Content-Type': 'audio/x-wav', 'Content-Length': String(WAV_HEAD.length + piece.length) });
        return res.end(Buffer.concat([WAV_HEAD, piece]));
      }
      if (behaviour === 'hour-long') {
        // One hour of 8 kHz 16-bit two-channel audio, as the download asks for it (RequestedChannels=2): 115,200,044 bytes.
        const total = 44 + 8000 * 2 * 2 * 3600;
        res.writeHead(200, { 'Content-Type': 'audio/x-wav', 'Content-Length': String(total) });
        const chunk = Buffer.alloc(1024 * 1024, 0);
        let left = total;
        const pour = () => {
          while (left > 0 && !res.destroyed) {
            const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= part.length;
            if (!res.write(part)) return void res.once('drain', pour);
          }
          res.end();
        };
        return pour();
      }
      if (behaviour === 'huge') {
        res.writeHead(200, { 'Content-Type': 'audio/x-wav', 'Content-Length': String(1024 * 1024 * 1024) });
        return res.end(WAV_HEAD);
      }
      res.writeHead(200, { 'Content-Type': 'audio/x-wav' }); // chunked, no length announced
      const pump = () => {
        while (!res.destroyed && behaviour === 'endless') {
          sent.bytes += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
      };
      if (behaviour === 'endless') return pump();
      const trickle = setInterval(() => (res.destroyed ? clearInterval(trickle) : (res.write(WAV_HEAD), (sent.bytes += WAV_HEAD.length))), 50);
      return;
    }
    if (url.endsWith('/Calls.json') && req.method === 'POST') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ code: 21211, message: "The 'To' number +8613800138000 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }));
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: 20404, message: 'not found', status: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    set: (b: Behaviour, uri = '') => ((behaviour = b), (hostileUri = uri)),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('carrier REST door (against a misbehaving carrier)', () => {
  let carrier: Awaited<ReturnType<typeof misbehavingCarrier>>;
  let control: TwilioCallControl;
  let db: Db;
  let dir: string;
  let downloader: VoicemailDownloader;
  let voicemails: VoicemailsRepo;
  let sid: string;

  beforeEach(async () => {
    carrier = await misbehavingCarrier();
    control = new TwilioCallControl({ accountSid: ACCOUNT, authToken: 'secret', apiBaseUrl: carrier.baseUrl }, { timeoutMs: 400, maxBytes: 256 * 1024 });
    db = openDatabase(':memory:');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-recordings-'));
    voicemails = new VoicemailsRepo(db);
    sid = callSid();
    new CallsRepo(db).insert({ sid, direction: 'inbound', from: '+8613700001111', to: '+864008008888', status: 'completed', startedAt: new Date() });
    voicemails.add({ callSid: sid, from: '+8613700001111', recordingSid: RECORDING, recordingUrl: `${carrier.baseUrl}/r`, durationSeconds: 5, createdAt: new Date() });
    downloader = new VoicemailDownloader({ voicemails, media: control, dir });
  });
  afterEach(async () => {
    await carrier.close();
    db.$client.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('masks phone numbers in the carrier\'s error and keeps its status and code', async () => {
    const err = (await control
      .createCall({ to: '+8613800138000', from: '+864008008888', url: 'http://x/y', statusCallback: 'http://x/z', timeoutSeconds: 20 })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { message: string; status: number; code: number };
    expect(err, 'createCall must fail').to.be.an('error');
    expect(err.message).to.equal("The 'To' number +86138****8000 is not a valid phone number.");
    expect(err.status).to.equal(400);
    expect(err.code).to.equal(21211);
  });

  it('masks numbers in free text but leaves SIDs, error codes and dates alone', () => {
    expect(maskPhonesIn(`Call ${'CA' + '1234567890'.repeat(3) + 'ab'} to 8613800138000 failed (21211) on 2026-11-23`)).to.equal(
      `Call ${'CA' + '1234567890'.repeat(3) + 'ab'} to 861380****8000 failed (21211) on 2026-11-23`,
    );
  });

  it('downloads a recording within the bounds and stores it under its name, nothing else', async () => {
    const file = await downloader.run({ callSid: sid, recordingSid: RECORDING });
    expect(await fs.readdir(dir)).to.deep.equal([file]);
    expect((await fs.stat(path.join(dir, file))).size).to.equal(4 + 16 * 1024);
    expect(voicemails.forCall(sid)?.localPath).to.equal(file);
  });

  it('fetches the audio from the carrier\'s own API by the SIDs, whatever `uri` the carrier\'s metadata gives (no credentials to another host)', async () => {
    let stolen = 0;
    const thief = http.createServer((_req, res) => (stolen++, res.end('RIFF')));
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
    try {
      // Appended to the API base the old way, `@host:port/…` and `.evil.example/…` name another host.
      carrier.set('hostile-uri', `@127.0.0.1:${(thief.address() as AddressInfo).port}/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}.json`);
      const file = await downloader.run({ callSid: sid, recordingSid: RECORDING });
      expect((await fs.stat(path.join(dir, file))).size).to.equal(4 + 16 * 1024);
      expect(carrier.sent.mediaRequests).to.deep.equal([`/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}.wav?RequestedChannels=2`]);
      expect(stolen).to.equal(0);
      const err = await control.recordingMedia('RE../../evil').then(() => undefined, (e: Error) => e);
      expect(err?.message).to.match(/not a recording SID/);
    } finally {
      await new Promise<void>((resolve) => thief.close(() => resolve()));
    }
  });

  it('follows a media redirect only back to the carrier\'s API or to an https host by name: never to an IP, plain http, another port or with credentials', async () => {
    let reached = 0;
    const thief = http.createServer((_req, res) => (reached++, res.end('RIFF')));
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
    const port = (thief.address() as AddressInfo).port;
    try {
      for (const target of [`http://127.0.0.1:${port}/media.wav`, `http://localhost:${port}/media.wav`, `https://127.0.0.1:${port}/x`, 'https://[::1]/x', 'https://169.254.169.254/latest/meta-data', 'http://media.example.com/x', 'https://media.example.com:8443/x', 'https://user:pw@media.example.com/x', 'https://internal/x']) {
        carrier.set('redirect', target);
        const err = await downloader.run({ callSid: sid, recordingSid: RECORDING }).then(() => undefined, (e: Error) => e);
        expect(err?.message, target).to.match(/download refused/);
      }
      expect(reached, 'no request left for another host').to.equal(0);
      expect(await fs.readdir(dir)).to.deep.equal([]);

      carrier.set('redirect', '/storage/media.wav');
      const file = await downloader.run({ callSid: sid, recordingSid: RECORDING });
      expect((await fs.stat(path.join(dir, file))).size).to.equal(4 + 100);
      expect(carrier.sent.mediaRequests.at(-1)).to.equal('/storage/media.wav');
    } finally {
      await new Promise<void>((resolve) => thief.close(() => resolve()));
    }
  });

  it('takes a one-hour two-channel recording with the default limits (a long call is not refused as too big)', async () => {
    carrier.set('hour-long');
    const defaults = new TwilioCallControl({ accountSid: ACCOUNT, authToken: 'secret', apiBaseUrl: carrier.baseUrl });
    const bytes = await defaults.recordingMedia(RECORDING);
    expect(bytes.length).to.equal(44 + 8000 * 2 * 2 * 3600);
  });

  it('tells which media redirects are followed', () => {
    const api = 'https://api.twilio.com';
    expect(mediaRedirectProblem(new URL('https://api.twilio.com/2010-04-01/x'), api)).to.equal(undefined);
    expect(mediaRedirectProblem(new URL('https://media.twiliocdn.com/x.wav?sig=1'), api)).to.equal(undefined);
    expect(mediaRedirectProblem(new URL('https://api.twilio.com@evil.example/x'), api)).to.match(/credentials/);
    expect(mediaRedirectProblem(new URL('https://0x7f000001/x'), api)).to.match(/IP address 127.0.0.1/);
    expect(mediaRedirectProblem(new URL('https://2130706433/x'), api)).to.match(/IP address/);
    expect(mediaRedirectProblem(new URL('https://api.twilio.com:444/x'), api)).to.match(/port 444/);
  });

  for (const [behaviour, reason] of [
    ['huge', /over the 262144-byte limit/],
    ['endless', /more than the 262144-byte limit; download stopped/],
    ['slow', /not done within 400 ms; stopped/],
  ] as const) {
    it(`fails the attempt cleanly when the audio is ${behaviour}: a clear error, no file, no localPath, connection closed`, async () => {
      carrier.set(behaviour);
      const started = Date.now();
      const err = await downloader.run({ callSid: sid, recordingSid: RECORDING }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err, 'the download must fail').to.be.an('error');
      expect(err!.message).to.match(reason);
      expect(Date.now() - started).to.be.below(3000);
      expect(await fs.readdir(dir)).to.deep.equal([]);
      expect(voicemails.forCall(sid)?.localPath).to.equal(null);
      if (behaviour === 'endless') expect(carrier.sent.bytes).to.be.below(64 * 1024 * 1024);
      if (behaviour !== 'huge') {
        // The carrier sees the connection go away: the download stopped, it was not read to its end.
        const deadline = Date.now() + 2000;
        while (!carrier.sent.closedEarly && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(carrier.sent.closedEarly).to.equal(true);
      }
    });
  }
});

describe('carrier REST reads for startup reconciliation (against a carrier that pages and changes while read)', () => {
  const CF = (n: number) => 'CF' + String(n).repeat(32);
  let server: http.Server;
  let control: TwilioCallControl;
  const live = [callSid(), callSid(), callSid()];
  const participant = callSid();

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://carrier');
      const json = (status: number, body: unknown) => (res.writeHead(status, { 'Content-Type': 'application/json' }), res.end(JSON.stringify(body)));
      const list = `/2010-04-01/Accounts/${ACCOUNT}`;
      if (url.pathname === `${list}/Calls.json`) {
        // One call a page, whatever PageSize asks: the client must follow next_page_uri to see them all.
        const status = url.searchParams.get('Status');
        const page = Number(url.searchParams.get('Page') ?? 0);
        const mine = status === 'in-progress' ? live : [];
        const next = page + 1 < mine.length ? `${list}/Calls.json?Status=${status}&PageSize=1&Page=${page + 1}&PageToken=PT${page + 1}` : null;
        const calls = mine.slice(page, page + 1).map((sid) => ({ sid, status: 'in-progress', start_time: null, end_time: null, duration: null }));
        return json(200, { calls, page, page_size: 1, next_page_uri: next, uri: url.pathname + url.search, first_page_uri: url.pathname, previous_page_uri: null });
      }
      if (url.pathname === `${list}/Conferences.json`) {
        const conferences = [1, 2].map((n) => ({ sid: CF(n), friendly_name: `interaction-${n}`, status: 'in-progress' }));
        return json(200, { conferences, page: 0, page_size: 50, next_page_uri: null, uri: url.pathname });
      }
      if (url.pathname === `${list}/Conferences/${CF(1)}/Participants.json`) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      if (url.pathname === `${list}/Conferences/${CF(2)}/Participants.json`) {
        return json(200, { participants: [{ call_sid: participant, conference_sid: CF(2) }], page: 0, page_size: 50, next_page_uri: null, uri: url.pathname });
      }
      json(404, { code: 20404, message: 'not found', status: 404 });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    control = new TwilioCallControl({ accountSid: ACCOUNT, authToken: 'secret', apiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { timeoutMs: 2000 });
  });
  after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

  it('follows next_page_uri: every live call on every page is seen', async () => {
    expect((await control.liveCalls()).map((c) => c.sid)).to.have.members(live);
  });

  it('takes a conference that ended between the list and its participants (404) as empty, and still reads the others', async () => {
    expect(await control.liveConferences()).to.deep.equal([
      { friendlyName: 'interaction-1', participants: [] },
      { friendlyName: 'interaction-2', participants: [participant] },
    ]);
  });
});
