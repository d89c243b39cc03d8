// Who may hear what: the channels of each role and which domain events each channel carries (pure).
import type { Role } from '../db/schema/index';
import type { DomainEvent, DomainEventType } from '../events/domain-events';
import type { Channel } from './messages';

/** The roles that watch the floor live: the waiting queue, every agent's state, every call's outcome. */
export const FLOOR_ROLES: readonly Role[] = ['dispatcher', 'team_lead', 'supervisor', 'admin'];

/** The floor feed: events about queues, calls and agents that carry no customer data. */
export const FLOOR_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'CallQueued',
  'CallOffered',
  'CallAnswered',
  'CallMissed',
  'CallEnded',
  'CallHoldChanged',
  'CallAbandoned',
  'CallLeftQueue',
  'CallbackRequested',
  'CallbackAttemptEnded',
  'AgentStateChanged',
  'AgentDesksChanged',
  'FloorActionTaken',
  // Who listens in on which agent's call ("monitored by" on the agent's line); the agent never receives these.
  'MonitorStarted',
  'MonitorModeChanged',
  'MonitorEnded',
]);

/**
 * Events an agent receives about itself. A CallOffered reaches the agent as a `screenPop` instead, which carries
 * the event's fields and the caller's data.
 */
export const OWN_AGENT_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>([
  'AgentStateChanged',
  'AgentDesksChanged',
  'CallAnswered',
  'CallMissed',
  'CallEnded',
  'CallHoldChanged',
  'WorkOrderUpdated',
  'CallbackOffered',
  'CallbackConnected',
  'CallbackAttemptEnded',
  // A controller scored one of the agent's calls: the desktop can show it to acknowledge or dispute.
  'EvaluationSubmitted',
]);

export function channelsFor(role: Role): Channel[] {
  const channels: Channel[] = ['own'];
  if (role === 'agent') channels.push('screenPops');
  if (FLOOR_ROLES.includes(role)) channels.push('floor');
  return channels;
}

/**
 * Whether a staff member sees `e` as an event message (screen pops are routed apart, to the offered agent only). A
 * team lead sees the events about their own team's agents only (`teamOf` says an agent's team), and every queue's.
 */
export function receivesEvent(staff: { id: number; role: Role; teamId?: number | null }, e: DomainEvent, teamOf?: (agentId: number) => number | null | undefined): boolean {
  if (FLOOR_ROLES.includes(staff.role) && FLOOR_EVENTS.has(e.type)) {
    if (staff.role !== 'team_lead' || !('agentId' in e) || !teamOf) return true;
    const team = teamOf(e.agentId);
    return team !== undefined && team !== null && team === staff.teamId;
  }
  return staff.role === 'agent' && 'agentId' in e && e.agentId === staff.id && OWN_AGENT_EVENTS.has(e.type);
}
