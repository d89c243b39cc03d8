// Monitoring's carrier side over the CallControl port: find the live conference, ring the monitor into it, set their mode.
import { CallGone } from '../acd/dispatcher';
import type { MonitorCarrier } from '../monitoring/live-monitoring.service';
import type { ParticipantSettings } from '../monitoring/monitor-modes';
import type { CallControl } from './call-control';
import { idParam, type WebhookRoute } from './webhook-server';
import { twimlDocument } from './twiml-writer';

export function monitorUrls(base: string) {
  return { status: (sessionId: number) => `${base}/twilio/monitor/status?ms=${sessionId}` };
}

/** How long the monitor's softphone rings before the carrier gives up (they asked for it a moment ago). */
const RING_SECONDS = 30;

/** 20404 / HTTP 404: no such call, conference or participant; 20001 on a participant create: the conference has ended; 21220: the call is not in progress. */
function isGone(err: unknown): boolean {
  const e = err as { status?: number; code?: number };
  return e.status === 404 || e.code === 20404 || e.code === 21220 || (e.status === 400 && e.code === 20001);
}

export class TwilioMonitorCarrier implements MonitorCarrier {
  private readonly urls;

  constructor(private readonly d: { control: CallControl; base: string; hotlineNumber: string }) {
    this.urls = monitorUrls(d.base);
  }

  liveConference(name: string): Promise<string | undefined> {
    return this.d.control.conferenceInProgress(name);
  }

  async join(o: { conferenceSid: string; identity: string; sessionId: number; settings: ParticipantSettings }): Promise<string> {
    try {
      return await this.d.control.addParticipant(o.conferenceSid, {
        to: `client:${o.identity}`,
        from: this.d.hotlineNumber,
        label: `monitor-${o.sessionId}`,
        ...o.settings,
        beep: false,
        statusCallback: this.urls.status(o.sessionId),
        timeoutSeconds: RING_SECONDS,
      });
    } catch (err) {
      if (isGone(err)) throw new CallGone(o.conferenceSid);
      throw err;
    }
  }

  async setMode(conferenceSid: string, callSid: string, settings: ParticipantSettings): Promise<void> {
    try {
      // coaching false clears callSidToCoach on the carrier; true needs it.
      await this.d.control.updateParticipant(conferenceSid, callSid, settings.coaching ? settings : { muted: settings.muted, coaching: false });
    } catch (err) {
      if (isGone(err)) throw new CallGone(callSid);
      throw err;
    }
  }

  async hangup(callSid: string): Promise<void> {
    try {
      await this.d.control.hangup(callSid);
    } catch (err) {
      if (isGone(err)) throw new CallGone(callSid);
      throw err;
    }
  }
}

/** The monitor's leg's call progress: answered (in the call), or over (hung up, not answered, or the call ended). */
export function monitorWebhookRoutes(d: { legStatus(sessionId: number, status: string, callSid: string): void }): Record<string, WebhookRoute> {
  const empty = twimlDocument();
  return {
    '/twilio/monitor/status': {
      kind: 'status',
      handle(p, q) {
        d.legStatus(idParam(q, 'ms', 'monitor session id'), p.CallStatus ?? '', p.CallSid);
        return empty;
      },
    },
  };
}
