// Maps each carrier webhook to a typed event for the domain, and the domain's answer back to TwiML.
import type { IvrCallService } from '../ivr/ivr-call.service';
import type { StepInput } from '../ivr/flow-types';
import type { CallStatusService } from '../calls/call-status.service';
import type { VoicemailsRepo } from '../recordings/voicemails.repo';
import type { TwimlRenderer } from './twiml-renderer';
import { idParam, type WebhookParams, type WebhookRoute } from './webhook-server';

export interface VoiceWebhookDeps {
  ivr: IvrCallService;
  callStatus: CallStatusService;
  voicemails: VoicemailsRepo;
  twiml: TwimlRenderer;
  /** While shedding load: admit a new caller without the IVR (one call row, one queue entry); it hears twiml.shedTwiml. */
  admitShed?(p: WebhookParams): void;
}

export function voiceWebhookRoutes(d: VoiceWebhookDeps): Record<string, WebhookRoute> {
  return {
    '/twilio/voice': {
      kind: 'twiml',
      handle(p) {
        const twiml = d.ivr.answer({ callSid: p.CallSid, from: p.From ?? '', to: p.To ?? '', direction: p.Direction ?? 'inbound', status: p.CallStatus ?? 'ringing' });
        d.callStatus.answered(p.CallSid);
        return twiml;
      },
      shed: d.admitShed
        ? (p) => {
            d.admitShed!(p);
            return d.twiml.shedTwiml;
          }
        : undefined,
    },
    '/twilio/ivr': {
      kind: 'twiml',
      handle(p, q) {
        return d.ivr.resume(p.CallSid, idParam(q, 's', 'step'), stepInput(q.get('in'), p));
      },
    },
    '/twilio/voice/fallback': {
      kind: 'twiml',
      handle() {
        throw new Error('the carrier could not use our answer and asked the fallback URL');
      },
    },
    '/twilio/voice/status': {
      kind: 'status',
      handle(p) {
        d.callStatus.update({
          callSid: p.CallSid,
          status: p.CallStatus ?? 'unknown',
          from: p.From ?? '',
          to: p.To ?? '',
          direction: p.Direction ?? 'inbound',
          durationSeconds: p.CallDuration ? Number(p.CallDuration) : undefined,
          sequenceNumber: p.SequenceNumber ? Number(p.SequenceNumber) : undefined,
        });
        return d.twiml.empty();
      },
    },
    '/twilio/recording/status': {
      kind: 'status',
      handle(p) {
        const vm = d.voicemails.forCall(p.CallSid);
        if (vm && p.RecordingStatus === 'completed') {
          d.voicemails.update(vm.id, { recordingSid: p.RecordingSid ?? vm.recordingSid, durationSeconds: Number(p.RecordingDuration ?? vm.durationSeconds) });
        }
        return d.twiml.empty();
      },
    },
  };
}

const DIGITS = /[^0-9*#]/g;

function stepInput(kind: string | null, p: WebhookParams): StepInput {
  switch (kind) {
    case 'record':
      return {
        kind: 'record',
        recordingUrl: p.RecordingUrl || undefined,
        recordingSid: p.RecordingSid || undefined,
        durationSeconds: Number(p.RecordingDuration) || 0,
      };
    case 'dial':
      return { kind: 'dial', status: p.DialCallStatus ?? 'failed' };
    default:
      return {
        kind: 'gather',
        digits: (p.Digits ?? '').replace(DIGITS, '').slice(0, 32) || undefined,
        speech: (p.SpeechResult ?? '').trim().slice(0, 200) || undefined,
      };
  }
}
