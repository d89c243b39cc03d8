// The ACD's carrier side over the CallControl port: ring an agent's softphone, bring the caller to them, end a leg.
import { CallGone, type AcdCarrier } from '../acd/dispatcher';
import type { HoldCarrier } from '../acd/call-hold.service';
import type { CallbackCarrier } from '../acd/callback-offers';
import type { CallControl } from './call-control';
import { acdUrls } from './acd-webhooks';
import { outboundUrls } from './outbound-webhooks';

export class TwilioAcdCarrier implements AcdCarrier, CallbackCarrier, HoldCarrier {
  private readonly urls;
  private readonly outbound;

  constructor(private readonly d: { control: CallControl; base: string; hotlineNumber: string }) {
    this.urls = acdUrls(d.base);
    this.outbound = outboundUrls(d.base);
  }

  ringAgentForCallback(o: { attemptId: number; identity: string; timeoutSeconds: number }): Promise<string> {
    return this.d.control.createCall({
      to: `client:${o.identity}`,
      from: this.d.hotlineNumber,
      url: this.outbound.agentAnswered(o.attemptId),
      statusCallback: this.outbound.agentStatus(o.attemptId),
      timeoutSeconds: o.timeoutSeconds,
    });
  }

  hangup(callSid: string): Promise<void> {
    return this.d.control.hangup(callSid);
  }

  noticeToAgent(agentCallSid: string, attemptId: number): Promise<void> {
    return this.d.control.redirect(agentCallSid, this.outbound.agentNotice(attemptId));
  }

  ringAgent(o: { interactionId: number; identity: string; callerId: string; timeoutSeconds: number }): Promise<string> {
    return this.d.control.createCall({
      to: `client:${o.identity}`,
      from: o.callerId || this.d.hotlineNumber,
      url: this.urls.agentAnswered(o.interactionId),
      statusCallback: this.urls.agentStatus(o.interactionId),
      // The ACD acts on the leg's end only (answered is its own webhook, /twilio/acd/agent): three callbacks fewer a call.
      statusEvents: ['completed'],
      timeoutSeconds: o.timeoutSeconds,
    });
  }

  async connectCaller(callSid: string, interactionId: number): Promise<void> {
    try {
      await this.d.control.redirect(callSid, this.urls.callerJoin(interactionId));
    } catch (err) {
      // 20404: no such call; 21220: the call is not in progress (it ended). Either way the caller is gone.
      const code = (err as { code?: number }).code;
      if ((err as { status?: number }).status === 404 || code === 20404 || code === 21220) throw new CallGone(callSid);
      throw err;
    }
  }

  async setCustomerHold(o: { conference: string; callSid: string; hold: boolean }): Promise<void> {
    try {
      await this.d.control.holdParticipant(o.conference, o.callSid, o.hold ? { hold: true, holdUrl: this.urls.holdMusic() } : { hold: false });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if ((err as { status?: number }).status === 404 || code === 20404) throw new CallGone(o.callSid);
      throw err;
    }
  }

  endAgentLeg(callSid: string): Promise<void> {
    return this.d.control.hangup(callSid);
  }
}
