// The three ways into a live call and who may use them on whom (pure): listen, whisper, barge, and the team lead's scope.
import type { MonitorMode, Role } from '../db/schema/index';

export { MONITOR_MODES, type MonitorMode } from '../db/schema/index';

/** The positions that may listen in on, whisper into or barge into an agent's call. */
export const MONITOR_ROLES: readonly Role[] = ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'];

/** How the monitor's conference participant is set, as Twilio's conference coach feature defines the modes. */
export interface ParticipantSettings {
  /** Nobody hears a muted participant. */
  muted: boolean;
  /** A coaching participant is heard only by the call it coaches. */
  coaching: boolean;
  callSidToCoach?: string;
}

/**
 * listen: muted, heard by nobody; whisper: coaching the agent's leg, heard by the agent only; barge: an ordinary
 * participant, heard by everyone. The monitor hears the whole call in every mode.
 */
export function participantSettings(mode: MonitorMode, agentCallSid: string): ParticipantSettings {
  switch (mode) {
    case 'listen':
      return { muted: true, coaching: false };
    case 'whisper':
      return { muted: false, coaching: true, callSidToCoach: agentCallSid };
    case 'barge':
      return { muted: false, coaching: false };
  }
}

export type ScopeDecision = 'ok' | 'self' | 'no-such-agent' | 'not-your-team';

/**
 * Whether `monitor` may join `agent`'s calls. A team lead only their own team's agents (and an agent who does not
 * exist looks the same to them as one of another team, so a lead learns nothing of other teams); nobody themselves.
 */
export function monitorScope(monitor: { id: number; role: Role; teamId: number | null }, agent: { id: number; role: Role; teamId: number | null } | undefined): ScopeDecision {
  if (monitor.role === 'team_lead' && (monitor.teamId === null || agent?.teamId !== monitor.teamId)) return 'not-your-team';
  if (!agent || agent.role !== 'agent') return agent?.id === monitor.id ? 'self' : 'no-such-agent';
  if (agent.id === monitor.id) return 'self';
  return 'ok';
}
