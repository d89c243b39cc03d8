// Runs a call through its IVR flow: loads the call's state, steps the engine, stores the outcome in one transaction.
import type { CallsRepo } from '../calls/calls.repo';
import type { QueueEntriesRepo } from '../acd/queue-entries.repo';
import type { CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import type { VoicemailsRepo } from '../recordings/voicemails.repo';
import type { Transact } from '../db/transaction';
import type { OutboxJob } from '../jobs/outbox.repo';
import { voicemailDownloadJob } from '../recordings/voicemail-download';
import type { CallerFacts, CallState, Effect, Instruction, Language, PathEntry, SelfServiceLookup, StepInput } from './flow-types';
import type { Flow } from './flow-schema';
import type { FlowRegistry } from './flow-registry';
import { advance, startCall } from './engine';
import type { HoursMode } from './business-hours';
import { priorityValue } from './nodes/common';

export interface Clock {
  now(): Date;
}

/** Renders instructions into the carrier's document; the engine's next request must carry `step`. */
export type RenderInstructions = (instructions: Instruction[], at: { step: number; flow: Flow; language: Language }) => string;

export interface InboundCall {
  callSid: string;
  from: string;
  to: string;
  direction: string;
  status: string;
}

/** Where the post-call survey's answers go (src/surveys/); the interaction is the conversation being rated. */
export interface SurveyAnswers {
  rated(a: { callSid: string; interactionId: number; customerId?: number; rating: number; at: Date }): void;
  commented(a: { callSid: string; interactionId: number; recordingUrl: string; recordingSid?: string; durationSeconds: number; at: Date }): void;
}

/** The flow variable that names the interaction a survey rates. */
export const SURVEY_INTERACTION_VAR = 'surveyInteraction';

export interface IvrCallDeps {
  flows: FlowRegistry;
  customers: SelfServiceLookup & { callerFacts(phone: string): CallerFacts };
  calls: CallsRepo;
  queue: QueueEntriesRepo;
  callbacks: CallbackRequestsRepo;
  voicemails: VoicemailsRepo;
  outbox: { add(job: OutboxJob, at: Date): void };
  transact: Transact;
  clock: Clock;
  timeZone: string;
  /** HOTLINE_HOURS: the flows' calendars (default), or the hotline pinned open or closed. */
  hours?: HoursMode;
  render: RenderInstructions;
  /** Stores post-call survey answers; without it a survey flow's answers are dropped. */
  surveys?: SurveyAnswers;
}

export class UnknownCall extends Error {}
export class NoFlow extends Error {}

export class IvrCallService {
  constructor(private readonly d: IvrCallDeps) {}

  /** A new inbound call: recognize the caller and run the flow to its first question. */
  answer(call: InboundCall): string {
    const existing = this.d.calls.get(call.callSid);
    if (existing?.lastTwiml) return existing.lastTwiml; // the carrier retried the first webhook
    const flow = this.d.flows.forNumber(call.to);
    if (!flow) throw new NoFlow(`no IVR flow answers ${call.to}`);
    const now = this.d.clock.now();
    const caller = this.d.customers.callerFacts(call.from);
    const result = advance(flow, startCall(flow, caller), undefined, this.engineContext(now));
    const twiml = this.d.render(result.instructions, { step: 1, flow, language: result.state.language });
    this.d.transact(() => {
      const ivr = {
        customerId: caller.customerId,
        flowId: flow.id,
        language: result.state.language,
        ivrState: JSON.stringify(result.state),
        ivrPath: JSON.stringify(result.path),
        step: 1,
        lastTwiml: twiml,
      };
      // A status callback may have stored the call first (callbacks and webhooks race): then fill in its IVR state.
      const inserted = this.d.calls.insert({ sid: call.callSid, direction: call.direction, from: call.from, to: call.to, status: call.status, startedAt: now, ...ivr });
      if (!inserted) this.d.calls.update(call.callSid, ivr);
      this.d.calls.appendEvent({
        callSid: call.callSid,
        dedupeKey: 'step:0',
        type: 'ivr.started',
        data: { flow: flow.id, known: caller.known, tier: caller.tier, path: result.path },
        at: now,
      });
      this.apply(call.callSid, call.from, result.state, result.effects, now);
    });
    return twiml;
  }

  /** The carrier came back with the caller's input for step `step`. */
  resume(callSid: string, step: number, input: StepInput): string {
    const call = this.d.calls.get(callSid);
    if (!call?.ivrState) throw new UnknownCall(`no IVR call ${callSid}`);
    if (step < call.step && call.lastTwiml) return call.lastTwiml; // a retried webhook: answer as before, store nothing
    if (step !== call.step) throw new UnknownCall(`call ${callSid} is at step ${call.step}, request is for step ${step}`);
    const state = JSON.parse(call.ivrState) as CallState;
    const flow = this.d.flows.get(state.flowId);
    if (!flow) throw new NoFlow(`flow ${state.flowId} is gone`);
    const now = this.d.clock.now();
    const result = advance(flow, state, input, this.engineContext(now));
    const twiml = this.d.render(result.instructions, { step: step + 1, flow, language: result.state.language });
    const path = appendPath(call.ivrPath, result.path);
    this.d.transact(() => {
      if (!this.d.calls.appendEvent({ callSid, dedupeKey: `step:${step}`, type: 'ivr.step', data: { input, path: result.path }, at: now })) return;
      this.d.calls.update(callSid, {
        ivrState: JSON.stringify(result.state),
        ivrPath: path,
        language: result.state.language,
        step: step + 1,
        lastTwiml: twiml,
      });
      this.apply(callSid, call.from, result.state, result.effects, now);
    });
    return twiml;
  }

  /** Sends a call that left its queue to another node of its flow (e.g. voicemail after a long wait). */
  divert(callSid: string, nodeId: string): string {
    const call = this.d.calls.get(callSid);
    if (!call?.ivrState) throw new UnknownCall(`no IVR call ${callSid}`);
    const state = JSON.parse(call.ivrState) as CallState;
    const flow = this.d.flows.get(state.flowId);
    if (!flow?.nodes[nodeId]) throw new NoFlow(`flow ${state.flowId} has no node ${nodeId}`);
    const now = this.d.clock.now();
    const step = call.step;
    const result = advance(flow, { ...state, node: nodeId, awaiting: false, ended: false }, undefined, this.engineContext(now));
    const twiml = this.d.render(result.instructions, { step: step + 1, flow, language: result.state.language });
    this.d.transact(() => {
      if (!this.d.calls.appendEvent({ callSid, dedupeKey: `divert:${step}`, type: 'ivr.diverted', data: { node: nodeId }, at: now })) return;
      this.d.calls.update(callSid, {
        ivrState: JSON.stringify(result.state),
        ivrPath: JSON.stringify([...(JSON.parse(call.ivrPath) as PathEntry[]), ...result.path]),
        step: step + 1,
        lastTwiml: twiml,
      });
      this.apply(callSid, call.from, result.state, result.effects, now);
    });
    return twiml;
  }

  /**
   * The agent hung up and the caller stays on the line: runs the survey flow (`purpose: survey`) on the call, in the
   * caller's language, rating interaction `interactionId`. A retried request answers as before and stores nothing.
   */
  startSurvey(callSid: string, interactionId: number): string {
    const flow = this.d.flows.survey();
    if (!flow) throw new NoFlow('no survey flow (purpose: survey) is loaded');
    const call = this.d.calls.get(callSid);
    if (!call) throw new UnknownCall(`no call ${callSid}`);
    const dedupeKey = `survey:${interactionId}`;
    if (call.lastTwiml && this.d.calls.hasEvent(callSid, dedupeKey)) return call.lastTwiml;
    const before = call.ivrState ? (JSON.parse(call.ivrState) as CallState) : undefined;
    const caller = before?.caller ?? this.d.customers.callerFacts(call.from);
    const now = this.d.clock.now();
    const start = startCall(flow, { ...caller, preferredLanguage: before?.language ?? caller.preferredLanguage });
    const state: CallState = { ...start, vars: { ...start.vars, [SURVEY_INTERACTION_VAR]: String(interactionId) } };
    const result = advance(flow, state, undefined, this.engineContext(now));
    const step = call.step + 1;
    const twiml = this.d.render(result.instructions, { step, flow, language: result.state.language });
    this.d.transact(() => {
      if (!this.d.calls.appendEvent({ callSid, dedupeKey, type: 'survey.started', data: { flow: flow.id, interactionId, path: result.path }, at: now })) return;
      this.d.calls.update(callSid, {
        ivrState: JSON.stringify(result.state),
        ivrPath: appendPath(call.ivrPath, result.path),
        step,
        lastTwiml: twiml,
      });
      this.apply(callSid, call.from, result.state, result.effects, now);
    });
    return twiml;
  }

  private engineContext(now: Date) {
    return { now, timeZone: this.d.timeZone, hours: this.d.hours, lookup: this.d.customers };
  }

  private apply(callSid: string, from: string, state: CallState, effects: Effect[], now: Date): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'queued':
          this.d.queue.enqueue({ callSid, queue: e.queue, desk: e.desk, priority: e.priority, reason: e.reason, status: 'waiting', enqueuedAt: now });
          this.d.calls.appendEvent({ callSid, dedupeKey: `queued:${e.queue}`, type: 'queue.entered', data: e, at: now });
          break;
        case 'callbackRequested':
          // A VIP asking after hours is called back first, as they would have been answered first; the customer's
          // own time zone (the center's for an unknown caller) comes from the repo.
          this.d.callbacks.add({
            callSid,
            customerId: state.caller.customerId,
            phone: from,
            desk: e.desk,
            reason: e.reason,
            language: state.language,
            priority: priorityValue(state.caller.tier ?? 'new'),
            source: 'ivr',
            requestedAt: now,
          });
          this.d.calls.appendEvent({ callSid, dedupeKey: 'callback', type: 'callback.requested', data: e, at: now });
          break;
        case 'voicemailRecorded':
          this.d.voicemails.add({ callSid, customerId: state.caller.customerId, from, recordingSid: e.recordingSid, recordingUrl: e.recordingUrl, durationSeconds: e.durationSeconds, createdAt: now });
          this.d.calls.appendEvent({ callSid, dedupeKey: 'voicemail', type: 'voicemail.recorded', data: e, at: now });
          if (e.recordingSid) this.d.outbox.add(voicemailDownloadJob({ callSid, recordingSid: e.recordingSid }), now);
          break;
        case 'surveyRated':
        case 'surveyCommented': {
          const interactionId = Number(state.vars[SURVEY_INTERACTION_VAR]);
          // A survey flow reached some other way than after a conversation has nothing to rate.
          if (!Number.isInteger(interactionId) || interactionId < 1 || !this.d.surveys) break;
          if (e.kind === 'surveyRated') this.d.surveys.rated({ callSid, interactionId, customerId: state.caller.customerId, rating: e.rating, at: now });
          else this.d.surveys.commented({ callSid, interactionId, recordingUrl: e.recordingUrl, recordingSid: e.recordingSid, durationSeconds: e.durationSeconds, at: now });
          this.d.calls.appendEvent({ callSid, dedupeKey: `${e.kind}:${interactionId}`, type: e.kind === 'surveyRated' ? 'survey.rated' : 'survey.commented', data: e, at: now });
          break;
        }
      }
    }
  }
}

/**
 * The stored path (a JSON array of path entries) with `added` appended: the text JSON.stringify([...stored, ...added])
 * gives, without parsing the whole history of the call on every step.
 */
function appendPath(stored: string, added: PathEntry[]): string {
  if (stored === '[]') return JSON.stringify(added);
  if (!stored.endsWith('}]') || !stored.startsWith('[{')) return JSON.stringify([...(JSON.parse(stored) as PathEntry[]), ...added]);
  return added.length ? `${stored.slice(0, -1)},${JSON.stringify(added).slice(1)}` : stored;
}
