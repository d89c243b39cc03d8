// The ACD's carrier side over the CallControl port: ring an agent's softphone, bring the caller to them, end a leg.
import type { AcdCarrier } from '../acd/dispatcher';
import type { CallControl } from './call-control';
import { acdUrls } from './acd-webhooks';

export class TwilioAcdCarrier implements AcdCarrier {
  private readonly urls;

  constructor(private readonly d: { control: CallControl; base: string; hotlineNumber: string }) {
    this.urls = acdUrls(d.base);
  }

  ringAgent(o: { interactionId: number; identity: string; callerId: string; timeoutSeconds: number }): Promise<string> {
    return this.d.control.createCall({
      to: `client:${o.identity}`,
      from: o.callerId || this.d.hotlineNumber,
      url: this.urls.agentAnswered(o.interactionId),
      statusCallback: this.urls.agentStatus(o.interactionId),
      timeoutSeconds: o.timeoutSeconds,
    });
  }

  connectCaller(callSid: string, interactionId: number): Promise<void> {
    return this.d.control.redirect(callSid, this.urls.callerJoin(interactionId));
  }

  endAgentLeg(callSid: string): Promise<void> {
    return this.d.control.hangup(callSid);
  }
}
