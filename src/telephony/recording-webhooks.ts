// The carrier's recording status callback for the call recordings (signed like every /twilio route).
import type { CallRecorder } from '../recordings/call-recorder';
import type { WebhookRoute } from './webhook-server';
import { twimlDocument } from './twiml-writer';

const EMPTY = twimlDocument();

export function recordingWebhookRoutes(d: { recorder: CallRecorder }): Record<string, WebhookRoute> {
  return {
    '/twilio/recordings/status': {
      kind: 'status',
      handle(p, _q, log) {
        d.recorder.statusCallback(p, log);
        return EMPTY;
      },
    },
  };
}
