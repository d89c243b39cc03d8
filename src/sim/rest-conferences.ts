// REST Conferences and Participants: list/fetch/end conferences; add a participant (the carrier dials To and joins the answered leg), mute, hold, coach, kick.
import type { Router, Request } from 'express';
import type { CarrierContext } from './carrier-context';
import { CallSession, Interrupted, statusEvents } from './call-session';
import type { Conference, Participant } from './conferences';
import { TwimlRunner } from './twiml-runner';
import { waitWithScript } from './caller-input';
import { CALL_SID, RestError, fileSid, form, listPage, notFound } from './rest-api';
import { checkTo, unansweredBy } from './rest-calls';
import { rfc2822 } from './sid';

const CONF_SID = /^CF[0-9a-f]{32}$/;

function conferenceJson(ctx: CarrierContext, c: Conference): object {
  const base = `${ctx.accountPath}/Conferences/${c.sid}`;
  return {
    account_sid: ctx.opts.accountSid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    api_version: '2010-04-01',
    friendly_name: c.friendlyName,
    region: 'us1',
    sid: c.sid,
    status: c.status,
    uri: `${base}.json`,
    subresource_uris: { participants: `${base}/Participants.json`, recordings: `${base}/Recordings.json` },
    // Twilio answers null while the conference runs (the OpenAPI enum forgets to say it is nullable).
    reason_conference_ended: c.reasonEnded ?? null,
    call_sid_ending_conference: c.callSidEnding ?? null,
  };
}

function participantJson(ctx: CarrierContext, p: Participant): object {
  return {
    account_sid: ctx.opts.accountSid,
    call_sid: p.call.sid,
    label: p.label ?? null,
    call_sid_to_coach: p.callSidToCoach ?? null,
    coaching: p.coaching,
    conference_sid: p.conference.sid,
    date_created: rfc2822(p.dateCreated),
    date_updated: rfc2822(p.dateUpdated),
    end_conference_on_exit: p.endConferenceOnExit,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    status: p.status,
    queue_time: '0',
    uri: `${ctx.accountPath}/Conferences/${p.conference.sid}/Participants/${p.call.sid}.json`,
  };
}

export function conferenceRoutes(api: Router, ctx: CarrierContext): void {
  const findConference = (req: Request, id: string) => {
    const c = ctx.conferences.get(id.endsWith('.json') ? fileSid(req, id, CONF_SID) : id);
    if (!c) throw notFound(req);
    return c;
  };
  const findParticipant = (req: Request) => {
    const c = findConference(req, req.params.cf as string);
    const p = c.find(fileSid(req, req.params.file as string, /^[^/]+$/));
    if (!p) throw notFound(req);
    return p;
  };

  api.get('/Conferences.json', (req, res) => {
    const f = form(req);
    const list = ctx.conferences.list().filter((c) => (!f.get('FriendlyName') || c.friendlyName === f.get('FriendlyName')) && (!f.get('Status') || c.status === f.get('Status')));
    res.json(listPage(req, 'conferences', list, (c) => conferenceJson(ctx, c)));
  });

  api.get('/Conferences/:file', (req, res) => {
    res.json(conferenceJson(ctx, findConference(req, req.params.file as string)));
  });

  api.post('/Conferences/:file', (req, res) => {
    const c = findConference(req, req.params.file as string);
    const status = form(req).get('Status');
    if (status === 'completed') c.end('conference-ended-via-api');
    else if (status) throw new RestError(400, 20001, `Invalid conference status: ${status}`);
    res.json(conferenceJson(ctx, c));
  });

  api.get('/Conferences/:cf/Participants.json', (req, res) => {
    const c = findConference(req, req.params.cf as string);
    const f = form(req);
    const list = c.participants.filter(
      (p) => (f.bool('Muted') === undefined || p.muted === f.bool('Muted')) && (f.bool('Hold') === undefined || p.hold === f.bool('Hold')) && (f.bool('Coaching') === undefined || p.coaching === f.bool('Coaching')),
    );
    res.json(listPage(req, 'participants', list, (p) => participantJson(ctx, p)));
  });

  api.post('/Conferences/:cf/Participants.json', (req, res) => {
    const id = req.params.cf as string;
    const conf = CONF_SID.test(id) ? findConference(req, id) : ctx.conferences.getOrCreate(id);
    if (conf.status === 'completed') throw new RestError(400, 20001, 'The conference has already ended');
    const f = form(req);
    const to = checkTo(f.get('To'));
    const from = f.get('From');
    if (!from) throw new RestError(400, 21603, "A 'From' phone number is required.");
    const callSidToCoach = f.get('CallSidToCoach');
    if (callSidToCoach && !CALL_SID.test(callSidToCoach)) throw new RestError(400, 20001, 'CallSidToCoach must be a Call SID');
    conf.configure({
      statusCallback: f.get('ConferenceStatusCallback')
        ? { url: f.get('ConferenceStatusCallback')!, method: f.get('ConferenceStatusCallbackMethod') ?? 'POST', events: statusEvents(f.all('ConferenceStatusCallbackEvent').length ? f.all('ConferenceStatusCallbackEvent') : ['start', 'end']) }
        : undefined,
      record: f.bool('Record') ?? f.get('ConferenceRecord') === 'record-from-start',
      recordingCallback: f.get('ConferenceRecordingStatusCallback')
        ? { url: f.get('ConferenceRecordingStatusCallback')!, method: 'POST', events: statusEvents(f.all('ConferenceRecordingStatusCallbackEvent')) }
        : undefined,
    });
    const leg = new CallSession(ctx, {
      from,
      to,
      direction: 'outbound-api',
      statusCallback: f.get('StatusCallback')
        ? { url: f.get('StatusCallback')!, method: f.get('StatusCallbackMethod') ?? 'POST', events: statusEvents(f.all('StatusCallbackEvent')) }
        : undefined,
    });
    const p = conf.addPending(leg, {
      label: f.get('Label'),
      muted: f.bool('Muted') ?? false,
      hold: false,
      coaching: f.bool('Coaching') ?? !!callSidToCoach,
      callSidToCoach,
      startConferenceOnEnter: f.bool('StartConferenceOnEnter') ?? true,
      endConferenceOnExit: f.bool('EndConferenceOnExit') ?? false,
      beep: f.get('Beep') ?? 'true',
    });
    const timeout = Math.min(600, Math.max(5, Number(f.get('Timeout') ?? 60) || 60));
    void new TwimlRunner(ctx, leg).run(async () => {
      await leg.sleep(0.1);
      p.status = 'ringing';
      const o = await ctx.endpoints.ring(leg, timeout);
      if (o !== 'answered' || conf.status === 'completed') {
        conf.drop(p);
        if (o === 'answered') throw leg.hangupNow('carrier');
        leg.finish(o, unansweredBy(o));
        return null;
      }
      leg.log('dial', `conference:${conf.friendlyName}`);
      conf.connect(p);
      try {
        await waitWithScript(leg, p.left.promise, true);
      } catch (err) {
        conf.leave(p, err instanceof Interrupted && err.interrupt.kind === 'hangup' ? 'hangup' : 'left');
        throw err;
      }
      leg.finish('completed', 'carrier', 'left the conference');
      return null;
    });
    res.status(201).json(participantJson(ctx, p));
  });

  api.get('/Conferences/:cf/Participants/:file', (req, res) => {
    res.json(participantJson(ctx, findParticipant(req)));
  });

  api.post('/Conferences/:cf/Participants/:file', (req, res) => {
    const p = findParticipant(req);
    const f = form(req);
    const callSidToCoach = f.get('CallSidToCoach');
    const holdUrl = f.get('HoldUrl');
    let holdMusic: { url: string; method: string } | undefined;
    if (holdUrl) {
      const method = (f.get('HoldMethod') ?? 'GET').toUpperCase();
      if (!/^https?:\/\//.test(holdUrl)) throw new RestError(400, 21205, `HoldUrl is not a valid URL: ${holdUrl}`);
      if (method !== 'GET' && method !== 'POST') throw new RestError(400, 20001, `HoldMethod must be GET or POST, got ${method}`);
      holdMusic = { url: holdUrl, method };
    }
    p.conference.update(
      p,
      {
        muted: f.bool('Muted'),
        hold: f.bool('Hold'),
        coaching: f.bool('Coaching') ?? (callSidToCoach ? true : undefined),
        callSidToCoach,
        endConferenceOnExit: f.bool('EndConferenceOnExit'),
      },
      holdMusic,
    );
    res.json(participantJson(ctx, p));
  });

  api.delete('/Conferences/:cf/Participants/:file', (req, res) => {
    const p = findParticipant(req);
    p.conference.leave(p, 'kicked');
    res.status(204).end();
  });
}
