// The carrier's webhooks for the ACD: the agent's leg (answer, status), the caller joining the conference, recordings.
import type { Dispatcher } from '../acd/dispatcher';
import type { InteractionsRepo } from '../acd/interactions.repo';
import type { WebhookRoute } from './webhook-server';
import { DEFAULT_VOICES } from './twiml-renderer';
import { attrs, element, parent, twimlDocument } from './twiml-writer';

export function acdUrls(base: string) {
  return {
    agentAnswered: (ix: number) => `${base}/twilio/acd/agent?ix=${ix}`,
    agentStatus: (ix: number) => `${base}/twilio/acd/agent/status?ix=${ix}`,
    callerJoin: (ix: number) => `${base}/twilio/acd/join?ix=${ix}`,
    conferenceEvents: (ix: number) => `${base}/twilio/acd/conference?ix=${ix}`,
  };
}

export interface AcdWebhookDeps {
  base: string;
  dispatcher: Dispatcher;
  interactions: InteractionsRepo;
  /** Starts the dual-channel recording of the customer's leg once they are connected to the agent. */
  recordCustomer?(interactionId: number, customerCallSid: string): void;
  /** The caller's fallback when their interaction is gone before they join: back to waiting. */
  requeue(callSid: string): string;
  /** Whether the caller stays on the line for the post-call survey when the agent leaves (src/surveys/). */
  surveyAfter?(interactionId: number): boolean;
}

const EMPTY = twimlDocument();

function interactionId(q: URLSearchParams): number {
  const ix = Number(q.get('ix'));
  if (!Number.isInteger(ix) || ix < 1) throw new Error(`bad interaction id ${JSON.stringify(q.get('ix'))}`);
  return ix;
}

export function acdWebhookRoutes(d: AcdWebhookDeps): Record<string, WebhookRoute> {
  const urls = acdUrls(d.base);

  /**
   * Both sides join the interaction's conference. No conference recording (it is mixed to one channel): the customer's
   * own leg is recorded in two channels instead (src/recordings/call-recorder.ts), started as they join. The caller's
   * leaving always ends the conference; the agent's does too unless the caller stays for the post-call survey (then
   * the caller is redirected to it when the agent's leg ends).
   */
  function conference(ix: number, name: string, label: 'agent' | 'customer', endConferenceOnExit = true): string {
    const room = element(
      'Conference',
      attrs({
        participantLabel: label,
        startConferenceOnEnter: true,
        endConferenceOnExit,
        beep: 'false',
        waitUrl: '',
        statusCallback: urls.conferenceEvents(ix),
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['start', 'end', 'join', 'leave'],
      }),
      name,
    );
    return twimlDocument(parent('Dial', '', [room]));
  }

  return {
    '/twilio/acd/agent': {
      kind: 'twiml',
      handle(p, q) {
        const ix = interactionId(q);
        const answer = d.dispatcher.agentAnswered(ix, p.CallSid);
        if (!answer.join) return twimlDocument(element('Say', attrs(DEFAULT_VOICES.zh), '客户已挂机。The caller has hung up.'), '<Hangup/>');
        return conference(ix, answer.conference!, 'agent', !d.surveyAfter?.(ix));
      },
    },
    '/twilio/acd/agent/status': {
      kind: 'status',
      handle(p, q) {
        d.dispatcher.agentLegStatus(interactionId(q), p.CallStatus ?? '', p.CallSid);
        return EMPTY;
      },
    },
    '/twilio/acd/join': {
      kind: 'twiml',
      handle(p, q) {
        const ix = d.interactions.get(interactionId(q));
        if (!ix || ix.status !== 'connected' || ix.callSid !== p.CallSid) return d.requeue(p.CallSid);
        d.recordCustomer?.(ix.id, p.CallSid);
        return conference(ix.id, ix.conference, 'customer');
      },
    },
    '/twilio/acd/recording': {
      kind: 'status',
      callSidOptional: true,
      handle(p, q) {
        const ix = interactionId(q);
        if (p.RecordingStatus === 'completed' && p.RecordingSid) d.interactions.update(ix, { recordingSid: p.RecordingSid, recordingUrl: p.RecordingUrl ?? null });
        return EMPTY;
      },
    },
    '/twilio/acd/conference': {
      kind: 'status',
      callSidOptional: true,
      handle: () => EMPTY,
    },
  };
}
