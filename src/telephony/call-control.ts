// The one door to the carrier's REST API (Twilio, or the built-in simulator through the same client).
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { maskPhonesIn } from '../logging/logger';

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
}

export interface CarrierCredentials {
  accountSid: string;
  authToken: string;
  /** Where the REST API lives: Twilio's own, or the simulator's loopback URL. */
  apiBaseUrl?: string;
  /** A REST request that takes longer fails (the twilio client's default is 30 s, longer than a webhook may wait). @default 10000 */
  timeoutMs?: number;
}

/** Bounds on downloading a recording's audio: a slow or endless answer fails the job attempt, and bull retries. */
export interface MediaLimits {
  /** Whole download, headers to last byte. @default 120000 (2 minutes) */
  timeoutMs?: number;
  /** Largest file accepted: 64 MiB is about 70 minutes of Twilio's 8 kHz mono WAV. @default 67108864 */
  maxBytes?: number;
}

const TWILIO_API = 'https://api.twilio.com';
const MEDIA_DEFAULTS: Required<MediaLimits> = { timeoutMs: 120_000, maxBytes: 64 * 1024 * 1024 };

/**
 * The REST client's transport: sends every call to `base` when set (the simulator), path and query unchanged, and
 * masks phone numbers in the carrier's error answers, so the exceptions built from them are safe to log.
 */
class CarrierRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: string | undefined,
    timeout: number,
  ) {
    super({ timeout });
  }
  async request<T>(opts: RequestClient.RequestOptions<T>) {
    const u = new URL(opts.uri);
    try {
      const res = await super.request<T>(this.base ? { ...opts, uri: this.base + u.pathname + u.search } : opts);
      if (res.statusCode < 400) return res;
      const masked: unknown = typeof res.body === 'string' ? maskPhonesIn(res.body) : JSON.parse(maskPhonesIn(JSON.stringify(res.body ?? null)));
      return { ...res, body: masked as T };
    } catch (err) {
      // The transport's own errors carry the request (with its To/From) in their properties: keep only a clean message.
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
      httpClient: new CarrierRequestClient(this.apiBase === TWILIO_API ? undefined : this.apiBase, creds.timeoutMs ?? 10_000),
    });
    this.media = { ...MEDIA_DEFAULTS, ...media };
  }

  async redirect(callSid: string, url: string): Promise<void> {
    await this.client.calls(callSid).update({ url, method: 'POST' });
  }

  async createCall(o: OutboundCall): Promise<string> {
    const call = await this.client.calls.create({
      to: o.to,
      from: o.from,
      url: o.url,
      method: 'POST',
      statusCallback: o.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      timeout: o.timeoutSeconds,
    });
    return call.sid;
  }

  async placeCall(o: OutboundCall & { machineDetection?: 'Enable' | 'DetectMessageEnd' }): Promise<string> {
    const call = await this.client.calls.create({
      to: o.to,
      from: o.from,
      url: o.url,
      method: 'POST',
      statusCallback: o.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
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
      recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
    });
    return { recordingSid: rec.sid, startedAt: rec.startTime ?? new Date() };
  }

  async updateRecording(callSid: string, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped'): Promise<void> {
    // PauseBehavior silence: the paused stretch stays in the file as silence, so the times of the rest stay true.
    await this.client.calls(callSid).recordings(recordingSid).update(status === 'paused' ? { status, pauseBehavior: 'silence' } : { status });
  }

  async hangup(callSid: string): Promise<void> {
    await this.client.calls(callSid).update({ status: 'completed' });
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
    try {
      // The signal bounds the whole download: headers and every byte of the body.
      const res = await fetch(url, { headers: { Authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(timeoutMs) });
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
