// hours: branches on whether the center is open now (weekly calendar, holidays, in the center's time zone).
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { isOpen } from '../business-hours';
import { nodeRef } from './common';

const range = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must be a range like 09:00-21:00');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-10-01');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const schema = z
  .object({
    type: z.literal('hours'),
    weekly: z.partialRecord(weekday, z.array(range)),
    holidays: z.array(date).optional(),
    workdays: z.record(date, weekday).optional(),
    open: nodeRef,
    closed: nodeRef,
  })
  .strict();
export type HoursNode = z.infer<typeof schema>;

export const hours: NodeType<HoursNode> = {
  schema,
  targets: (n) => [n.open, n.closed],
  run(n, ctx) {
    const pinned = ctx.engine.hours === 'open' || ctx.engine.hours === 'closed' ? ctx.engine.hours : undefined;
    const open = pinned ? pinned === 'open' : isOpenCached(n, ctx.engine.now, ctx.engine.timeZone);
    return { next: open ? n.open : n.closed, outcome: `${open ? 'open' : 'closed'}${pinned ? ' (pinned)' : ''}` };
  },
};

/** Since 1980 every time zone's offset is whole minutes, so the answer holds for the whole UTC minute. */
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1980, 0, 1);
const lastAnswer = new WeakMap<HoursNode, { timeZone: string; minute: number; open: boolean }>();

/** isOpen, remembered per node for the current minute: reading the calendar in a time zone (Intl) is the dear part. */
function isOpenCached(n: HoursNode, now: Date, timeZone: string): boolean {
  const t = now.getTime();
  if (!(t >= WHOLE_MINUTE_OFFSETS_SINCE)) return isOpen(n, now, timeZone);
  const minute = Math.floor(t / 60_000);
  const last = lastAnswer.get(n);
  if (last && last.minute === minute && last.timeZone === timeZone) return last.open;
  const open = isOpen(n, now, timeZone);
  lastAnswer.set(n, { timeZone, minute, open });
  return open;
}
