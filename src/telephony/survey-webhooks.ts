// The carrier's side of the post-call survey: the redirect that takes the caller from the conference to the survey
// flow once their agent hung up, and the webhook that starts the flow.
import { CallGone } from '../acd/dispatcher';
import type { IvrCallService } from '../ivr/ivr-call.service';
import type { SurveyCarrier } from '../surveys/post-call-survey';
import type { CallControl } from './call-control';
import { idParam, type WebhookRoute } from './webhook-server';

export function surveyUrls(base: string) {
  return { start: (ix: number) => `${base}/twilio/survey?ix=${ix}` };
}

export class TwilioSurveyCarrier implements SurveyCarrier {
  private readonly urls;

  constructor(private readonly d: { control: CallControl; base: string }) {
    this.urls = surveyUrls(d.base);
  }

  async redirectToSurvey(callSid: string, interactionId: number): Promise<void> {
    try {
      await this.d.control.redirect(callSid, this.urls.start(interactionId));
    } catch (err) {
      // 20404: no such call; 21220: the call is not in progress (the caller hung up first).
      const code = (err as { code?: number }).code;
      if ((err as { status?: number }).status === 404 || code === 20404 || code === 21220) throw new CallGone(callSid);
      throw err;
    }
  }

  hangup(callSid: string): Promise<void> {
    return this.d.control.hangup(callSid);
  }
}

export function surveyWebhookRoutes(d: { ivr: IvrCallService }): Record<string, WebhookRoute> {
  return {
    '/twilio/survey': {
      kind: 'twiml',
      handle(p, q) {
        return d.ivr.startSurvey(p.CallSid, idParam(q, 'ix', 'interaction id'));
      },
    },
  };
}
