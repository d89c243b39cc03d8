// REST Calls: create (the carrier dials To and runs Url/Twiml on answer), list, fetch, update (redirect, hang up), delete, and call recordings.
import type { Router, Request } from 'express';
import type { CarrierContext } from './carrier-context';
import { CallSession, statusEvents, type Next } from './call-session';
import { TwimlRunner } from './twiml-runner';
import { CALL_SID, RestError, fileSid, form, listPage, notFound } from './rest-api';
import { rfc2822 } from './sid';
import type { Recording } from './recordings';
import type { AnsweredBy, RingOutcome } from './endpoints';

const TO = /^(\+[1-9]\d{1,14}|client:[\w.@-]+|sip:.+)$/;

export function validUrl(u: string | undefined): boolean {
  if (!u) return false;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function checkTo(to: string | undefined): string {
  if (!to || !TO.test(to)) throw new RestError(400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`);
  return to;
}

export function callJson(ctx: CarrierContext, c: CallSession): object {
  const base = `${ctx.accountPath}/Calls/${c.sid}`;
  return {
    sid: c.sid,
    date_created: rfc2822(c.createdAt),
    date_updated: rfc2822(c.updatedAt),
    parent_call_sid: c.parentCallSid ?? null,
    account_sid: ctx.opts.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: c.phoneNumberSid ?? null,
    status: c.status === 'initiated' ? 'queued' : c.status,
    start_time: rfc2822(c.startTime),
    end_time: rfc2822(c.endTime),
    duration: c.ended ? String(c.durationSeconds) : null,
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: c.answeredBy ?? null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      feedback: `${base}/Feedback.json`,
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      streams: `${base}/Streams.json`,
      payments: `${base}/Payments.json`,
      siprec: `${base}/Siprec.json`,
      events: `${base}/Events.json`,
      feedback_summaries: `${ctx.accountPath}/Calls/FeedbackSummary.json`,
      transcriptions: `${base}/Transcriptions.json`,
      user_defined_message_subscriptions: `${base}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${base}/UserDefinedMessages.json`,
    },
  };
}

function callRecordingJson(ctx: CarrierContext, r: Recording): object {
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
    uri: `${ctx.accountPath}/Calls/${r.callSid}/Recordings/${r.sid}.json`,
    encryption_details: null,
    price_unit: 'USD',
    status: r.status,
    channels: r.channels,
    source: r.source,
    error_code: null,
    track: r.track,
  };
}

/**
 * Answering-machine detection: listens a few seconds (to the end of the greeting with DetectMessageEnd), then sets
 * AnsweredBy. `Enable` reports any machine as machine_start; DetectMessageEnd reports how the greeting ended.
 */
async function detectMachine(call: CallSession, who: AnsweredBy, mode: string): Promise<void> {
  const machine = who.startsWith('machine');
  await call.sleep(mode === 'DetectMessageEnd' && machine ? 8 : 3);
  let reported: AnsweredBy = who;
  if (machine && mode === 'Enable') reported = 'machine_start';
  else if (who === 'machine_start' && mode === 'DetectMessageEnd') reported = 'machine_end_beep';
  call.answeredBy = reported;
  call.log('status', `answered by ${reported}`, { machineDetection: mode });
}

/**
 * Twilio's StartTime filters: a date (YYYY-MM-DD, a whole UTC day) or a date-time; `StartTime<` before, `StartTime>`
 * on or after. A call not answered yet is judged by when it was created.
 */
function startTimeFilter(on?: string, before?: string, after?: string): (c: CallSession) => boolean {
  const parse = (v: string, name: string) => {
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    if (Number.isNaN(t)) throw new RestError(400, 20001, `Invalid ${name}: ${v}`);
    return t;
  };
  const day = on === undefined ? undefined : parse(on, 'StartTime');
  const lt = before === undefined ? undefined : parse(before, 'StartTime<');
  const ge = after === undefined ? undefined : parse(after, 'StartTime>');
  return (c) => {
    const t = (c.startTime ?? c.createdAt).getTime();
    if (day !== undefined && (t < day || t >= day + 86_400_000)) return false;
    if (lt !== undefined && t >= lt) return false;
    return ge === undefined || t >= ge;
  };
}

/** By whom a ring that went unanswered ended. */
export function unansweredBy(o: RingOutcome): string {
  return o === 'canceled' ? 'api' : o === 'busy' ? 'callee' : 'carrier';
}

export function callRoutes(api: Router, ctx: CarrierContext): void {
  const deleted = new Set<string>();
  const findCall = (req: Request, file: string, ext = '.json') => {
    const sid = fileSid(req, file, CALL_SID, ext);
    const c = ctx.getCall(sid);
    if (!c || deleted.has(sid)) throw notFound(req);
    return c;
  };

  api.post('/Calls.json', (req, res) => {
    const f = form(req);
    const to = checkTo(f.get('To'));
    const from = f.get('From');
    if (!from) throw new RestError(400, 21603, "A 'From' phone number is required.");
    const url = f.get('Url');
    const twiml = f.get('Twiml');
    if (!twiml && !validUrl(url)) throw new RestError(400, 21205, `Url is not a valid URL: ${url ?? ''}`);
    if (f.has('StatusCallback') && !validUrl(f.get('StatusCallback'))) throw new RestError(400, 21609, 'Invalid StatusCallback url');
    const timeout = Math.min(600, Math.max(1, Number(f.get('Timeout') ?? 60) || 60));
    const amd = f.get('MachineDetection');
    if (amd !== undefined && amd !== 'Enable' && amd !== 'DetectMessageEnd') throw new RestError(400, 20001, `MachineDetection must be Enable or DetectMessageEnd, not ${amd}`);
    const call = new CallSession(ctx, {
      from,
      to,
      direction: 'outbound-api',
      statusCallback: f.get('StatusCallback')
        ? { url: f.get('StatusCallback')!, method: f.get('StatusCallbackMethod') ?? 'POST', events: statusEvents(f.all('StatusCallbackEvent')) }
        : undefined,
      fallbackUrl: f.get('FallbackUrl'),
    });
    call.answerNext = twiml ? { twiml } : { url: url!, method: (f.get('Method') ?? 'POST').toUpperCase() };
    const record = f.bool('Record');
    const recordingCallback = f.get('RecordingStatusCallback')
      ? { url: f.get('RecordingStatusCallback')!, method: f.get('RecordingStatusCallbackMethod') ?? 'POST', events: statusEvents(f.all('RecordingStatusCallbackEvent')) }
      : undefined;
    void new TwimlRunner(ctx, call).run(async () => {
      const o = await ctx.endpoints.ring(call, timeout);
      if (o !== 'answered') {
        call.finish(o, unansweredBy(o));
        return null;
      }
      if (record) ctx.recordings.start({ callSid: call.sid, source: 'OutboundAPI', callback: recordingCallback });
      if (amd) await detectMachine(call, ctx.endpoints.answeredBy(call), amd);
      const next = call.answerNext ?? null;
      // Synchronous AMD: the result comes with the call's first TwiML request.
      return next && 'url' in next && call.answeredBy ? { ...next, params: { ...next.params, AnsweredBy: call.answeredBy } } : next;
    });
    res.status(201).json(callJson(ctx, call));
  });

  api.get('/Calls.json', (req, res) => {
    const f = form(req);
    const list = ctx.callList()
      .filter((c) => !deleted.has(c.sid))
      .filter((c) => (!f.get('To') || c.to === f.get('To')) && (!f.get('From') || c.from === f.get('From')))
      // Status as the REST API shows it (an initiated call is 'queued'), so Status=queued finds it.
      .filter((c) => (!f.get('Status') || (c.status === 'initiated' ? 'queued' : c.status) === f.get('Status')) && (!f.get('ParentCallSid') || c.parentCallSid === f.get('ParentCallSid')))
      .filter(startTimeFilter(f.get('StartTime'), f.get('StartTime<'), f.get('StartTime>')))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    res.json(listPage(req, 'calls', list, (c) => callJson(ctx, c)));
  });

  api.get('/Calls/:file', (req, res) => {
    res.json(callJson(ctx, findCall(req, req.params.file as string)));
  });

  api.post('/Calls/:file', (req, res) => {
    const call = findCall(req, req.params.file as string);
    const f = form(req);
    const status = f.get('Status');
    const url = f.get('Url');
    const twiml = f.get('Twiml');
    if (url !== undefined && !validUrl(url)) throw new RestError(400, 21205, `Url is not a valid URL: ${url}`);
    if ((url || twiml) && call.ended) throw new RestError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    if (status === 'completed' || status === 'canceled') {
      if (!call.ended && (status === 'completed' || !call.answered)) call.hangup('api');
    } else if (url || twiml) {
      const next: Next = twiml ? { twiml } : { url: url!, method: (f.get('Method') ?? 'POST').toUpperCase() };
      if (!call.answered && call.direction !== 'inbound') call.answerNext = next;
      else call.interrupt('twiml' in next ? { kind: 'twiml', twiml: next.twiml, source: 'api' } : { kind: 'redirect', url: next.url, method: next.method, source: 'api' });
    } else if (status) {
      throw new RestError(400, 21218, `Invalid call status: ${status}`);
    }
    res.json(callJson(ctx, call));
  });

  api.delete('/Calls/:file', (req, res) => {
    const call = findCall(req, req.params.file as string);
    deleted.add(call.sid);
    res.status(204).end();
  });

  api.post('/Calls/:sid/Recordings.json', (req, res) => {
    const call = findCall(req, `${req.params.sid}.json`);
    if (call.status !== 'in-progress') throw new RestError(400, 21220, 'Requested resource is not eligible for recording');
    const f = form(req);
    const track = f.get('RecordingTrack');
    if (track !== undefined && !['inbound', 'outbound', 'both'].includes(track)) throw new RestError(400, 21220, `Invalid RecordingTrack: ${track}`);
    const rec = ctx.recordings.start({
      callSid: call.sid,
      source: 'StartCallRecordingAPI',
      channels: f.get('RecordingChannels') === 'dual' ? 2 : 1,
      track: track === 'inbound' || track === 'outbound' ? track : 'both',
      callback: f.get('RecordingStatusCallback')
        ? { url: f.get('RecordingStatusCallback')!, method: f.get('RecordingStatusCallbackMethod') ?? 'POST', events: statusEvents(f.all('RecordingStatusCallbackEvent')) }
        : undefined,
    });
    res.status(201).json(callRecordingJson(ctx, rec));
  });

  api.get('/Calls/:sid/Recordings.json', (req, res) => {
    const call = findCall(req, `${req.params.sid}.json`);
    res.json(listPage(req, 'recordings', ctx.recordings.list({ callSid: call.sid }), (r) => callRecordingJson(ctx, r)));
  });

  const findRecording = (req: Request) => {
    const call = findCall(req, `${req.params.sid}.json`);
    const file = req.params.file as string;
    if (file === 'Twilio.CURRENT.json') {
      const current = ctx.recordings.list({ callSid: call.sid }).find((r) => r.status === 'in-progress' || r.status === 'paused');
      if (!current) throw notFound(req);
      return current;
    }
    const rec = ctx.recordings.get(fileSid(req, file, /^RE[0-9a-f]{32}$/));
    if (!rec || rec.callSid !== call.sid) throw notFound(req);
    return rec;
  };

  api.get('/Calls/:sid/Recordings/:file', (req, res) => {
    res.json(callRecordingJson(ctx, findRecording(req)));
  });

  api.post('/Calls/:sid/Recordings/:file', (req, res) => {
    const rec = findRecording(req);
    const f = form(req);
    const status = f.get('Status');
    if (status === 'paused') ctx.recordings.pause(rec, f.get('PauseBehavior') === 'skip' ? 'skip' : 'silence');
    else if (status === 'in-progress') ctx.recordings.resume(rec);
    else if (status === 'stopped') {
      ctx.recordings.finish(rec);
      // Twilio answers the update with status stopped; the recording is completed (and its callback sent) after.
      return void res.json({ ...callRecordingJson(ctx, rec), status: 'stopped' });
    } else throw new RestError(400, 21220, `Invalid recording status: ${status ?? ''}`);
    res.json(callRecordingJson(ctx, rec));
  });

  api.delete('/Calls/:sid/Recordings/:file', (req, res) => {
    const rec = findRecording(req);
    ctx.recordings.delete(rec.sid);
    res.status(204).end();
  });
}
