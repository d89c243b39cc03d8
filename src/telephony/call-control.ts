// The one door to the carrier's REST API (Twilio, or the built-in simulator through the same client).
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type CarrierResponse from 'twilio/lib/http/response';
import { maskPhonesIn, type Logger } from '../logging/logger';
import { KeepAlivePool } from '../net/keep-alive-request';

export interface CallControl {
  /** Sends a live call to new TwiML at `url`. */
  redirect(callSid: string, url: string): Promise<void>;
  hangup(callSid: string): Promise<void>;
  /** Takes a specific waiting caller out of a carrier queue and runs `url` on them. */
  dequeue(queueName: string, callSid: string, url: string): Promise<void>;
  /** Downloads a recording's audio (WAV). */
  recordingMedia(recordingSid: string): Promise<Buffer>;
  /** Places an outbound call that runs the TwiML at `url` once answered; resolves with its CallSid. */
  createCall(o: OutboundCall): Promise<string>;
  /**
   * Dials a customer for the callback dialer: answering-machine detection on (AnsweredBy comes with the `url` request),
   * every call-progress event to `statusCallback`. Resolves with the CallSid.
   */
  placeCall(o: OutboundCall & { machineDetection?: 'Enable' | 'DetectMessageEnd' }): Promise<string>;
  /**
   * Starts a dual-channel recording of one call leg (that leg's party on channel 1, everything it hears on channel 2),
   * its status (in-progress, completed, absent) posted to `statusCallback`. Resolves with the RecordingSid.
   */
  startCallRecording(callSid: string, o: { statusCallback: string }): Promise<{ recordingSid: string; startedAt: Date }>;
  /** Pauses (silence left in the audio), resumes or stops (completes) a call's recording. */
  updateRecording(callSid: string, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped'): Promise<void>;
  /** The SID of the conference of that name while it is in progress; undefined when none is. */
  conferenceInProgress(friendlyName: string): Promise<string | undefined>;
  /** Dials `to` into a conference (the carrier joins the answered leg); resolves with the leg's CallSid. */
  addParticipant(conferenceSid: string, o: NewParticipant): Promise<string>;
  /** Mutes, coaches or frees a participant (by CallSid or label). */
  updateParticipant(conferenceSid: string, participant: string, o: { muted?: boolean; coaching?: boolean; callSidToCoach?: string }): Promise<void>;
  /**
   * Puts one participant (by CallSid) of the running conference named `conference` on hold, the carrier playing it the
   * TwiML at `holdUrl` (fetched with POST), or takes it back. A conference or participant the carrier does not have
   * rejects with `status` 404.
   */
  holdParticipant(conference: string, callSid: string, o: { hold: true; holdUrl: string } | { hold: false }): Promise<void>;
}

/** A participant the carrier dials into a conference (the conference coach feature: `coaching` + `callSidToCoach`). */
export interface NewParticipant {
  to: string;
  from: string;
  label: string;
  muted: boolean;
  coaching: boolean;
  callSidToCoach?: string;
  /** false: nobody in the room hears a beep when this participant joins or leaves. */
  beep: boolean;
  /** Call progress (initiated, ringing, answered, completed) of the participant's leg. */
  statusCallback: string;
  timeoutSeconds: number;
}

/** What the carrier holds right now, read at startup to reconcile with the database (see acd/carrier-reconciliation.ts). */
export interface CarrierReads {
  /** Calls the carrier still has up (queued, ringing or in progress). */
  liveCalls(): Promise<CarrierCall[]>;
  /** One call as the carrier has it; undefined when the carrier does not know it (404). */
  fetchCall(callSid: string): Promise<CarrierCall | undefined>;
  /** The callers waiting in each of the account's queues, by queue name. */
  queueMembers(): Promise<CarrierQueueMember[]>;
  /** Conferences in progress, with their participants' CallSids. */
  liveConferences(): Promise<CarrierConference[]>;
}

/** The dialer's read of the carrier: find a call it placed but never recorded (the worker died in between). */
export interface CallLookup {
  /** Calls placed to `to` created at or after `since`. */
  callsTo(to: string, since: Date): Promise<CarrierCall[]>;
}

export interface CarrierCall {
  sid: string;
  status: string;
  from?: string;
  to?: string;
  dateCreated?: Date | null;
  startTime: Date | null;
  endTime: Date | null;
  durationSeconds: number | null;
}

export interface CarrierQueueMember {
  queue: string;
  callSid: string;
  position: number;
}

export interface CarrierConference {
  friendlyName: string;
  participants: string[];
}

export interface OutboundCall {
  to: string;
  from: string;
  url: string;
  statusCallback: string;
  /** Seconds to ring before giving up (no-answer). */
  timeoutSeconds: number;
  /**
   * The call progress events posted to statusCallback. The final one (`completed`, whose CallStatus tells completed,
   * busy, no-answer, failed or canceled) is always wanted. @default ['initiated', 'ringing', 'answered', 'completed']
   */
  statusEvents?: ('initiated' | 'ringing' | 'answered' | 'completed')[];
}

export interface CarrierCredentials {
  accountSid: string;
  authToken: string;
  /** Where the REST API lives: Twilio's own, or the simulator's loopback URL. */
  apiBaseUrl?: string;
  /** A REST request that takes longer fails (the twilio client's default is 30 s, longer than a webhook may wait). @default 10000 */
  timeoutMs?: number;
  /** Each REST request is logged at debug (method, path, status, ms) under the current correlation id. */
  log?: Logger;
}

/** Bounds on downloading a recording's audio: a slow or endless answer fails the job attempt, and bull retries. */
export interface MediaLimits {
  /** Whole download, headers to last byte. @default 120000 (2 minutes) */
  timeoutMs?: number;
  /**
   * Largest file accepted. The download asks for two channels (RequestedChannels=2): 8 kHz 16-bit stereo is 115 MB an
   * hour, so 256 MiB is about 2 h 20 min; the job holds the file in memory once while it stores and analyses it.
   * @default 268435456
   */
  maxBytes?: number;
}

const TWILIO_API = 'https://api.twilio.com';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_MEDIA_REDIRECTS = 3;

function safeUrl(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/**
 * Why a media redirect is not followed, or undefined when it may be: back to the carrier's API, or to another host by
 * name over https on the default port, without credentials in the URL (never an IP literal, localhost or plain http:
 * a redirect must not turn the download into a request to this server's own network).
 */
export function mediaRedirectProblem(to: URL, apiOrigin: string): string | undefined {
  if (to.username || to.password) return `a redirect to a URL with credentials (${to.host})`;
  if (to.origin === apiOrigin) return undefined;
  if (to.protocol !== 'https:') return `a redirect to ${to.protocol} (${to.host}), not https`;
  if (to.port !== '') return `a redirect to port ${to.port} of ${to.hostname}`;
  const host = to.hostname.toLowerCase();
  if (host.startsWith('[') || /^[0-9.]+$/.test(host) || /^0x/i.test(host)) return `a redirect to the IP address ${host}`;
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) return `a redirect to the local name ${host}`;
  return undefined;
}
const MEDIA_DEFAULTS: Required<MediaLimits> = { timeoutMs: 120_000, maxBytes: 256 * 1024 * 1024 };

/** Form or query values as Twilio's clients send them: a list repeats its key (StatusCallbackEvent=a&StatusCallbackEvent=b). */
function formOf(values: object): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) for (const v of [value].flat()) if (v !== undefined && v !== null) form.append(key, String(v));
  return form;
}

/**
 * The twilio client's transport: the twilio library builds and reads each request (resources, parameters, errors), and
 * this sends it over kept-alive connections (src/net/keep-alive-request.ts). The library's own transport (axios, with
 * interceptors, config merging and qs) cost about 0.9 ms of the event loop a request, a fifth of a busy day's web
 * process (docs/busy-day.md). Requests go to Twilio, or to `base` when set (the simulator), path and query unchanged;
 * a request with no answer within `timeout` fails. Phone numbers in the carrier's error answers are masked, so the
 * exceptions built from them are safe to log.
 */
class CarrierRequestClient extends twilio.RequestClient {
  private readonly pool = new KeepAlivePool();

  constructor(
    private readonly base: string | undefined,
    private readonly timeoutMs: number,
    private readonly log?: Logger,
  ) {
    super({ timeout: timeoutMs });
  }

  async request<T>(opts: RequestClient.RequestOptions<T>) {
    const u = new URL(opts.uri);
    const started = performance.now();
    try {
      const url = this.base ? new URL(this.base + u.pathname + u.search) : new URL(u);
      if (opts.params) for (const [k, v] of formOf(opts.params)) url.searchParams.append(k, v);
      const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined), Connection: 'keep-alive' };
      if (opts.username && opts.password) headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
      let body: string | undefined;
      if (opts.data) body = headers['Content-Type'] === 'application/json' ? JSON.stringify(opts.data) : formOf(opts.data).toString();
      if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
      const answer = await this.pool.request(url, { method: opts.method.toUpperCase(), headers, body, timeoutMs: opts.timeout ?? this.timeoutMs });
      const res = { statusCode: answer.status, body: answer.body, headers: answer.headers };
      // The path names SIDs only; bodies (To, From) are never logged.
      this.log?.debug('carrier REST request', { method: opts.method.toUpperCase(), path: u.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) });
      if (res.statusCode < 400) return res as CarrierResponse<T>;
      return { ...res, body: maskPhonesIn(res.body) } as CarrierResponse<T>;
    } catch (err) {
      // The transport's own errors may carry the request (with its To/From) in their properties: keep only a clean message.
      const e = err as { message?: string; code?: unknown };
      throw Object.assign(new Error(`carrier unreachable: ${maskPhonesIn(String(e.message))} (${opts.method.toUpperCase()} ${u.pathname})`), { code: e.code });
    }
  }
}

export class TwilioCallControl implements CallControl, CarrierReads, CallLookup {
  private readonly client: twilio.Twilio;
  private readonly apiBase: string;
  private readonly queueSids = new Map<string, string>();

  private readonly media: Required<MediaLimits>;

  constructor(
    private readonly creds: CarrierCredentials,
    media: MediaLimits = {},
  ) {
    this.apiBase = (creds.apiBaseUrl ?? TWILIO_API).replace(/\/$/, '');
    this.client = twilio(creds.accountSid, creds.authToken, {
      httpClient: new CarrierRequestClient(this.apiBase === TWILIO_API ? undefined : this.apiBase, creds.timeoutMs ?? 10_000, creds.log),
    });
    this.media = { ...MEDIA_DEFAULTS, ...media };
  }

  /** Whether the carrier accepts these credentials (reads the account; /ready caches the answer). */
  async credentialsValid(): Promise<boolean> {
    try {
      await this.client.api.v2010.accounts(this.creds.accountSid).fetch();
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 401 || (err as { status?: number }).status === 403) return false;
      throw err;
    }
  }

  /** The carrier API's origin (scheme, host, port): the only place its recordings' media may come from. */
  get apiOrigin(): string {
    return new URL(this.apiBase).origin;
  }

  async redirect(callSid: string, url: string): Promise<void> {
    await this.client.calls(callSid).update({ url, method: 'POST' });
  }

  async createCall(o: OutboundCall): Promise<string> {
    // The same request as the dialer's, without answering-machine detection.
    return this.placeCall(o);
  }

  async placeCall(o: OutboundCall & { machineDetection?: 'Enable' | 'DetectMessageEnd' }): Promise<string> {
    const call = await this.client.calls.create({
      to: o.to,
      from: o.from,
      url: o.url,
      method: 'POST',
      statusCallback: o.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: o.statusEvents ?? ['initiated', 'ringing', 'answered', 'completed'],
      timeout: o.timeoutSeconds,
      ...(o.machineDetection ? { machineDetection: o.machineDetection } : {}),
    });
    return call.sid;
  }

  async startCallRecording(callSid: string, o: { statusCallback: string }): Promise<{ recordingSid: string; startedAt: Date }> {
    const rec = await this.client.calls(callSid).recordings.create({
      recordingChannels: 'dual',
      recordingStatusCallback: o.statusCallback,
      recordingStatusCallbackMethod: 'POST',
      // Not 'in-progress': the recording's row is written from this request's answer, and that callback added nothing.
      recordingStatusCallbackEvent: ['completed', 'absent'],
    });
    return { recordingSid: rec.sid, startedAt: rec.startTime ?? new Date() };
  }

  async updateRecording(callSid: string, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped'): Promise<void> {
    // PauseBehavior silence: the paused stretch stays in the file as silence, so the times of the rest stay true.
    await this.client.calls(callSid).recordings(recordingSid).update(status === 'paused' ? { status, pauseBehavior: 'silence' } : { status });
  }

  async holdParticipant(conference: string, callSid: string, o: { hold: true; holdUrl: string } | { hold: false }): Promise<void> {
    // Participants are addressed under the conference's SID; the server knows the room by its friendly name.
    const [room] = await this.client.conferences.list({ friendlyName: conference, status: 'in-progress', limit: 1 });
    if (!room) throw Object.assign(new Error(`the carrier has no running conference ${conference}`), { status: 404 });
    // HoldMethod POST: Twilio's default is GET, and this server's webhooks are signed POSTs only.
    await this.client
      .conferences(room.sid)
      .participants(callSid)
      .update(o.hold ? { hold: true, holdUrl: o.holdUrl, holdMethod: 'POST' } : { hold: false });
  }

  async hangup(callSid: string): Promise<void> {
    await this.client.calls(callSid).update({ status: 'completed' });
  }

  async conferenceInProgress(friendlyName: string): Promise<string | undefined> {
    const [c] = await this.client.conferences.list({ friendlyName, status: 'in-progress', limit: 1 });
    return c?.sid;
  }

  async addParticipant(conferenceSid: string, o: NewParticipant): Promise<string> {
    const p = await this.client.conferences(conferenceSid).participants.create({
      to: o.to,
      from: o.from,
      label: o.label,
      muted: o.muted,
      coaching: o.coaching,
      ...(o.callSidToCoach ? { callSidToCoach: o.callSidToCoach } : {}),
      beep: String(o.beep),
      // Joining or leaving never starts or ends the conversation of the others.
      startConferenceOnEnter: false,
      endConferenceOnExit: false,
      statusCallback: o.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      timeout: o.timeoutSeconds,
    });
    return p.callSid;
  }

  async updateParticipant(conferenceSid: string, participant: string, o: { muted?: boolean; coaching?: boolean; callSidToCoach?: string }): Promise<void> {
    await this.client.conferences(conferenceSid).participants(participant).update(o);
  }

  async dequeue(queueName: string, callSid: string, url: string): Promise<void> {
    const queueSid = await this.queueSid(queueName);
    await this.client.queues(queueSid).members(callSid).update({ url, method: 'POST' });
  }

  async recordingMedia(recordingSid: string): Promise<Buffer> {
    // Built from the SIDs, never from the carrier's `uri`: a hostile one (`.evil.example/…`) would take our credentials elsewhere.
    if (!/^RE[0-9a-f]{32}$/.test(recordingSid)) throw new Error(`recording ${JSON.stringify(recordingSid)}: not a recording SID`);
    const url = new URL(`${this.apiBase}/2010-04-01/Accounts/${this.creds.accountSid}/Recordings/${recordingSid}.wav?RequestedChannels=2`);
    // RequestedChannels=2: a dual-channel recording comes as two channels (without it the carrier may mix them to one).
    if (url.origin !== new URL(this.apiBase).origin) throw new Error(`recording ${recordingSid}: media URL leaves the carrier's API`);
    const auth = Buffer.from(`${this.creds.accountSid}:${this.creds.authToken}`).toString('base64');
    const { timeoutMs, maxBytes } = this.media;
    const failed = (why: string) => new Error(`recording ${recordingSid}: ${why}`);
    const started = performance.now();
    try {
      // The signal bounds the whole download: headers, redirects and every byte of the body.
      const signal = AbortSignal.timeout(timeoutMs);
      const apiOrigin = url.origin;
      let at = url;
      let res = await fetch(at, { headers: { Authorization: `Basic ${auth}` }, redirect: 'manual', signal });
      // The carrier may send the media from its storage host: redirects are followed by hand, each one checked.
      for (let hops = 0; REDIRECT_STATUSES.has(res.status); hops++) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        const next = location ? safeUrl(location, at) : undefined;
        const why = hops >= MAX_MEDIA_REDIRECTS ? `more than ${MAX_MEDIA_REDIRECTS} redirects` : !next ? 'a redirect without a usable Location' : mediaRedirectProblem(next, apiOrigin);
        if (why) throw failed(`${why}; download refused`);
        at = next!;
        // The credentials go to the carrier's API alone, never to the host it redirects to.
        res = await fetch(at, { headers: at.origin === apiOrigin ? { Authorization: `Basic ${auth}` } : {}, redirect: 'manual', signal });
      }
      this.creds.log?.debug('carrier REST request', { method: 'GET', path: at.pathname, status: res.status, ms: Math.round(performance.now() - started) });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw failed(`carrier answered ${res.status}`);
      }
      if (Number(res.headers.get('content-length')) > maxBytes) {
        await res.body.cancel();
        throw failed(`${res.headers.get('content-length')} bytes is over the ${maxBytes}-byte limit`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      // Leaving the loop early (throw) cancels the stream, which closes the connection.
      for await (const chunk of res.body) {
        size += chunk.length;
        if (size > maxBytes) throw failed(`more than the ${maxBytes}-byte limit; download stopped`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, size);
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw failed(`download not done within ${timeoutMs} ms; stopped`);
      throw err;
    }
  }

  // --- Reads for startup reconciliation (CarrierReads) ---

  async liveCalls(): Promise<CarrierCall[]> {
    const lists = await Promise.all((['queued', 'ringing', 'in-progress'] as const).map((status) => this.client.calls.list({ status, pageSize: 1000 })));
    return lists.flat().map(carrierCall);
  }

  async callsTo(to: string, since: Date): Promise<CarrierCall[]> {
    // The API filters by start date (a whole UTC day); the exact moment is checked here on date_created.
    const calls = await this.client.calls.list({ to, startTimeAfter: new Date(since.getTime() - 86_400_000), pageSize: 1000 });
    return calls.map(carrierCall).filter((c) => !c.dateCreated || c.dateCreated.getTime() >= since.getTime());
  }

  async fetchCall(callSid: string): Promise<CarrierCall | undefined> {
    try {
      return carrierCall(await this.client.calls(callSid).fetch());
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  async queueMembers(): Promise<CarrierQueueMember[]> {
    const queues = await this.client.queues.list({ pageSize: 1000 });
    const members = await Promise.all(
      queues.filter((q) => q.currentSize > 0).map(async (q) => (await this.client.queues(q.sid).members.list({ pageSize: 1000 })).map((m) => ({ queue: q.friendlyName, callSid: m.callSid, position: m.position }))),
    );
    return members.flat();
  }

  async liveConferences(): Promise<CarrierConference[]> {
    const conferences = await this.client.conferences.list({ status: 'in-progress', pageSize: 1000 });
    const participants = async (sid: string) => {
      try {
        return (await this.client.conferences(sid).participants.list({ pageSize: 1000 })).map((p) => p.callSid);
      } catch (err) {
        // A conference that ended between the two reads has nobody in it; any other failure fails the read.
        if ((err as { status?: number }).status === 404) return [];
        throw err;
      }
    };
    return Promise.all(conferences.map(async (c) => ({ friendlyName: c.friendlyName, participants: await participants(c.sid) })));
  }

  private async queueSid(name: string): Promise<string> {
    const cached = this.queueSids.get(name);
    if (cached) return cached;
    const queues = await this.client.queues.list({ limit: 1000 });
    const found = queues.find((q) => q.friendlyName === name);
    if (!found) throw new Error(`carrier has no queue named ${name}`);
    this.queueSids.set(name, found.sid);
    return found.sid;
  }
}

function carrierCall(c: { sid: string; status: string; from?: string; to?: string; dateCreated?: Date | null; startTime: Date | null; endTime: Date | null; duration: string | null }): CarrierCall {
  return {
    sid: c.sid,
    status: c.status,
    from: c.from,
    to: c.to,
    dateCreated: c.dateCreated ?? null,
    startTime: c.startTime ?? null,
    endTime: c.endTime ?? null,
    durationSeconds: c.duration == null ? null : Number(c.duration),
  };
}
