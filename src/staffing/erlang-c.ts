// The Erlang C (M/M/N) model of a queue: waiting probability, service level, speed of answer, agents needed, and
// the expected wait of a caller at a known place in line. Pure; times in seconds, loads in Erlangs.

/** Offered load in Erlangs: arrivals per second times the average handling time in seconds. */
export function trafficIntensity(callsPerSecond: number, averageHandleSeconds: number): number {
  if (!(callsPerSecond >= 0) || !(averageHandleSeconds >= 0)) throw new RangeError('arrival rate and handling time must be >= 0');
  return callsPerSecond * averageHandleSeconds;
}

/** Share of the agents' time spent on calls: A / N (1 or more means overloaded). */
export function occupancy(agents: number, erlangs: number): number {
  return agents > 0 ? erlangs / agents : Infinity;
}

/**
 * Erlang B (the share of calls lost with N agents and no queue), by the recursion B(k) = A·B(k-1) / (k + A·B(k-1)):
 * every step stays within [0, 1], so it neither overflows (no A^N, no N!) nor loses precision for thousands of agents.
 */
export function erlangB(agents: number, erlangs: number): number {
  checkAgents(agents);
  let b = 1;
  for (let k = 1; k <= agents; k++) b = nextErlangB(b, k, erlangs);
  return b;
}

function nextErlangB(previous: number, k: number, erlangs: number): number {
  return (erlangs * previous) / (k + erlangs * previous);
}

/** Erlang C from Erlang B with the same agents: C = N·B / (N − A·(1 − B)); 1 when the queue cannot settle (A ≥ N). */
function erlangCFromB(agents: number, erlangs: number, b: number): number {
  if (erlangs >= agents) return 1;
  return (agents * b) / (agents - erlangs * (1 - b));
}

/** The probability that a caller has to wait (every agent busy when they arrive). */
export function erlangC(agents: number, erlangs: number): number {
  if (erlangs <= 0) return 0;
  return erlangCFromB(agents, erlangs, erlangB(agents, erlangs));
}

/** Share of calls answered within `targetSeconds`: 1 − C·e^(−(N−A)·T/AHT); 0 when the queue cannot settle. */
export function serviceLevel(agents: number, erlangs: number, averageHandleSeconds: number, targetSeconds: number): number {
  if (erlangs <= 0) return 1;
  if (erlangs >= agents) return 0;
  return serviceLevelFromC(erlangC(agents, erlangs), agents, erlangs, averageHandleSeconds, targetSeconds);
}

function serviceLevelFromC(c: number, agents: number, erlangs: number, aht: number, targetSeconds: number): number {
  if (erlangs >= agents) return 0;
  return 1 - c * Math.exp((-(agents - erlangs) * targetSeconds) / aht);
}

/** Average speed of answer (the mean wait of all callers, those answered at once included): C·AHT / (N − A). */
export function averageSpeedOfAnswer(agents: number, erlangs: number, averageHandleSeconds: number): number {
  if (erlangs <= 0) return 0;
  if (erlangs >= agents) return Infinity;
  return (erlangC(agents, erlangs) * averageHandleSeconds) / (agents - erlangs);
}

export interface StaffingTarget {
  erlangs: number;
  averageHandleSeconds: number;
  /** Answered within this many seconds counts toward the service level. */
  targetSeconds: number;
  /** The share to answer within targetSeconds, e.g. 0.8 for 80/20; below 1. */
  serviceLevel: number;
  /** Agents may not be busier than this share of their time (e.g. 0.85); optional. */
  maxOccupancy?: number;
}

/**
 * The fewest agents that answer `serviceLevel` of the calls within `targetSeconds` (and keep occupancy at or under
 * `maxOccupancy`). Walks N upward from the first stable value, carrying Erlang B along, so it is O(N) in all.
 */
export function agentsNeeded(t: StaffingTarget): number {
  if (!(t.serviceLevel > 0 && t.serviceLevel < 1)) throw new RangeError('serviceLevel must be between 0 and 1 (exclusive)');
  if (t.maxOccupancy !== undefined && !(t.maxOccupancy > 0 && t.maxOccupancy <= 1)) throw new RangeError('maxOccupancy must be in (0, 1]');
  if (!(t.averageHandleSeconds > 0) || !(t.targetSeconds >= 0)) throw new RangeError('averageHandleSeconds must be > 0 and targetSeconds >= 0');
  const a = t.erlangs;
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError('erlangs must be a finite number >= 0');
  if (a === 0) return 0;
  let n = Math.floor(a) + 1;
  if (t.maxOccupancy !== undefined) n = Math.max(n, Math.ceil(a / t.maxOccupancy - 1e-9));
  let b = erlangB(n, a);
  // The service level rises towards 1 as N grows past A, so this ends; the bound only guards against a bug.
  for (let guard = 0; guard < 1_000_000; guard++) {
    const sl = serviceLevelFromC(erlangCFromB(n, a, b), n, a, t.averageHandleSeconds, t.targetSeconds);
    if (sl >= t.serviceLevel) return n;
    n += 1;
    b = nextErlangB(b, n, a);
  }
  throw new Error('agentsNeeded did not converge');
}

/**
 * The model's expected wait of a caller already in line who needs `releases` more agents to come free (their place
 * after the callers ahead already being rung, less the agents idle now): with every one of the N agents busy, agents
 * come free one after another at N / AHT per second, so the k-th is expected after k·AHT / N. This is the Erlang C
 * waiting time given the caller's place; averaged over the places callers find, it is averageSpeedOfAnswer.
 */
export function expectedWaitInLine(releases: number, agents: number, averageHandleSeconds: number): number {
  if (agents < 1) return Infinity;
  return (Math.max(0, releases) * averageHandleSeconds) / agents;
}

function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError('agents must be a whole number >= 0');
}
