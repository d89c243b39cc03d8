// The agent's softphone: Twilio's Voice SDK in live mode (loaded only then), the carrier simulator's through the
// server's bridge in simulator mode. GET /api/voice/token says which.
import { signal } from '@preact/signals';
import type { Call } from '@twilio/voice-sdk';
import type { SimSoftphoneState } from '../../../src/telephony/sim-softphone-bridge';
import type { SoftphoneMode, VoiceTokenResponse } from '../../../src/http/voice.routes';
import { api } from '../session';

export type PhoneStatus = 'off' | 'idle' | 'ringing' | 'connected';

export const phoneMode = signal<SoftphoneMode | null>(null);
export const phoneStatus = signal<PhoneStatus>('off');
export const phoneMuted = signal(false);
export const phoneError = signal('');

interface Driver {
  answer(): Promise<void>;
  hangup(): Promise<void>;
  mute(on: boolean): void;
  /** Re-reads what rings or talks (simulator: after an offer, an answer or a hang-up the feed reported). */
  sync(): Promise<void>;
  /** An offer reached the desk: the phone rings a moment later (the carrier dials after the offer). */
  expectRing(): Promise<void>;
  stop(): void;
}

let driver: Driver | undefined;
let starting: Promise<void> | undefined;

/** Registers the softphone once per desktop (again after stop()). */
export function startSoftphone(): Promise<void> {
  starting ??= (async () => {
    phoneError.value = '';
    try {
      const tok = await api<VoiceTokenResponse>('GET', '/api/voice/token');
      phoneMode.value = tok.mode;
      driver = tok.mode === 'simulator' ? await simulated() : await live(tok);
    } catch (e) {
      phoneError.value = (e as Error).message;
      starting = undefined;
    }
  })();
  return starting;
}

export function stopSoftphone(): void {
  driver?.stop();
  driver = undefined;
  starting = undefined;
  phoneStatus.value = 'off';
  phoneMuted.value = false;
}

async function act(f: (d: Driver) => Promise<void> | void): Promise<void> {
  if (!driver) return;
  phoneError.value = '';
  try {
    await f(driver);
  } catch (e) {
    phoneError.value = (e as Error).message;
  }
}

export const answerCall = () => act((d) => d.answer());
export const hangUpCall = () => act((d) => d.hangup());
export const syncSoftphone = () => act((d) => d.sync());
export const expectRing = () => act((d) => d.expectRing());
export const toggleMute = () =>
  act((d) => {
    d.mute(!phoneMuted.value);
    phoneMuted.value = !phoneMuted.value;
  });

function applySim(s: SimSoftphoneState): void {
  phoneStatus.value = s.connected ? 'connected' : s.ringing ? 'ringing' : 'idle';
  if (!s.connected) phoneMuted.value = false;
}

/** The simulator rings the agent's client identity; the person answers and hangs up through /api/softphone/sim. */
async function simulated(): Promise<Driver> {
  applySim(await api<SimSoftphoneState>('POST', '/api/softphone/sim'));
  let watching = false;
  const read = async () => {
    const s = await api<SimSoftphoneState>('GET', '/api/softphone/sim');
    applySim(s);
    return s;
  };
  return {
    expectRing: async () => {
      if (watching) return;
      watching = true;
      try {
        for (let i = 0; i < 40; i++) {
          const s = await read();
          if (s.ringing || s.connected) return;
          await new Promise((r) => setTimeout(r, 150));
        }
      } finally {
        watching = false;
      }
    },
    answer: async () => applySim(await api<SimSoftphoneState>('POST', '/api/softphone/sim/answer')),
    hangup: async () => applySim(await api<SimSoftphoneState>('POST', '/api/softphone/sim/hangup')),
    // The simulator carries no audio from the browser: muting is the desktop's own state, as the SDK's mute is local.
    mute: () => undefined,
    sync: async () => void (await read()),
    stop: () => void api('DELETE', '/api/softphone/sim').catch(() => undefined),
  };
}

/** Twilio Voice SDK: a Device registered with the agent's token, renewed when the SDK says it will expire. */
async function live(tok: VoiceTokenResponse): Promise<Driver> {
  const { Device } = await import('@twilio/voice-sdk');
  const device = new Device(tok.token, { closeProtection: true });
  let call: Call | undefined;
  const ended = () => {
    call = undefined;
    phoneStatus.value = 'idle';
    phoneMuted.value = false;
  };
  device.on('incoming', (c: Call) => {
    call = c;
    phoneStatus.value = 'ringing';
    c.on('accept', () => (phoneStatus.value = 'connected'));
    c.on('disconnect', ended);
    c.on('cancel', ended);
    c.on('reject', ended);
  });
  device.on('tokenWillExpire', () => {
    void api<VoiceTokenResponse>('GET', '/api/voice/token').then(
      (t) => device.updateToken(t.token),
      (e: Error) => (phoneError.value = e.message),
    );
  });
  device.on('error', (e: { message?: string }) => (phoneError.value = e.message ?? 'softphone error'));
  await device.register();
  phoneStatus.value = 'idle';
  return {
    answer: async () => call?.accept(),
    hangup: async () => (phoneStatus.value === 'ringing' ? call?.reject() : call?.disconnect()),
    mute: (on) => call?.mute(on),
    sync: async () => undefined,
    expectRing: async () => undefined,
    stop: () => device.destroy(),
  };
}
