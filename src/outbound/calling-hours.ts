// Calling hours (pure): whether a moment is inside a daily window in the customer's own time zone, and when it next is.

export interface CallingHours {
  /** Minutes after local midnight when calling may start (540 = 09:00). */
  startMinute: number;
  /** Minutes after local midnight when calling must stop (1260 = 21:00); the window is [start, end). */
  endMinute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Seconds after local midnight of `at` in `timeZone`. */
export function localSecondOfDay(at: Date, timeZone: string): number {
  let h = 0;
  let m = 0;
  let s = 0;
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
    else if (p.type === 'second') s = Number(p.value);
  }
  return h * 3600 + m * 60 + s;
}

export function insideCallingHours(at: Date, timeZone: string, hours: CallingHours): boolean {
  const minute = Math.floor(localSecondOfDay(at, timeZone) / 60);
  return minute >= hours.startMinute && minute < hours.endMinute;
}

/**
 * `at` itself when it is inside the calling hours, otherwise the next local start of the window (the whole second
 * the window opens). A daylight-saving jump is corrected by checking the answer again.
 */
export function nextCallingTime(at: Date, timeZone: string, hours: CallingHours): Date {
  let t = at;
  for (let i = 0; i < 3; i++) {
    if (insideCallingHours(t, timeZone, hours)) return t;
    const second = localSecondOfDay(t, timeZone);
    const start = hours.startMinute * 60;
    const wait = second < start ? start - second : 86_400 - second + start;
    t = new Date(Math.floor(t.getTime() / 1000) * 1000 + wait * 1000);
  }
  return t;
}
