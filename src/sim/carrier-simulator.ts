// The built-in carrier: a loopback HTTP server with Twilio's REST subset, plus the calls, queues, conferences and phones it simulates.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import express from 'express';
import type { CarrierContext, ResolvedOptions, SimulatorOptions } from './carrier-context';
import { CallSession, type SimCall } from './call-session';
import type { CallerStep } from './caller-script';
import { SimClock } from './sim-clock';
import { WebhookClient } from './webhook-client';
import { CarrierQueues } from './carrier-queues';
import { Conferences, type Audibility } from './conferences';
import { RecordingStore } from './recordings';
import type { TalkPattern } from './recording-audio';
import { Endpoints, type NumberScript, type PhoneOptions, type SimSoftphone, type SoftphoneOptions } from './endpoints';
import { TwimlRunner } from './twiml-runner';
import { restApi, restErrors } from './rest-api';
import { controlApi } from './control-api';
import { newSid } from './sid';
import { CallbackScheduler } from './callback-order';
import { Recognizer } from './recognizer';

/** A number's own status callback hears only how the call ended, as on Twilio. */
const FINAL_EVENT_ONLY = new Set(['completed']);

export class CarrierSimulator implements CarrierContext {
  readonly opts: ResolvedOptions;
  readonly clock: SimClock;
  readonly webhooks: WebhookClient;
  /** 'call-status', 'softphone-ringing', 'queue-joined', 'queue-left', 'bridged', 'recording', 'conference', 'call-error'. */
  readonly events = new EventEmitter();
  readonly queues: CarrierQueues;
  readonly conferences: Conferences;
  readonly recordings: RecordingStore;
  readonly endpoints: Endpoints;
  readonly callbacks: CallbackScheduler;
  readonly recognizer: Recognizer;
  private readonly callMap = new Map<string, CallSession>();
  /** Ended calls still kept, oldest first (a Map keeps insertion order). */
  private readonly ended = new Map<string, CallSession>();
  private readonly numberSids = new Map<string, string>();
  private server?: http.Server;
  private url = '';

  constructor(opts: SimulatorOptions) {
    this.opts = {
      ...opts,
      timeScale: opts.timeScale ?? 1000,
      playSeconds: opts.playSeconds ?? 10,
      maxCallSeconds: opts.maxCallSeconds ?? 600,
      log: opts.log ?? (() => undefined),
    };
    this.clock = new SimClock(this.opts.timeScale);
    this.webhooks = new WebhookClient(this.opts.authToken, this.opts.log);
    this.queues = new CarrierQueues(this);
    this.conferences = new Conferences(this);
    this.recordings = new RecordingStore(this);
    this.endpoints = new Endpoints(this);
    this.callbacks = new CallbackScheduler(opts.callbackOrder);
    this.recognizer = new Recognizer(opts.recognizer);
    this.events.setMaxListeners(100);
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get baseUrl(): string {
    return this.url;
  }

  get accountPath(): string {
    return `/2010-04-01/Accounts/${this.opts.accountSid}`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    // Twilio's REST answers carry no ETag; hashing every JSON answer cost the simulator CPU under load.
    app.disable('etag');
    app.use('/2010-04-01/Accounts/:accountSid', restApi(this));
    app.use('/sim', controlApi(this));
    app.use(restErrors(this.opts.log));
    const server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    this.opts.log('carrier simulator listening', { baseUrl: this.url });
    return this.url;
  }

  /** Hangs up every call still up (waiting at most a second for them to end), then stops the server. */
  async close(): Promise<void> {
    const live = this.calls().filter((c) => !(c as CallSession).ended) as CallSession[];
    for (const c of live) c.hangup('simulator');
    await Promise.race([Promise.allSettled(live.map((c) => c.done)), new Promise((r) => setTimeout(r, 1000).unref())]);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A customer calls one of `numbers`: its voiceUrl runs, its statusCallback hears only the final status. */
  placeCall(opts: { from: string; to: string; script?: CallerStep[] }): SimCall {
    const number = this.opts.numbers[opts.to];
    if (number && !this.numberSids.has(opts.to)) this.numberSids.set(opts.to, newSid('PN'));
    const call = new CallSession(this, {
      from: opts.from,
      to: opts.to,
      direction: 'inbound',
      script: opts.script,
      statusCallback: number?.statusCallback ? { url: number.statusCallback, method: 'POST', events: FINAL_EVENT_ONLY } : undefined,
      fallbackUrl: number?.fallbackUrl,
      phoneNumberSid: this.numberSids.get(opts.to),
    });
    void new TwimlRunner(this, call).run(async () => {
      if (!number) {
        call.log('error', `${opts.to} is not a number of this account`, { code: '21211' });
        call.finish('failed', 'carrier');
        return null;
      }
      call.setStatus('initiated');
      call.setStatus('ringing');
      return { url: number.voiceUrl, method: 'POST' };
    });
    return call;
  }

  registerSoftphone(opts: SoftphoneOptions): SimSoftphone {
    return this.endpoints.registerSoftphone(opts);
  }

  /** The softphone registered under `identity`, if any. */
  softphone(identity: string): SimSoftphone | undefined {
    return this.endpoints.softphone(identity);
  }

  /** Scripts what a dialed number does: answer (by a person or a machine), be busy, not answer, or fail. */
  registerPhone(opts: PhoneOptions): void {
    this.endpoints.registerPhone(opts);
  }

  /** The next calls placed to a number end as scripted, one outcome each, in order. */
  scriptNumber(number: string, script: NumberScript): void {
    this.endpoints.scriptNumber(number, script);
  }

  /** How many calls the simulator holds (live ones and the ended ones it still keeps). */
  get retainedCalls(): number {
    return this.callMap.size;
  }

  /** Who talks when on this call's recordings (tests): see RecordingStore.setTalkPattern. */
  setTalkPattern(callSid: string, pattern: TalkPattern): void {
    this.recordings.setTalkPattern(callSid, pattern);
  }

  /**
   * Who hears whom in a conference (by name or CF SID): for each connected participant, the CallSids it hears and
   * that hear it. Undefined when there is no such conference.
   */
  audibility(conference: string): { conferenceSid: string; friendlyName: string; status: string; participants: Audibility[] } | undefined {
    const c = this.conferences.byNameOrSid(conference);
    return c && { conferenceSid: c.sid, friendlyName: c.friendlyName, status: c.status, participants: c.audibility() };
  }

  /** The CallSids a call hears right now in its conference; undefined when the call is in no conference. */
  whoHears(callSid: string): string[] | undefined {
    const call = this.callMap.get(callSid);
    const p = call && this.conferences.participantOf(call);
    return p?.conference.audibility().find((a) => a.callSid === callSid)?.hears;
  }

  calls(): SimCall[] {
    return [...this.callMap.values()];
  }

  call(sid: string): SimCall | undefined {
    return this.callMap.get(sid);
  }

  // CarrierContext
  addCall(call: CallSession): void {
    this.callMap.set(call.sid, call);
    void call.done.then(() => this.retire(call));
    this.events.emit('call-created', { callSid: call.sid, from: call.from, to: call.to, direction: call.direction, parentCallSid: call.parentCallSid });
  }
  getCall(sid: string): CallSession | undefined {
    return this.callMap.get(sid);
  }
  callList(): CallSession[] {
    return [...this.callMap.values()];
  }

  /** An ended call stays for REST GETs and transcripts until `retainEndedCalls` newer calls have ended. */
  private retire(call: CallSession): void {
    this.ended.set(call.sid, call);
    const keep = Math.max(0, this.opts.retainEndedCalls ?? 1000);
    for (const [sid, old] of this.ended) {
      if (this.ended.size <= keep) break;
      this.ended.delete(sid);
      if (this.callMap.get(sid) === old) this.callMap.delete(sid);
    }
  }
}
