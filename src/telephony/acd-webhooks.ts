// The carrier's webhooks for the ACD: the agent's leg (answer, status), the caller joining the conference, recordings.
import type { Dispatcher } from '../acd/dispatcher';
import type { InteractionsRepo } from '../acd/interactions.repo';
import { idParam, type WebhookRoute } from './webhook-server';
import { DEFAULT_VOICES } from './twiml-renderer';
import { attrs, element, parent, twimlDocument } from './twiml-writer';

export function acdUrls(base: string) {
  return {
    agentAnswered: (ix: number) => `${base}/twilio/acd/agent?ix=${ix}`,
    agentStatus: (ix: number) => `${base}/twilio/acd/agent/status?ix=${ix}`,
    callerJoin: (ix: number) => `${base}/twilio/acd/join?ix=${ix}`,
    conferenceEvents: (ix: number) => `${base}/twilio/acd/conference?ix=${ix}`,
    /** What a customer on hold hears (the carrier fetches it when the agent puts them on hold). */
    holdMusic: () => `${base}/twilio/acd/hold-music`,
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
  /** The music a customer on hold hears (an MP3/WAV URL). Without it, a short spoken note, then silence. */
  holdMusic?: string;
  /** Whether the caller stays on the line for the post-call survey when the agent leaves (src/surveys/). */
  surveyAfter?(interactionId: number): boolean;
}

const EMPTY = twimlDocument();

const interactionId = (q: URLSearchParams) => idParam(q, 'ix', 'interaction id');

export function acdWebhookRoutes(d: AcdWebhookDeps): Record<string, WebhookRoute> {
  const urls = acdUrls(d.base);
  // Played until the agent takes the customer back (loop 0: as often as it takes).
  const holdMusic = d.holdMusic
    ? twimlDocument(element('Play', attrs({ loop: 0 }), d.holdMusic))
    : twimlDocument(element('Say', attrs(DEFAULT_VOICES.zh), '请稍候，客服马上回来。Please hold, your agent will be right back.'));

  /**
   * Both sides join the interaction's conference. No conference recording (it is mixed to one channel): the customer's
   * own leg is recorded in two channels instead (src/recordings/call-recorder.ts), started as they join. The caller's
   * leaving always ends the conference; the agent's does too unless the caller stays for the post-call survey (then
   * the caller is redirected to it when the agent's leg ends). No conference status callback: the legs' own callbacks
   * say all the ACD needs, and the conference's (start, end, join, leave) were a quarter of a busy day's webhooks
   * (docs/busy-day.md).
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
    '/twilio/acd/hold-music': {
      kind: 'twiml',
      // The carrier's HoldUrl request is about the held leg, but nothing here depends on which one.
      callSidOptional: true,
      handle: () => holdMusic,
    },
    // Conferences started before the status callback was dropped may still post here.
    '/twilio/acd/conference': {
      kind: 'status',
      callSidOptional: true,
      handle: () => EMPTY,
    },
  };
}
