// REST Recordings: list, fetch metadata (.json), download media (WAV rendered from the call's timeline, see
// recording-audio.ts; no MP3 encoder here, so .mp3 is 404), delete.
import type { Router, Request } from 'express';
import type { CarrierContext } from './carrier-context';
import { form, listPage, notFound } from './rest-api';
import type { Recording } from './recordings';
import { wavBytes, wavHeader, RECORDING_SAMPLE_RATE } from './recording-audio';
import { renderThread } from './render-thread';
import { rfc2822 } from './sid';

export function recordingJson(ctx: CarrierContext, r: Recording): object {
  const base = `${ctx.accountPath}/Recordings/${r.sid}`;
  return {
    account_sid: ctx.opts.accountSid,
    api_version: '2010-04-01',
    call_sid: r.callSid ?? null,
    conference_sid: r.conferenceSid ?? null,
    date_created: rfc2822(r.dateCreated),
    date_updated: rfc2822(r.dateUpdated),
    start_time: rfc2822(r.startTime),
    duration: r.duration === undefined ? null : String(r.duration),
    sid: r.sid,
    price: null,
    price_unit: 'USD',
    status: r.status,
    channels: r.channels,
    source: r.source,
    error_code: null,
    uri: `${base}.json`,
    encryption_details: null,
    subresource_uris: { add_on_results: `${base}/AddOnResults.json`, transcriptions: `${base}/Transcriptions.json` },
    media_url: `${ctx.baseUrl}${base}`,
  };
}

const FILE = /^(RE[0-9a-f]{32})(\.json|\.wav|\.mp3)?$/;

export function recordingRoutes(api: Router, ctx: CarrierContext): void {
  const find = (req: Request) => {
    const m = FILE.exec(req.params.file as string);
    const rec = m ? ctx.recordings.get(m[1]) : undefined;
    if (!m || !rec) throw notFound(req);
    return { rec, ext: m[2] ?? '' };
  };

  api.get('/Recordings.json', (req, res) => {
    const f = form(req);
    const list = ctx.recordings.list({ callSid: f.get('CallSid'), conferenceSid: f.get('ConferenceSid') });
    res.json(listPage(req, 'recordings', list, (r) => recordingJson(ctx, r)));
  });

  api.get('/Recordings/:file', (req, res) => {
    const { rec, ext } = find(req);
    if (ext === '.json') return void res.json(recordingJson(ctx, rec));
    if (ext === '.mp3' || rec.status !== 'completed') throw notFound(req);
    // Like Twilio, a dual-channel recording downloads mixed to mono unless RequestedChannels=2 asks for both channels.
    const plan = ctx.recordings.audio(rec, Number(form(req).get('RequestedChannels') ?? 1));
    res.type('audio/x-wav').set('Content-Length', String(wavBytes(plan)));
    res.write(wavHeader(plan));
    // Rendered five seconds at a time as the client reads, so an hour-long recording never sits in memory whole.
    // The samples are computed on the render thread (src/sim/render-thread.ts).
    const chunk = 5 * RECORDING_SAMPLE_RATE;
    let at = 0;
    const pump = () => {
      if (at >= plan.frames) return void res.end();
      const from = at;
      at += chunk;
      void renderThread.render(plan, from, from + chunk).then((buf) => {
        if (at > plan.frames + chunk) return; // the client went away
        if (res.write(buf)) pump();
        else res.once('drain', pump);
      });
    };
    res.once('close', () => (at = plan.frames + chunk + 1));
    pump();
  });

  api.delete('/Recordings/:file', (req, res) => {
    const { rec, ext } = find(req);
    if (ext !== '.json' && ext !== '') throw notFound(req);
    ctx.recordings.delete(rec.sid);
    res.status(204).end();
  });
}
