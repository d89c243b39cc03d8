// The one door to the carrier's REST API (Twilio, or the built-in simulator through the same client).
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

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
}

const TWILIO_API = 'https://api.twilio.com';

/** A RequestClient that sends every REST call to another base URL (the simulator), path and query unchanged. */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  request<T>(opts: RequestClient.RequestOptions<T>) {
    const u = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: this.base + u.pathname + u.search });
  }
}

export class TwilioCallControl implements CallControl {
  private readonly client: twilio.Twilio;
  private readonly apiBase: string;
  private readonly queueSids = new Map<string, string>();

  constructor(private readonly creds: CarrierCredentials) {
    this.apiBase = (creds.apiBaseUrl ?? TWILIO_API).replace(/\/$/, '');
    this.client = twilio(creds.accountSid, creds.authToken, {
      httpClient: this.apiBase === TWILIO_API ? undefined : new RebasedRequestClient(this.apiBase),
    });
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

  async hangup(callSid: string): Promise<void> {
    await this.client.calls(callSid).update({ status: 'completed' });
  }

  async dequeue(queueName: string, callSid: string, url: string): Promise<void> {
    const queueSid = await this.queueSid(queueName);
    await this.client.queues(queueSid).members(callSid).update({ url, method: 'POST' });
  }

  async recordingMedia(recordingSid: string): Promise<Buffer> {
    // Metadata through the REST client (it knows the account and auth); the audio itself is binary, fetched directly.
    const recording = await this.client.recordings(recordingSid).fetch();
    const url = `${this.apiBase}${recording.uri.replace(/\.json$/, '')}.wav`;
    const auth = Buffer.from(`${this.creds.accountSid}:${this.creds.authToken}`).toString('base64');
    const res = await fetch(url, { headers: { Authorization: `Basic ${auth}` } });
    if (!res.ok) throw new Error(`recording ${recordingSid}: carrier answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
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
