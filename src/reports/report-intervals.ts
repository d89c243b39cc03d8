// The report's intervals: 15 minutes, the local hour and the local day in the center's time zone (epoch ms starts).
export const REPORT_INTERVALS = ['15m', 'hour', 'day'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

export const QUARTER_MS = 15 * 60_000;

/** The 15-minute interval holding `t`: the same in every time zone (all offsets are whole quarters of an hour). */
export const quarterOf = (t: number) => Math.floor(t / QUARTER_MS) * QUARTER_MS;

export const isQuarter = (t: number) => t % QUARTER_MS === 0;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets per zone and 15-minute interval: zones change offset only on quarter-hour boundaries, and Intl is slow. */
const offsets = new Map<string, Map<number, number>>();

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at `t`. */
export function zoneOffset(t: number, timeZone: string): number {
  let known = offsets.get(timeZone);
  if (!known) offsets.set(timeZone, (known = new Map()));
  const q = quarterOf(t);
  const cached = known.get(q);
  if (cached !== undefined) return cached;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(q))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - q;
  if (known.size > 200_000) known.clear();
  known.set(q, offset);
  return offset;
}

/** The start of the local hour or day holding `t` (the 15-minute interval for '15m'). */
export function intervalStart(t: number, interval: ReportInterval, timeZone: string): number {
  if (interval === '15m') return quarterOf(t);
  const unit = interval === 'hour' ? 3_600_000 : 86_400_000;
  const offset = zoneOffset(t, timeZone);
  const wallStart = Math.floor((t + offset) / unit) * unit;
  // Settled with the offset at the start itself (a daylight-saving change inside the day).
  return wallStart - zoneOffset(wallStart - offset, timeZone);
}

/** The start of the next interval after the one starting at `start`. */
export function intervalEnd(start: number, interval: ReportInterval, timeZone: string): number {
  if (interval === '15m') return start + QUARTER_MS;
  if (interval === 'hour') return start + 3_600_000;
  // A local day lasts 23 to 25 hours: 26 hours on is inside the next one.
  return intervalStart(start + 26 * 3_600_000, 'day', timeZone);
}
