// The agent desktop's state: the agent's presence (as the server decided it) and the call on the desk (offered, on,
// or in wrap-up), fed by the API and the agent's own WebSocket messages.
import { signal } from '@preact/signals';
import type { presenceView } from '../../../src/http/presence.routes';
import type { ScreenPopMessage, Wire } from '../../../src/realtime/messages';
import type { CallbackSummary } from '../../../src/events/domain-events';
import type { DeskSkill } from '../../../src/acd/agent-desks.repo';
import { api } from '../session';
import { lang, t, type TextKey } from '../i18n';
import { expectRing, phoneMuted, syncSoftphone } from './agent-softphone';
import type { FeedMessage } from '../live-feed';

export type Presence = ReturnType<typeof presenceView>;
export type Pop = Wire<ScreenPopMessage>;

export interface DeskCall {
  interactionId: number;
  callSid: string;
  phase: 'offered' | 'connected' | 'ended';
  pop: Pop | null;
  /** A preview or progressive callback being offered (no screen pop for those). */
  callback?: Wire<CallbackSummary>;
  onHold: boolean;
  recordingPaused: boolean;
  disposition: string | null;
  workOrder: string | null;
}

export const presence = signal<Presence | null>(null);
/** When this browser saw the current state begin: the countdown and time in state run on the browser's clock. */
export const stateSeenAt = signal(Date.now());
export const call = signal<DeskCall | null>(null);
/** The desks the agent sits on now: a dispatcher may move them while they work. */
export const myDesks = signal<DeskSkill[]>([]);
export const deskError = signal('');

export function showError(e: unknown): void {
  deskError.value = e instanceof Error ? e.message : String(e);
}

const STATE_KEY: Record<string, TextKey> = { offline: 'stOffline', available: 'stAvailable', reserved: 'stReserved', on_call: 'stOnCall', wrap_up: 'stWrapUp', break: 'stBreak', missed: 'stMissed' };

/**
 * The presence rules' refusals are what an agent meets most (the same state again, a move the rules forbid): said in
 * the console's language with the states' names. Other messages stay the server's own.
 */
export function presenceRefusal(message: string): string {
  const m = /^cannot go from (\w+) to (\w+)$/.exec(message);
  if (!m || !STATE_KEY[m[1]] || !STATE_KEY[m[2]]) return message;
  const [from, to] = [t(STATE_KEY[m[1]]), t(STATE_KEY[m[2]])];
  if (m[1] === m[2]) return lang.value === 'zh' ? `您已经是「${from}」状态。` : `You are already ${from.toLowerCase()}.`;
  return lang.value === 'zh' ? `「${from}」状态下不能切换到「${to}」。` : `You cannot go from ${from.toLowerCase()} to ${to.toLowerCase()}.`;
}

function setPresence(p: Presence): void {
  const before = presence.value;
  if (!before || before.state !== p.state || before.since !== p.since) {
    stateSeenAt.value = Date.now();
    // A refusal belongs to the state it was refused in.
    if (before) deskError.value = '';
  }
  presence.value = p;
  // After a reconnect the pop comes again without the call's progress: the agent's state tells it.
  const c = call.value;
  if (c && c.interactionId > 0) {
    if (p.state === 'on_call' && c.phase === 'offered') call.value = { ...c, phase: 'connected' };
    if (p.state === 'wrap_up' && c.phase !== 'ended') call.value = { ...c, phase: 'ended', onHold: false };
  }
  // A new available state after the call's wrap-up: the desk is free for the next caller.
  if (p.state === 'available' && call.value?.phase === 'ended') call.value = null;
}

export async function loadPresence(): Promise<void> {
  try {
    const p = await api<Presence & { desks?: DeskSkill[] }>('GET', '/api/agents/me');
    if (p.desks) myDesks.value = p.desks;
    setPresence(p);
  } catch (e) {
    showError(e);
  }
}

/** Asks the server for a state; an illegal change shows the server's reason. */
export async function requestState(state: 'available' | 'break' | 'offline', reason?: string): Promise<void> {
  deskError.value = '';
  try {
    setPresence(await api<Presence>('PUT', '/api/agents/me/state', reason ? { state, reason } : { state }));
  } catch (e) {
    deskError.value = presenceRefusal(e instanceof Error ? e.message : String(e));
  }
}

export async function extendWrapUp(seconds = 30): Promise<void> {
  deskError.value = '';
  try {
    setPresence(await api<Presence>('PUT', '/api/agents/me/state', { state: 'wrap_up', extendSeconds: seconds }));
  } catch (e) {
    showError(e);
  }
}

function patchCall(interactionId: number, change: Partial<DeskCall>): void {
  const c = call.value;
  if (c && c.interactionId === interactionId) call.value = { ...c, ...change };
}

export async function toggleHold(): Promise<void> {
  const c = call.value;
  if (!c || c.phase !== 'connected') return;
  deskError.value = '';
  try {
    await api('POST', c.onHold ? '/api/calls/current/resume' : '/api/calls/current/hold');
    patchCall(c.interactionId, { onHold: !c.onHold });
  } catch (e) {
    showError(e);
  }
}

export async function toggleRecording(): Promise<void> {
  const c = call.value;
  if (!c || c.phase !== 'connected') return;
  deskError.value = '';
  try {
    const r = await api<{ paused: boolean }>('POST', c.recordingPaused ? '/api/recordings/current/resume' : '/api/recordings/current/pause');
    patchCall(c.interactionId, { recordingPaused: r.paused });
  } catch (e) {
    showError(e);
  }
}

export function markDisposition(interactionId: number, code: string): void {
  patchCall(interactionId, { disposition: code });
}

export function markWorkOrder(interactionId: number, number: string): void {
  patchCall(interactionId, { workOrder: number });
}

const fresh = (interactionId: number, callSid: string): DeskCall => ({
  interactionId,
  callSid,
  phase: 'offered',
  pop: null,
  onHold: false,
  recordingPaused: false,
  disposition: null,
  workOrder: null,
});

/** The agent's own messages: the pop (before the phone rings), the call's progress, and state changes. */
export function onFeed(m: FeedMessage, me: number): void {
  switch (m.type) {
    case 'screenPop': {
      const pop = m as unknown as Pop;
      const c = call.value;
      // Sent again after a reconnect for the call already on the desk: keep what the agent did with it.
      call.value = c?.interactionId === pop.interactionId ? { ...c, pop } : { ...fresh(pop.interactionId, pop.callSid), pop };
      void expectRing();
      void loadPresence();
      return;
    }
    case 'hello':
      void loadPresence();
      return;
  }
  if ('agentId' in m && m.agentId !== me) return;
  switch (m.type) {
    case 'AgentStateChanged':
      void loadPresence();
      return;
    case 'AgentDesksChanged':
      myDesks.value = m.desks;
      return;
    case 'CallbackOffered':
      call.value = { ...fresh(-m.attemptId, ''), callback: m.callback as Wire<CallbackSummary> };
      void expectRing();
      return;
    case 'CallbackConnected':
      call.value = { ...(call.value ?? fresh(m.interactionId, m.callSid)), interactionId: m.interactionId, callSid: m.callSid, phase: 'connected' };
      void syncSoftphone();
      return;
    case 'CallAnswered':
      patchCall(m.interactionId, { phase: 'connected' });
      void syncSoftphone();
      return;
    case 'CallHoldChanged':
      patchCall(m.interactionId, { onHold: m.onHold });
      return;
    case 'CallEnded':
      patchCall(m.interactionId, { phase: 'ended', onHold: false });
      phoneMuted.value = false;
      void syncSoftphone();
      return;
    case 'CallMissed':
      if (call.value?.interactionId === m.interactionId) call.value = null;
      void syncSoftphone();
      return;
    case 'CallbackAttemptEnded':
      if (call.value?.interactionId === -m.attemptId) call.value = null;
      void syncSoftphone();
      return;
  }
}
