// When a floor alert is raised and cleared (pure): separate raise and clear levels plus a hold time, so it never flaps.
import type { AlertKind } from '../db/schema/index';

export type { AlertKind };

/** Whether a kind fires when its reading goes over the raise level or under it. */
export const ALERT_DIRECTION: Record<AlertKind, 'over' | 'under'> = {
  longest_wait: 'over',
  service_level: 'under',
  agents_available: 'under',
  wrap_up_too_long: 'over',
  break_too_long: 'over',
  abandon_rate: 'over',
};

/** What each kind reads, for messages and docs. */
export const ALERT_UNITS: Record<AlertKind, string> = {
  longest_wait: 's',
  service_level: '%',
  agents_available: 'agents',
  wrap_up_too_long: 's',
  break_too_long: 's',
  abandon_rate: '%',
};

export interface AlertSetting {
  kind: AlertKind;
  enabled: boolean;
  /** "over" kinds raise when the reading is above this; "under" kinds when it is below. */
  raiseAt: number;
  /** "over" kinds clear at or below this (lower than raiseAt); "under" kinds at or above it (higher than raiseAt). */
  clearAt: number;
  /** The raise (or clear) condition must hold this long, without a break, before the alert changes. */
  holdSeconds: number;
  /** Rate kinds need this many calls in their window to be judged (fewer reads as no reading). */
  minCalls: number;
}

/** The thresholds of a center that has set none: the three-ring service level, a minute's wait, 10% abandons. */
export const DEFAULT_ALERT_SETTINGS: Readonly<Record<AlertKind, AlertSetting>> = {
  longest_wait: { kind: 'longest_wait', enabled: true, raiseAt: 60, clearAt: 30, holdSeconds: 5, minCalls: 0 },
  service_level: { kind: 'service_level', enabled: true, raiseAt: 80, clearAt: 85, holdSeconds: 30, minCalls: 10 },
  agents_available: { kind: 'agents_available', enabled: true, raiseAt: 1, clearAt: 2, holdSeconds: 15, minCalls: 0 },
  wrap_up_too_long: { kind: 'wrap_up_too_long', enabled: true, raiseAt: 120, clearAt: 120, holdSeconds: 0, minCalls: 0 },
  break_too_long: { kind: 'break_too_long', enabled: true, raiseAt: 900, clearAt: 900, holdSeconds: 0, minCalls: 0 },
  abandon_rate: { kind: 'abandon_rate', enabled: true, raiseAt: 10, clearAt: 7, holdSeconds: 30, minCalls: 10 },
};

/** Every problem with a setting: the clear level on the right side of the raise level (or equal with a hold time). */
export function alertSettingProblems(s: AlertSetting): string[] {
  const problems: string[] = [];
  const dir = ALERT_DIRECTION[s.kind];
  if (!Number.isFinite(s.raiseAt) || s.raiseAt < 0) problems.push('raiseAt: a number >= 0');
  if (!Number.isFinite(s.clearAt) || s.clearAt < 0) problems.push('clearAt: a number >= 0');
  if ((s.kind === 'service_level' || s.kind === 'abandon_rate') && (s.raiseAt > 100 || s.clearAt > 100)) problems.push('raiseAt, clearAt: percentages from 0 to 100');
  const wrongSide = dir === 'over' ? s.clearAt > s.raiseAt : s.clearAt < s.raiseAt;
  if (wrongSide) problems.push(`clearAt: must be ${dir === 'over' ? 'at or below' : 'at or above'} raiseAt for ${s.kind} (an alert over the level clears back under it)`);
  // An agent's state alert clears when the agent leaves the state: equal levels cannot flap there (the time only grows).
  const agentKind = s.kind === 'wrap_up_too_long' || s.kind === 'break_too_long';
  if (!agentKind && s.clearAt === s.raiseAt && s.holdSeconds === 0) problems.push('clearAt: must differ from raiseAt, or holdSeconds be > 0, so the alert cannot flap');
  if (!Number.isInteger(s.holdSeconds) || s.holdSeconds < 0 || s.holdSeconds > 3600) problems.push('holdSeconds: a whole number from 0 to 3600');
  if (!Number.isInteger(s.minCalls) || s.minCalls < 0 || s.minCalls > 10_000) problems.push('minCalls: a whole number from 0 to 10000');
  return problems;
}

/** One figure the rules judge: `value` undefined means no reading (the agent left the state, too few calls, desk closed). */
export interface Reading {
  kind: AlertKind;
  /** A queue name, a desk, or `agent:<id>`. */
  subject: string;
  value: number | undefined;
  agentId?: number;
  teamId?: number | null;
  /** Who or what, for the message: the queue, the desk, the agent's name. */
  label: string;
}

/** Where one (kind, subject) stands between ticks; rebuilt from the active alerts after a restart. */
export interface AlertTrack {
  active: boolean;
  /** Since when (ms) the condition that would change `active` has held without a break. */
  pendingSince?: number;
}

export interface AlertChange {
  change: 'raised' | 'cleared';
  reading: Reading;
  /** The reading's value; for a clear by no reading, undefined. */
  value: number | undefined;
  setting: AlertSetting;
}

export const alertKey = (kind: AlertKind, subject: string) => `${kind}|${subject}`;

function crossed(s: AlertSetting, v: number | undefined): boolean {
  if (v === undefined) return false;
  return ALERT_DIRECTION[s.kind] === 'over' ? v > s.raiseAt : v < s.raiseAt;
}

function clear(s: AlertSetting, v: number | undefined): boolean {
  if (v === undefined) return true;
  return ALERT_DIRECTION[s.kind] === 'over' ? v <= s.clearAt : v >= s.clearAt;
}

/**
 * Judges this tick's readings against the settings and each subject's track (updated in place), returning the
 * alerts raised and cleared now. A reading missing from `readings` for an active alert counts as no reading (it
 * clears): the queue, desk or agent is gone from the floor. A disabled kind clears its active alerts at once.
 */
export function evaluateAlerts(readings: readonly Reading[], settings: Readonly<Record<AlertKind, AlertSetting>>, tracks: Map<string, AlertTrack>, nowMs: number): AlertChange[] {
  const changes: AlertChange[] = [];
  const seen = new Set<string>();
  const judge = (reading: Reading) => {
    const key = alertKey(reading.kind, reading.subject);
    seen.add(key);
    const s = settings[reading.kind];
    const track = tracks.get(key) ?? { active: false };
    if (!s.enabled) {
      if (track.active) changes.push({ change: 'cleared', reading, value: reading.value, setting: s });
      tracks.delete(key);
      return;
    }
    const wants = track.active ? clear(s, reading.value) : crossed(s, reading.value);
    if (!wants) {
      if (track.active) tracks.set(key, { active: true });
      else tracks.delete(key);
      return;
    }
    const since = track.pendingSince ?? nowMs;
    if (nowMs - since >= s.holdSeconds * 1000) {
      changes.push({ change: track.active ? 'cleared' : 'raised', reading, value: reading.value, setting: s });
      if (track.active) tracks.delete(key);
      else tracks.set(key, { active: true });
    } else tracks.set(key, { active: track.active, pendingSince: since });
  };
  for (const r of readings) judge(r);
  for (const [key, track] of tracks) {
    if (seen.has(key)) continue;
    const [kind, ...rest] = key.split('|');
    if (!track.active) {
      tracks.delete(key);
      continue;
    }
    judge({ kind: kind as AlertKind, subject: rest.join('|'), value: undefined, label: rest.join('|') });
  }
  return changes;
}

/** The line a dispatcher reads: "front-general: longest wait 75 s (over 60 s)". */
export function alertMessage(c: Pick<AlertChange, 'change' | 'reading' | 'value' | 'setting'>): string {
  const { kind, label } = c.reading;
  const unit = ALERT_UNITS[kind];
  const fmt = (n: number) => `${Math.round(n * 10) / 10}${unit === 'agents' ? '' : unit === '%' ? '%' : ' s'}`;
  const what: Record<AlertKind, string> = {
    longest_wait: 'longest wait',
    service_level: 'service level (30 min)',
    agents_available: 'agents available',
    wrap_up_too_long: 'in wrap-up for',
    break_too_long: 'on break for',
    abandon_rate: 'abandon rate (15 min)',
  };
  const value = c.value === undefined ? 'no reading' : fmt(c.value);
  const level = c.change === 'raised' ? `${ALERT_DIRECTION[kind] === 'over' ? 'over' : 'under'} ${fmt(c.setting.raiseAt)}` : `back to ${fmt(c.setting.clearAt)}`;
  return `${label}: ${what[kind]} ${value} (${level})`;
}
