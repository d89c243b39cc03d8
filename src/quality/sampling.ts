// Which stored calls go on the quality work list for a week: every complaint call, every call flagged by the audio
// analysis, calls far shorter or longer than their desk's usual, and N random calls per agent (seeded, so the same
// week always draws the same calls). Pure: the service gives it the week's candidate rows.
import { mulberry32 } from '../db/seed/mulberry32';

export type SampleReason = 'complaint' | 'flagged' | 'outlier' | 'random';

export interface SampleCandidate {
  recordingId: number;
  agentId: number;
  desk: string | null;
  durationSeconds: number | null;
  flags: readonly string[];
  /** A work order on the call is a complaint (or its disposition marks one). */
  complaint: boolean;
}

export interface SamplingRules {
  /** Random calls per agent and week. @default 3 */
  perAgent: number;
  /** Shorter than this share of the desk's median duration is an outlier. @default 0.25 */
  shortRatio: number;
  /** Longer than this multiple of the desk's median duration is an outlier. @default 3 */
  longRatio: number;
  /** A desk needs this many calls in the week before its median means anything. @default 5 */
  minDeskCalls: number;
}

export const DEFAULT_SAMPLING_RULES: SamplingRules = { perAgent: 3, shortRatio: 0.25, longRatio: 3, minDeskCalls: 5 };

export interface SamplePick {
  recordingId: number;
  reason: SampleReason;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A 32-bit seed from the period's name (FNV-1a), so each week draws its own calls, and the same ones every run. */
export function periodSeed(period: string, salt = 0): number {
  let h = 0x811c9dc5 ^ salt;
  for (let i = 0; i < period.length; i++) h = Math.imul(h ^ period.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Picks the week's calls. `already` are recordings already on the list for the period (with their reason): they are
 * not picked again, and their random picks count against the agent's quota, so a rerun adds nothing new for calls
 * already seen and never more than `perAgent` random calls in all.
 */
export function selectSample(candidates: readonly SampleCandidate[], o: { period: string; rules?: Partial<SamplingRules>; seed?: number; already?: readonly SamplePick[] }): SamplePick[] {
  const rules = { ...DEFAULT_SAMPLING_RULES, ...o.rules };
  const taken = new Set((o.already ?? []).map((p) => p.recordingId));
  const picks: SamplePick[] = [];
  const pick = (c: SampleCandidate, reason: SampleReason) => {
    taken.add(c.recordingId);
    picks.push({ recordingId: c.recordingId, reason });
  };
  const sorted = [...candidates].sort((a, b) => a.recordingId - b.recordingId);

  const medians = new Map<string, number>();
  const byDesk = new Map<string, number[]>();
  for (const c of sorted) if (c.durationSeconds !== null) byDesk.set(c.desk ?? '', [...(byDesk.get(c.desk ?? '') ?? []), c.durationSeconds]);
  for (const [desk, durations] of byDesk) if (durations.length >= rules.minDeskCalls) medians.set(desk, median(durations));

  for (const c of sorted) {
    if (taken.has(c.recordingId)) continue;
    if (c.complaint) pick(c, 'complaint');
    else if (c.flags.length > 0) pick(c, 'flagged');
    else if (isOutlier(c, medians.get(c.desk ?? ''), rules)) pick(c, 'outlier');
  }

  const randomSoFar = new Map<number, number>();
  const agentOf = new Map(candidates.map((c) => [c.recordingId, c.agentId]));
  for (const p of o.already ?? []) {
    const agent = agentOf.get(p.recordingId);
    if (p.reason === 'random' && agent !== undefined) randomSoFar.set(agent, (randomSoFar.get(agent) ?? 0) + 1);
  }
  const agents = [...new Set(sorted.map((c) => c.agentId))].sort((a, b) => a - b);
  for (const agent of agents) {
    const quota = rules.perAgent - (randomSoFar.get(agent) ?? 0);
    if (quota <= 0) continue;
    const pool = sorted.filter((c) => c.agentId === agent && !taken.has(c.recordingId));
    // Fisher–Yates with a generator seeded by the period and the agent: the same draw on every run of the week.
    const random = mulberry32(periodSeed(o.period, (o.seed ?? 0) ^ agent));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    for (const c of pool.slice(0, quota)) pick(c, 'random');
  }
  return picks;
}

function isOutlier(c: SampleCandidate, deskMedian: number | undefined, rules: SamplingRules): boolean {
  if (deskMedian === undefined || c.durationSeconds === null || deskMedian <= 0) return false;
  return c.durationSeconds < rules.shortRatio * deskMedian || c.durationSeconds > rules.longRatio * deskMedian;
}

// ISO weeks in the center's time zone: a week runs from Monday 00:00 to the next Monday 00:00 local time.

function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)!.value);
  return { y: n('year'), m: n('month'), d: n('day'), hh: n('hour'), mm: n('minute'), ss: n('second') };
}

/** The instant of local midnight starting the calendar day y-m-d in `timeZone`. */
export function localMidnight(y: number, m: number, d: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d);
  let at = wall;
  // Two rounds settle the offset, also across a daylight-saving change.
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(at), timeZone);
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - at;
    at = wall - offset;
  }
  return new Date(at);
}

/** The ISO week of `at` in `timeZone`, as `2026-W48`. */
export function isoWeek(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const day = new Date(Date.UTC(p.y, p.m - 1, p.d));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export const PERIOD_PATTERN = /^(\d{4})-W(\d{2})$/;

/** The start (Monday 00:00 local) and end (next Monday 00:00 local) of an ISO week; undefined for a malformed one. */
export function weekRange(period: string, timeZone: string): { from: Date; to: Date } | undefined {
  const match = PERIOD_PATTERN.exec(period);
  if (!match) return undefined;
  const year = Number(match[1]);
  const week = Number(match[2]);
  // Week 1 holds 4 January; its Monday starts the ISO year.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86_400_000 + (week - 1) * 7 * 86_400_000);
  if (week < 1 || isoWeek(new Date(monday.getTime() + 12 * 3_600_000), 'UTC') !== period) return undefined;
  const next = new Date(monday.getTime() + 7 * 86_400_000);
  return {
    from: localMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), timeZone),
    to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}

/** The week before the one `at` falls in (what the weekly job samples, run just after a week ends). */
export function previousWeek(at: Date, timeZone: string): string {
  const range = weekRange(isoWeek(at, timeZone), timeZone)!;
  return isoWeek(new Date(range.from.getTime() - 3_600_000), timeZone);
}
