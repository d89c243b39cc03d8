// Owns the post-call survey: which conversations end in a survey (the queue's setting), sending the caller to it when
// their agent hangs up, and storing the caller's rating and comment with the call, the interaction and the agent.
import type { CallsRepo } from '../calls/calls.repo';
import type { InteractionsRepo } from '../acd/interactions.repo';
import type { QueueEntriesRepo } from '../acd/queue-entries.repo';
import { CallGone } from '../acd/dispatcher';
import type { Transact } from '../db/transaction';
import type { EventBus, EventOf } from '../events/domain-events';
import type { Clock, SurveyAnswers } from '../ivr/ivr-call.service';
import type { OutboxJob } from '../jobs/outbox.repo';
import type { Logger } from '../logging/logger';
import type { SurveyResponsesRepo } from './survey-responses.repo';
import { surveyCommentDownloadJob } from './survey-comment-download';

/** The carrier side (telephony/ over the CallControl port). */
export interface SurveyCarrier {
  /** Sends the caller's live call to the survey for this interaction; throws CallGone when the call is over. */
  redirectToSurvey(callSid: string, interactionId: number): Promise<void>;
  hangup(callSid: string): Promise<void>;
}

export interface PostCallSurveyDeps {
  calls: CallsRepo;
  interactions: InteractionsRepo;
  queue: QueueEntriesRepo;
  rules: { get(queue: string): { postCallSurvey: boolean } };
  responses: SurveyResponsesRepo;
  outbox: { add(job: OutboxJob, at: Date): void };
  carrier: SurveyCarrier;
  /** Stops the QA recording of the caller's leg (the survey is not part of the conversation). */
  stopRecording?(callSid: string): Promise<unknown>;
  /** Whether a survey flow is loaded (without one no call is kept on the line for it). */
  flowLoaded: boolean;
  transact: Transact;
  clock: Clock;
  events: EventBus;
  log: Logger;
}

const PLANNED = 'survey.planned';

export class PostCallSurvey implements SurveyAnswers {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly d: PostCallSurveyDeps) {
    d.events.on('CallEnded', (e) => this.agentLeft(e));
  }

  /**
   * The agent answered interaction `interactionId`: true when the caller will be kept on the line for the survey after
   * the agent leaves (the agent's leg then must not end the conference). Decided once and written on the call, so the
   * end of the conversation follows the decision made at its start even if the queue's setting changes meanwhile.
   */
  planFor(interactionId: number): boolean {
    if (!this.d.flowLoaded) return false;
    return this.d.transact(() => {
      const ix = this.d.interactions.get(interactionId);
      if (!ix || ix.direction !== 'inbound') return false;
      if (this.planned(ix.callSid, interactionId)) return true;
      const entry = this.d.queue.forCall(ix.callSid);
      if (!entry || !this.d.rules.get(entry.queue).postCallSurvey) return false;
      this.d.calls.appendEvent({ callSid: ix.callSid, dedupeKey: `${PLANNED}:${interactionId}`, type: PLANNED, data: { interactionId, queue: entry.queue }, at: this.d.clock.now() });
      return true;
    });
  }

  /** Whether the survey was planned for this conversation at its start. */
  planned(callSid: string, interactionId: number): boolean {
    return this.d.calls.hasEvent(callSid, `${PLANNED}:${interactionId}`);
  }

  rated(a: { callSid: string; interactionId: number; customerId?: number; rating: number; at: Date }): void {
    const ix = this.d.interactions.get(a.interactionId);
    if (!ix || ix.callSid !== a.callSid) return; // a survey for another call's conversation: nothing to rate
    const entry = this.d.queue.forCall(a.callSid);
    this.d.responses.insert({
      callSid: a.callSid,
      interactionId: ix.id,
      agentId: ix.agentId,
      teamId: this.d.responses.teamOf(ix.agentId),
      queue: entry?.queue ?? 'unknown',
      desk: entry?.desk ?? 'front',
      customerId: a.customerId ?? null,
      rating: a.rating,
      answeredAt: a.at,
    });
  }

  commented(a: { callSid: string; interactionId: number; recordingUrl: string; recordingSid?: string; durationSeconds: number; at: Date }): void {
    const r = this.d.responses.forInteraction(a.interactionId);
    if (!r || r.callSid !== a.callSid || r.commentRecordingUrl) return;
    this.d.responses.update(r.id, { commentRecordingUrl: a.recordingUrl, commentRecordingSid: a.recordingSid ?? null, commentSeconds: a.durationSeconds, commentedAt: a.at });
    if (a.recordingSid) this.d.outbox.add(surveyCommentDownloadJob({ surveyId: r.id, recordingSid: a.recordingSid }), a.at);
  }

  /** Resolves when the carrier requests started so far have settled (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * The agent's leg ended. If the survey was planned and the caller is still on the line (alone in the conference,
   * which the agent's leaving did not end), send them to the survey. A caller who hung up first gets nothing: the
   * carrier refuses to redirect a call that is over.
   */
  private agentLeft(e: EventOf<'CallEnded'>): void {
    const ix = this.d.interactions.get(e.interactionId);
    if (!ix || ix.status !== 'ended' || ix.direction !== 'inbound') return;
    if (this.d.calls.get(ix.callSid)?.endedAt || !this.planned(ix.callSid, ix.id)) return;
    const log = this.d.log.child({ callSid: ix.callSid, interactionId: ix.id });
    const sent = this.d.carrier.redirectToSurvey(ix.callSid, ix.id).then(
      async () => {
        log.debug('caller sent to the post-call survey');
        // The QA recording is of the conversation: stopped once the caller is on the survey (a call that ended first
        // has nothing to stop, hence after the redirect).
        await this.d.stopRecording?.(ix.callSid).catch((err: unknown) => log.warn('could not stop the call recording for the survey', { err: String(err) }));
      },
      async (err: unknown) => {
        if (err instanceof CallGone) return; // hung up before the survey: nothing to do
        // The caller would sit alone in a silent conference: end the call rather than leave them there.
        log.warn('could not send the caller to the survey; ending their call', { err: String(err) });
        await this.d.carrier.hangup(ix.callSid).catch((e2: unknown) => log.error('could not end the caller left after the agent', { err: String(e2) }));
      },
    );
    const t = sent.finally(() => this.pending.delete(t));
    this.pending.add(t);
  }
}
