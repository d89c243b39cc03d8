// The routing rules (pure): which waiting call an agent gets and which agent a call gets.

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

/** Seconds assumed per call (ring, talk and wrap-up) before the center has any figures of its own. */
export const DEFAULT_HANDLE_SECONDS = 180;
