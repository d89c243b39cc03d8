// The agent presence state machine (pure): which changes an agent may ask for, and what the ACD's events do.
import type { AgentStateName } from '../db/schema/index';

export interface Presence {
  state: AgentStateName;
  reason: string | null;
  /** What the agent asked to become once the current call is over (e.g. break after this call). */
  nextState: AgentStateName | null;
  nextReason: string | null;
}

/** A change the agent asks for through the API. */
export interface AgentRequest {
  state: AgentStateName;
  /** Break reason code (lunch, training, meeting…); required for break. */
  reason?: string;
}

/** Events of the ACD that move an agent, whatever they asked. */
export type SystemEvent =
  | 'offered' // a call rings the agent
  | 'answered' // the agent picked up
  | 'not-answered' // the ring timed out, was declined or failed
  | 'withdrawn' // the caller hung up or left while it rang
  | 'call-ended' // the conversation is over: wrap-up begins
  | 'wrap-up-over' // wrap-up time ran out
  | 'went-silent'; // no heartbeat from the softphone or browser

export const BREAK_REASONS = ['lunch', 'rest', 'training', 'meeting', 'coaching', 'personal'] as const;

/** States the agent may choose directly, and from where. reserved/on_call belong to the ACD. */
const AGENT_MOVES: Record<AgentStateName, readonly AgentStateName[]> = {
  offline: ['available', 'break'],
  available: ['break', 'offline'],
  break: ['available', 'offline', 'break'],
  missed: ['available', 'break', 'offline'],
  wrap_up: ['available', 'break', 'offline'],
  reserved: [],
  on_call: [],
};

/** While a call rings or runs, a request is kept as the next state instead. */
const BUSY: readonly AgentStateName[] = ['reserved', 'on_call'];
const ASKABLE_NEXT: readonly AgentStateName[] = ['available', 'break', 'offline'];

export type Decision =
  | { kind: 'change'; to: Presence }
  | { kind: 'refused'; message: string };

export function agentRequest(p: Presence, r: AgentRequest): Decision {
  if (r.state === 'break' && !r.reason) return { kind: 'refused', message: 'a break needs a reason code' };
  const reason = r.state === 'break' ? (r.reason ?? null) : null;
  if (BUSY.includes(p.state)) {
    if (!ASKABLE_NEXT.includes(r.state)) return { kind: 'refused', message: `cannot ask for ${r.state} while ${p.state}` };
    return { kind: 'change', to: { ...p, nextState: r.state, nextReason: reason } };
  }
  if (!AGENT_MOVES[p.state].includes(r.state)) return { kind: 'refused', message: `cannot go from ${p.state} to ${r.state}` };
  return { kind: 'change', to: { state: r.state, reason, nextState: null, nextReason: null } };
}

/** Where an ACD event takes the agent; undefined when the event does not apply in the current state. */
export function systemEvent(p: Presence, e: SystemEvent): Presence | undefined {
  const keep = { nextState: p.nextState, nextReason: p.nextReason };
  switch (e) {
    case 'offered':
      return p.state === 'available' ? { state: 'reserved', reason: null, ...keep } : undefined;
    case 'answered':
      return p.state === 'reserved' ? { state: 'on_call', reason: null, ...keep } : undefined;
    case 'not-answered':
      return p.state === 'reserved' ? { state: 'missed', reason: null, nextState: null, nextReason: null } : undefined;
    case 'withdrawn':
      return p.state === 'reserved' ? afterCall(p, 'available') : undefined;
    case 'call-ended':
      return p.state === 'on_call' ? { state: 'wrap_up', reason: null, ...keep } : undefined;
    case 'wrap-up-over':
      return p.state === 'wrap_up' ? afterCall(p, 'available') : undefined;
    case 'went-silent':
      if (p.state === 'offline') return undefined;
      // A live conversation goes on over the phone network: the agent goes offline once it is over.
      if (p.state === 'on_call' || p.state === 'wrap_up') return { ...p, nextState: 'offline', nextReason: null };
      return { state: 'offline', reason: 'no heartbeat', nextState: null, nextReason: null };
  }
}

/** The state asked for during the call wins over the usual one. */
function afterCall(p: Presence, usual: AgentStateName): Presence {
  if (p.nextState) return { state: p.nextState, reason: p.nextReason, nextState: null, nextReason: null };
  return { state: usual, reason: null, nextState: null, nextReason: null };
}
