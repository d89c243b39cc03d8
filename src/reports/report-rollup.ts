// The rollup of closed 15-minute intervals into report_rollups (a bull repeatable job), so a month's report reads sums
// instead of a month of event logs. Every run also recomputes the last 73 hours: first-contact resolution looks 72
// hours ahead, and a wrap-up or a late-closing record can change an interval after it closed.
import type { Clock } from '../ivr/ivr-call.service';
import { FIGURE_RULES, rollUp, type Cell } from './contact-center-figures';
import type { ContactCenterRepo } from './contact-center.repo';
import { intervalEnd, intervalStart, QUARTER_MS, quarterOf } from './report-intervals';

/** Every 15 minutes, a minute after each interval closes (webhooks of its last seconds are in by then). */
export const REPORT_ROLLUP = { queue: 'reports', name: 'rollup', cron: '1,16,31,46 * * * *' } as const;

/** How far back every run recomputes: the FCR window plus an hour, on a 15-minute boundary. */
export const RECOMPUTE_MS = Math.ceil((FIGURE_RULES.fcrWindowMs + 3_600_000) / QUARTER_MS) * QUARTER_MS;

export class ReportRollup {
  constructor(private readonly d: { repo: ContactCenterRepo; clock: Clock; timeZone: string }) {}

  /** Rolls up every closed interval not yet rolled up, and the last 73 hours again; returns the range rewritten. */
  async run(): Promise<{ from: string; to: string; chunks: number } | null> {
    const now = this.d.clock.now();
    const end = quarterOf(now.getTime());
    const rolled = this.d.repo.rolledThrough();
    const first = rolled > 0 ? rolled : this.d.repo.firstEventAt();
    if (first === null) return null;
    // Whole local days, so each day's sums are rewritten with all of its quarters; an hour at a time, with the event
    // loop free in between (the workers may share the web process).
    const start = intervalStart(Math.min(quarterOf(first), end - RECOMPUTE_MS), 'day', this.d.timeZone);
    let chunks = 0;
    for (let a = start; a < end; a = intervalEnd(a, 'day', this.d.timeZone)) {
      const dayEnd = intervalEnd(a, 'day', this.d.timeZone);
      const whole = dayEnd <= end;
      const dayCells: Cell[] = [];
      for (let h = a; h < Math.min(dayEnd, end); ) {
        const next = Math.min(dayEnd, end, h + 3_600_000);
        const cells = [...rollUp(this.d.repo.rows(h, next, now.getTime())).values()];
        if (whole) dayCells.push(...cells);
        this.d.repo.replaceRollup(h, next, cells, this.d.timeZone, now, whole && next === dayEnd ? { start: a, cells: dayCells } : undefined);
        chunks += 1;
        h = next;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), chunks };
  }
}
