// Simulator mode only: the signed-in person's browser softphone, played by the carrier simulator (which the browser
// cannot reach), registered to ring until answered and answered or hung up from the console through the server.
import { Busy, Conflict, NotFound } from '../errors/domain-errors';
import type { VoiceTokenIssuer } from './voice-token';

/** What the simulated softphone is doing: the call ringing it and the call it is talking on. */
export interface SimSoftphoneState {
  identity: string;
  ringing: { callSid: string; from: string } | null;
  connected: { callSid: string; from: string } | null;
}

export interface SimSoftphoneBridgeOptions {
  /** The simulator's base URL (its control API is under /sim). */
  simulatorUrl: string;
  voiceToken: Pick<VoiceTokenIssuer, 'issue'>;
  /** A simulator request that takes longer fails. @default 5000 */
  timeoutMs?: number;
}

type Staff = { id: number; username: string };

export class SimSoftphoneBridge {
  constructor(private readonly o: SimSoftphoneBridgeOptions) {}

  /**
   * Registers the person's softphone (it rings until answered: answerAfter 'never'); one already registered is kept,
   * so a desktop reloaded while a call rings or talks can still answer or hang it up.
   */
  async register(staff: Staff): Promise<SimSoftphoneState> {
    const existing = await this.state(staff).catch((err: unknown) => {
      if (err instanceof NotFound) return undefined;
      throw err;
    });
    if (existing) return existing;
    const t = this.o.voiceToken.issue(staff);
    await this.request('POST', '/sim/softphones', { identity: t.identity, token: t.token, answerAfter: 'never', script: [] });
    return this.state(staff);
  }

  state(staff: Staff): Promise<SimSoftphoneState> {
    return this.request('GET', `/sim/softphones/${this.identity(staff)}`);
  }

  answer(staff: Staff): Promise<SimSoftphoneState> {
    return this.request('POST', `/sim/softphones/${this.identity(staff)}/answer`);
  }

  hangup(staff: Staff): Promise<SimSoftphoneState> {
    return this.request('POST', `/sim/softphones/${this.identity(staff)}/hangup`);
  }

  async unregister(staff: Staff): Promise<void> {
    await this.request('DELETE', `/sim/softphones/${this.identity(staff)}`);
  }

  private identity(staff: Staff): string {
    return encodeURIComponent(this.o.voiceToken.issue(staff).identity);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.o.simulatorUrl + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      });
    } catch {
      throw new Busy(5, 'The carrier simulator does not answer; try again in a moment');
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as { message?: string }) : {};
    if (res.status === 404) throw new NotFound('Your simulated softphone is not registered: register it first (POST /api/softphone/sim)');
    if (res.status === 409) throw new Conflict(json.message ?? 'The softphone cannot do that now');
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${json.message ?? ''}`);
    return json as T;
  }
}
