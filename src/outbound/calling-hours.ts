// Calling hours (pure): whether a moment is inside a daily window in the customer's own time zone, and when it next is.

export interface CallingHours {
  /** Minutes after local midnight when calling may start (540 = 09:00). */
  startMinute: number;
  /** Minutes after local midnight when calling must stop (1260 = 21:00); the window is [start, end). */
  endMinute: number;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA name this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function localParts(at: Date, timeZone: string): LocalParts {
  const p: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type in p) p[part.type as keyof LocalParts] = Number(part.value);
  }
  return p;
}

/**
 * UTC offsets by time zone and quarter hour: every modern offset change happens on a quarter hour (UTC), so one
 * formatToParts per zone and quarter serves every moment in it (the dialer asks for the same few zones all day).
 */
const offsets = new Map<string, number>();
const QUARTER_MS = 900_000;

/** The UTC offset of `timeZone` at `at`, in milliseconds (local = UTC + offset). */
function offsetMs(at: Date, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(at.getTime() / QUARTER_MS)}`;
  let o = offsets.get(key);
  if (o === undefined) {
    const p = localParts(at, timeZone);
    o = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, o);
  }
  return o;
}

/** The local calendar date and time of `at` in `timeZone`, from the cached offset. */
function wallClock(at: Date, timeZone: string): LocalParts {
  const d = new Date(at.getTime() + offsetMs(at, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** Seconds after local midnight of `at` in `timeZone`. */
export function localSecondOfDay(at: Date, timeZone: string): number {
  const local = Math.floor((at.getTime() + offsetMs(at, timeZone)) / 1000);
  return ((local % 86_400) + 86_400) % 86_400;
}

/** The local wall time of `at` in `timeZone`, e.g. `2026-11-30 09:05` (what the customer's clock shows). */
export function localDateTime(at: Date, timeZone: string): string {
  const p = wallClock(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

export function insideCallingHours(at: Date, timeZone: string, hours: CallingHours): boolean {
  const minute = Math.floor(localSecondOfDay(at, timeZone) / 60);
  return minute >= hours.startMinute && minute < hours.endMinute;
}

/**
 * The instants at which the local wall clock of `timeZone` reads `minute` on the local date y-m-d (m 1-12; d may
 * overflow): one, or, around a daylight-saving change, the two readings of the offset before and after it.
 */
function zonedInstants(year: number, month: number, day: number, minute: number, timeZone: string): Date[] {
  const wall = Date.UTC(year, month - 1, day, 0, minute);
  const first = wall - offsetMs(new Date(wall), timeZone);
  const second = wall - offsetMs(new Date(first), timeZone);
  return first === second ? [new Date(first)] : [new Date(Math.min(first, second)), new Date(Math.max(first, second))];
}

/**
 * `at` itself when it is inside the calling hours, otherwise the next local start of the window. Computed on the local
 * calendar, so a night that is 23 or 25 hours long (a daylight-saving change) still opens at the window's start, and a
 * start inside the hour the clocks skip opens just after the jump.
 */
export function nextCallingTime(at: Date, timeZone: string, hours: CallingHours): Date {
  if (insideCallingHours(at, timeZone, hours)) return at;
  const p = wallClock(at, timeZone);
  const beforeStart = p.hour * 60 + p.minute < hours.startMinute;
  const first = beforeStart ? p.day : p.day + 1;
  for (let day = first; day < first + 3; day++) {
    for (const t of zonedInstants(p.year, p.month, day, hours.startMinute, timeZone)) {
      if (t.getTime() > at.getTime() && insideCallingHours(t, timeZone, hours)) return t;
    }
  }
  return zonedInstants(p.year, p.month, first, hours.startMinute, timeZone)[0];
}

/** "09:00" → 540; undefined when it is not a time of day HH:MM. */
export function minuteOfDay(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : hhmm === '24:00' ? 1440 : undefined;
}

/** 540 → "09:00". */
export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
