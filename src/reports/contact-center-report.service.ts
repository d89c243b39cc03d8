// The contact-center report: who may read which figures, and each interval's figures from the rollup where it is
// rolled up and computed live from the event logs after that (the open intervals).
import type { Principal } from '../auth/auth.service';
import type { ReportDimension } from '../db/schema/reports';
import { Busy, Forbidden, Invalid } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import { addComponents, emptyComponents, figuresOf, rollUp, type Components, type Figures } from './contact-center-figures';
import type { ContactCenterRepo } from './contact-center.repo';
import { intervalEnd, intervalStart, isQuarter, QUARTER_MS, quarterOf, type ReportInterval } from './report-intervals';

export interface ReportQuery {
  from: Date;
  to: Date;
  interval: ReportInterval;
  groupBy: ReportDimension;
}

export interface ReportRow extends Figures {
  intervalStart: string;
  intervalEnd: string;
  key: string;
  name: string | null;
}

export interface TotalRow extends Figures {
  key: string;
  name: string | null;
}

export interface ContactCenterReport {
  from: string;
  to: string;
  timeZone: string;
  interval: ReportInterval;
  groupBy: ReportDimension;
  /** Intervals before this came from the rollup; the rest were computed live. null: all live. */
  rolledThrough: string | null;
  rows: ReportRow[];
  /** Each group over the whole range. */
  totals: TotalRow[];
}

/** Ids in numeric order, names in code-point order, ids before names (`none`): cheaper than a locale collation. */
function byKey(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  if (Number.isFinite(x) !== Number.isFinite(y)) return Number.isFinite(x) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The longest stretch a request computes live from the event logs (the rest must come from the rollup). */
const MAX_LIVE_MS = 2 * 86_400_000;

/** The longest range one request may ask for. */
const MAX_RANGE_MS = 400 * 86_400_000;

export class ContactCenterReports {
  constructor(private readonly d: { repo: ContactCenterRepo; clock: Clock; timeZone: string }) {}

  /** `live` computes every interval from the event logs, ignoring the rollup (the rollup's check, and a recompute). */
  report(actor: Pick<Principal, 'role' | 'teamId'>, q: ReportQuery, o: { live?: boolean } = {}): ContactCenterReport {
    const keys = this.scope(actor, q.groupBy);
    const from = q.from.getTime();
    const to = q.to.getTime();
    if (!(to > from)) throw new Invalid('to must be after from');
    if (!isQuarter(from) || !isQuarter(to)) throw new Invalid('from and to must fall on a 15-minute boundary (e.g. 2026-11-23 or 2026-11-23T09:15:00+08:00)');
    if (to - from > MAX_RANGE_MS) throw new Invalid('the range may not be longer than 400 days');
    const tz = this.d.timeZone;
    const allowed = keys ? new Set(keys) : undefined;

    const sums = new Map<string, { start: number; key: string; c: Components }>();
    /** Adds `c` to the group's interval; `c` is taken over (not copied) when it is the first: callers pass fresh sums. */
    const merge = (start: number, key: string, c: Components) => {
      const id = `${start}|${key}`;
      const known = sums.get(id);
      if (known) addComponents(known.c, c);
      else sums.set(id, { start, key, c });
    };

    const rolledThrough = o.live ? 0 : this.d.repo.rolledThrough();
    const split = Math.min(Math.max(rolledThrough, from), to);
    const starts = new Map<number, number>();
    /** The report interval a 15-minute interval belongs to. */
    const bucket = (quarter: number) => {
      let start = starts.get(quarter);
      if (start === undefined) starts.set(quarter, (start = intervalStart(quarter, q.interval, tz)));
      return start;
    };
    const quarters = (a: number, b: number) => {
      if (a < b) for (const r of this.d.repo.rolled(q.groupBy, '15m', a, b, keys)) merge(bucket(r.start), r.key, r.c);
    };
    if (split > from) {
      // Whole hours or days from their own rollup rows; a partial one at either end from its 15-minute rows.
      const first = intervalStart(from, q.interval, tz) === from ? from : intervalEnd(intervalStart(from, q.interval, tz), q.interval, tz);
      const last = intervalStart(split, q.interval, tz);
      if (q.interval === '15m' || last <= first) quarters(from, split);
      else {
        quarters(from, first);
        for (const r of this.d.repo.rolled(q.groupBy, q.interval, first, last, keys)) merge(r.start, r.key, r.c);
        quarters(last, split);
      }
    }
    // Nothing is logged after now: the live part ends with the interval now is in.
    const now = this.d.clock.now().getTime();
    const liveTo = Math.min(to, quarterOf(now) + QUARTER_MS);
    if (split < liveTo) {
      // Days of events computed live would hold up the web process: that is the rollup's work (behind after an outage).
      if (!o.live && liveTo - split > MAX_LIVE_MS) throw new Busy(900, `The figures from ${new Date(split).toISOString()} on are not rolled up yet (the rollup runs every 15 minutes); try again shortly, or ask for a shorter range`);
      for (const cell of rollUp(this.d.repo.rows(split, liveTo, now)).values()) {
        if (cell.dimension !== q.groupBy || (allowed && !allowed.has(cell.key))) continue;
        merge(bucket(cell.intervalStart), cell.key, cell.c);
      }
    }

    const names = this.d.repo.names();
    const nameOf = (key: string) => {
      if (q.groupBy === 'team' && key !== 'none') return names.teams.get(Number(key)) ?? null;
      if (q.groupBy === 'agent' && key !== 'none') return names.staff.get(Number(key)) ?? null;
      return null;
    };
    const cells = [...sums.values()].sort((a, b) => a.start - b.start || byKey(a.key, b.key));
    const totals = new Map<string, Components>();
    for (const s of cells) addComponents(totals.get(s.key) ?? totals.set(s.key, emptyComponents()).get(s.key)!, s.c);
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      timeZone: tz,
      interval: q.interval,
      groupBy: q.groupBy,
      rolledThrough: split > from ? new Date(split).toISOString() : null,
      rows: cells.map((s) => ({
        intervalStart: new Date(s.start).toISOString(),
        intervalEnd: new Date(intervalEnd(s.start, q.interval, tz)).toISOString(),
        key: s.key,
        name: nameOf(s.key),
        ...figuresOf(s.c),
      })),
      totals: [...totals].sort(([a], [b]) => byKey(a, b)).map(([key, c]) => ({ key, name: nameOf(key), ...figuresOf(c) })),
    };
  }

  /** The keys the actor may see (undefined: all); team leads their own team and its agents. */
  private scope(actor: Pick<Principal, 'role' | 'teamId'>, groupBy: ReportDimension): string[] | undefined {
    if (actor.role === 'supervisor' || actor.role === 'dispatcher') return undefined;
    if (actor.role !== 'team_lead') throw new Forbidden('The contact-center figures are for supervisors, dispatchers and team leads');
    if (actor.teamId === null || actor.teamId === undefined) throw new Forbidden('You lead no team, so there are no figures of yours to see');
    if (groupBy === 'team') return [String(actor.teamId)];
    if (groupBy === 'agent') return this.d.repo.teamMembers(actor.teamId).map(String);
    throw new Forbidden('A team lead sees their team\'s figures: group by team or agent');
  }
}
