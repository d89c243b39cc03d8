// Business hours: a weekly calendar with holidays and extra working days, read in the center's time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How the hotline's hours are decided: by each flow's calendar, or pinned open or closed (demos, tests, emergencies). */
export type HoursMode = 'calendar' | 'open' | 'closed';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Calendar {
  /** Opening ranges per weekday, "09:00-21:00". A day not listed is closed. */
  weekly: Partial<Record<Weekday, string[]>>;
  /** Dates (YYYY-MM-DD) closed all day. */
  holidays?: string[];
  /** Dates open with the given weekday's hours, e.g. a weekend made a working day (调休). */
  workdays?: Record<string, Weekday>;
}

/** The wall-clock date, weekday and minute of day at `now` in `timeZone`. */
export function localTime(now: Date, timeZone: string): { date: string; weekday: Weekday; minutes: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(now)) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday.toLowerCase().slice(0, 3) as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

export function isOpen(calendar: Calendar, now: Date, timeZone: string): boolean {
  const t = localTime(now, timeZone);
  if (calendar.holidays?.includes(t.date)) return false;
  const day = calendar.workdays?.[t.date] ?? t.weekday;
  return (calendar.weekly[day] ?? []).some((range) => {
    const [from, to] = range.split('-').map(toMinutes);
    return t.minutes >= from && t.minutes < to;
  });
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
