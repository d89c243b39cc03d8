// The carrier's webhooks for callbacks: the agent's leg (answer, status, a spoken notice) and the customer's call
// placed by the dialer (answer with answering-machine detection, status, recording).
import type { CallbackOffers } from '../acd/callback-offers';
import type { InteractionsRepo } from '../acd/interactions.repo';
import type { CallbackAttemptsRepo } from '../outbound/callback-attempts.repo';
import { idParam, type WebhookRoute } from './webhook-server';
import { DEFAULT_VOICES } from './twiml-renderer';
import { attrs, element, parent, twimlDocument } from './twiml-writer';

export function outboundUrls(base: string) {
  return {
    agentAnswered: (attempt: number) => `${base}/twilio/outbound/agent?attempt=${attempt}`,
    agentStatus: (attempt: number) => `${base}/twilio/outbound/agent/status?attempt=${attempt}`,
    agentNotice: (attempt: number) => `${base}/twilio/outbound/agent/notice?attempt=${attempt}`,
    customerAnswered: (attempt: number) => `${base}/twilio/outbound/answer?attempt=${attempt}`,
    customerStatus: (attempt: number) => `${base}/twilio/outbound/status?attempt=${attempt}`,
  };
}

export interface OutboundWebhookDeps {
  base: string;
  callbacks: CallbackOffers;
  attempts: CallbackAttemptsRepo;
  interactions: InteractionsRepo;
  /** Starts the dual-channel recording of the customer's leg once they are connected to the agent. */
  recordCustomer?(interactionId: number, customerCallSid: string): void;
}

const EMPTY = twimlDocument();
const zh = (text: string) => element('Say', attrs(DEFAULT_VOICES.zh), text);

/** What the agent hears when an attempt ends without a conversation. */
const NOTICES: Record<string, string> = {
  busy: '客户占线，稍后将自动重拨。The line was busy; the callback will be retried.',
  'no-answer': '客户无人接听，稍后将自动重拨。No answer; the callback will be retried.',
  failed: '号码无法接通。The number could not be reached.',
  machine: '接听的是语音信箱，稍后将自动重拨。An answering machine picked up; the callback will be retried.',
  canceled: '呼叫已取消。The call was canceled.',
  not_dialed: '现在不能拨打此客户。This customer cannot be called now.',
};

const attemptId = (q: URLSearchParams) => idParam(q, 'attempt', 'attempt id');

export function outboundWebhookRoutes(d: OutboundWebhookDeps): Record<string, WebhookRoute> {
  const urls = outboundUrls(d.base);

  /** Both sides meet in the attempt's conference; either one leaving ends it, so no one is left alone on the line. */
  function conference(attempt: number, name: string, label: 'agent' | 'customer'): string {
    return parent('Dial', '', [
      element(
        'Conference',
        attrs({
          participantLabel: label,
          startConferenceOnEnter: true,
          endConferenceOnExit: true,
          beep: 'false',
          waitUrl: '',
        }),
        name,
      ),
    ]);
  }

  return {
    '/twilio/outbound/agent': {
      kind: 'twiml',
      handle(p, q) {
        const id = attemptId(q);
        const r = d.callbacks.agentAnswered(id, p.CallSid);
        if (!r.join) return twimlDocument(zh('此回拨已取消。This callback was withdrawn.'), '<Hangup/>');
        const about = r.callback?.question ? `：${r.callback.question}` : '';
        return twimlDocument(zh(`正在为您接通回拨客户${about}。Connecting your callback.`), conference(id, r.conference!, 'agent'));
      },
    },
    '/twilio/outbound/agent/status': {
      kind: 'status',
      handle(p, q) {
        d.callbacks.agentLegStatus(attemptId(q), p.CallStatus ?? '', p.CallSid);
        return EMPTY;
      },
    },
    '/twilio/outbound/agent/notice': {
      kind: 'twiml',
      handle(_p, q) {
        const a = d.attempts.get(attemptId(q));
        return twimlDocument(zh(NOTICES[a?.result ?? ''] ?? '回拨已结束。The callback has ended.'), '<Hangup/>');
      },
    },
    '/twilio/outbound/answer': {
      kind: 'twiml',
      handle(p, q) {
        const id = attemptId(q);
        const r = d.callbacks.customerAnswered(id, p.CallSid, p.AnsweredBy);
        if (r.machine) return twimlDocument('<Hangup/>');
        if (!r.join) return twimlDocument(zh('抱歉，坐席暂时无法接听，我们会再次致电。Sorry, we will call you again shortly.'), '<Hangup/>');
        const ix = d.interactions.liveForCall(p.CallSid);
        if (ix) d.recordCustomer?.(ix.id, p.CallSid);
        return twimlDocument(conference(id, r.conference!, 'customer'));
      },
    },
    '/twilio/outbound/status': {
      kind: 'status',
      handle(p, q) {
        const duration = p.CallDuration === undefined ? undefined : Number(p.CallDuration);
        d.callbacks.customerStatus(attemptId(q), p.CallSid, p.CallStatus ?? '', { answeredBy: p.AnsweredBy, durationSeconds: Number.isFinite(duration) ? duration : undefined });
        return EMPTY;
      },
    },
    '/twilio/outbound/recording': {
      kind: 'status',
      callSidOptional: true,
      handle(p, q) {
        const a = d.attempts.get(attemptId(q));
        if (a?.interactionId && p.RecordingStatus === 'completed' && p.RecordingSid) d.interactions.update(a.interactionId, { recordingSid: p.RecordingSid, recordingUrl: p.RecordingUrl ?? null });
        return EMPTY;
      },
    },
  };
}
