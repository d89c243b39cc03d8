// The routing rules (pure): which waiting call an agent gets, which agent a call gets, and the estimated wait.

export interface WaitingCall {
  id: number;
  callSid: string;
  queue: string;
  desk: string;
  /** Higher is served first: VIP 40, complaint 30, returning 20, new 10. */
  priority: number;
  enqueuedAt: Date;
}

export interface IdleAgent {
  staffId: number;
  /** When the agent last became free; the longest idle is offered first. */
  idleSince: Date | null;
}

/** Negative when `a` is to be served before `b`: priority first, then longest waiting, then arrival order. */
export function compareWaiting(a: WaitingCall, b: WaitingCall): number {
  return b.priority - a.priority || a.enqueuedAt.getTime() - b.enqueuedAt.getTime() || a.id - b.id;
}

/** Negative when `a` has been idle longer than `b`; an agent never idle yet counts as idle since forever. */
export function compareIdle(a: IdleAgent, b: IdleAgent): number {
  return (a.idleSince?.getTime() ?? 0) - (b.idleSince?.getTime() ?? 0) || a.staffId - b.staffId;
}

/**
 * The best of the head calls of the queues an agent serves: fair across those queues because all are judged by one
 * rule, whatever queue they wait in.
 */
export function bestCall<T extends WaitingCall>(heads: readonly (T | undefined)[]): T | undefined {
  let best: T | undefined;
  for (const c of heads) if (c && (!best || compareWaiting(c, best) < 0)) best = c;
  return best;
}

export function longestIdle<T extends IdleAgent>(agents: readonly (T | undefined)[]): T | undefined {
  let best: T | undefined;
  for (const a of agents) if (a && (!best || compareIdle(a, best) < 0)) best = a;
  return best;
}

export interface RecentFigures {
  /** Average seconds an agent spends on a call plus wrap-up, over the recent window; undefined with no calls. */
  averageHandleSeconds?: number;
  /** Agents signed in on the desk and not on a break (available, reserved, on a call, in wrap-up). */
  staffedAgents: number;
}

/** Seconds assumed per call before the center has any figures of its own. */
export const DEFAULT_HANDLE_SECONDS = 180;

/**
 * Estimated wait for the caller at `position` (1 = next): the callers ahead of them, shared among the staffed
 * agents, each taking the center's recent average handling time. Nobody staffed: undefined (no promise made).
 */
export function estimatedWaitSeconds(position: number, f: RecentFigures): number | undefined {
  if (f.staffedAgents < 1) return undefined;
  const handle = f.averageHandleSeconds ?? DEFAULT_HANDLE_SECONDS;
  const rounds = Math.ceil(position / f.staffedAgents);
  // The first round is already under way on average: half a handling time.
  return Math.round((rounds - 0.5) * handle);
}
