// Work order numbers: `WO`, the center's calendar day (yyyymmdd), and that day's sequence, at least four digits.

export const WORK_ORDER_PREFIX = 'WO';

/** The calendar day of `at` in `timeZone`, as yyyymmdd. */
export function workOrderDay(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return part('year') + part('month') + part('day');
}

/** `WO20261120` + `0007`; a day with more than 9,999 work orders simply gets longer numbers. */
export function workOrderNumber(day: string, sequence: number): string {
  if (!/^\d{8}$/.test(day)) throw new RangeError(`day must be yyyymmdd, got ${day}`);
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  return WORK_ORDER_PREFIX + day + String(sequence).padStart(4, '0');
}
