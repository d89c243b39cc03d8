// The staffing report: per queue (and per desk, whose agents the queues share) and 15-minute interval, the calls
// offered and their handling time, the agents staffed, and the agents Erlang C says the service-level target needs.
import type { AgentStateName } from '../db/schema/index';
import { Invalid, NotFound } from '../errors/domain-errors';
import { DEFAULT_HANDLE_SECONDS } from '../acd/routing-policy';
import { agentsNeeded, trafficIntensity } from './erlang-c';
import type { DeskAgent, Desk, StaffingRepo, StateChange } from './staffing.repo';

export const INTERVAL_MS = 15 * 60_000;
export const DESKS: readonly Desk[] = ['front', 'middle', 'back'];

/** Signed in and taking calls: what "staffed" counts (a break, offline or a missed offer does not). */
export const STAFFED_STATES: ReadonlySet<AgentStateName> = new Set(['available', 'reserved', 'on_call', 'wrap_up']);

export interface QueueRules {
  name: string;
  desk: Desk;
  serviceLevelSeconds: number;
  wrapUpSeconds: number;
}

export interface StaffingQuery {
  from: Date;
  to: Date;
  queue?: string;
  /** Share of calls to answer within the queue's service-level seconds; default the service's (0.8). */
  serviceLevel?: number;
  /** Cap on the agents' occupancy when sizing (e.g. 0.85); none by default. */
  maxOccupancy?: number;
}

export interface StaffingRow {
  scope: 'queue' | 'desk';
  /** The queue's name, or the desk's for a desk row. */
  name: string;
  desk: Desk;
  intervalStart: string;
  intervalEnd: string;
  offered: number;
  handled: number;
  /** Talk plus the queue's wrap-up, seconds; null when nothing was handled and there is nothing to borrow. */
  averageHandleSeconds: number | null;
  /** Where the handling time comes from: this interval, the whole report range, or the default (180 s). */
  handleTimeFrom: 'interval' | 'range' | 'default' | null;
  erlangs: number;
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  /** Time-weighted mean of the desk's agents in a staffed state during the interval. */
  staffed: number;
  needed: number;
  /** staffed − needed: negative is short. */
  difference: number;
}

export interface StaffingReport {
  from: string;
  to: string;
  intervalMinutes: number;
  serviceLevelTarget: number;
  maxOccupancy: number | null;
  rows: StaffingRow[];
}

export const STAFFING_COLUMNS = [
  'scope',
  'name',
  'desk',
  'intervalStart',
  'intervalEnd',
  'offered',
  'handled',
  'averageHandleSeconds',
  'handleTimeFrom',
  'erlangs',
  'serviceLevelSeconds',
  'serviceLevelTarget',
  'staffed',
  'needed',
  'difference',
] as const satisfies readonly (keyof StaffingRow)[];

export interface StaffingOptions {
  /** The service-level target (share answered within the queue's seconds) when the query gives none. @default 0.8 */
  serviceLevelTarget?: number;
  /** The longest range one report may cover. @default 31 days */
  maxRangeDays?: number;
}

/**
 * Agent-seconds in a staffed state per interval, from each agent's state at `from` and their changes up to `to`:
 * the state at `from` is the last change before it, else the first change's `from`, else the agent's state now.
 */
export function staffedSecondsPerInterval(agents: readonly DeskAgent[], changes: readonly StateChange[], from: number, to: number, intervalMs: number): number[] {
  const slots = new Array<number>(Math.ceil((to - from) / intervalMs)).fill(0);
  const add = (start: number, end: number) => {
    for (let t = Math.max(start, from); t < Math.min(end, to); ) {
      const i = Math.floor((t - from) / intervalMs);
      const slotEnd = Math.min(from + (i + 1) * intervalMs, end, to);
      slots[i] += (slotEnd - t) / 1000;
      t = slotEnd;
    }
  };
  const byAgent = new Map<number, StateChange[]>();
  for (const c of changes) byAgent.set(c.staffId, [...(byAgent.get(c.staffId) ?? []), c]);
  for (const a of agents) {
    const own = byAgent.get(a.staffId) ?? [];
    const before = own.filter((c) => c.at < from);
    const within = own.filter((c) => c.at >= from);
    let state: AgentStateName = before.length ? before[before.length - 1].to : within.length ? within[0].from : a.state;
    let since = from;
    for (const c of within) {
      if (STAFFED_STATES.has(state)) add(since, c.at);
      state = c.to;
      since = c.at;
    }
    if (STAFFED_STATES.has(state)) add(since, to);
  }
  return slots;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

export class StaffingService {
  private readonly target: number;
  private readonly maxRangeMs: number;

  constructor(
    private readonly d: {
      repo: StaffingRepo;
      rules: { get(queue: string): QueueRules; find(queue: string): QueueRules | undefined; list(): QueueRules[] };
      options?: StaffingOptions;
    },
  ) {
    this.target = d.options?.serviceLevelTarget ?? 0.8;
    this.maxRangeMs = (d.options?.maxRangeDays ?? 31) * 86_400_000;
  }

  report(q: StaffingQuery): StaffingReport {
    const from = Math.floor(q.from.getTime() / INTERVAL_MS) * INTERVAL_MS;
    const to = Math.ceil(q.to.getTime() / INTERVAL_MS) * INTERVAL_MS;
    if (to <= from) throw new Invalid('to must be after from');
    if (to - from > this.maxRangeMs) throw new Invalid(`the range may cover at most ${this.maxRangeMs / 86_400_000} days`);
    const target = q.serviceLevel ?? this.target;
    const fromDate = new Date(from);
    const toDate = new Date(to);
    const offered = this.d.repo.offered(fromDate, toDate, INTERVAL_MS, q.queue);
    const handled = this.d.repo.handled(fromDate, toDate, INTERVAL_MS, q.queue);

    let queues: QueueRules[];
    if (q.queue) {
      const known = this.d.rules.find(q.queue) ?? (offered.length || handled.length ? this.d.rules.get(q.queue) : undefined);
      if (!known) throw new NotFound(`no queue named ${q.queue}`);
      queues = [known];
    } else {
      const names = new Set([...this.d.rules.list().map((r) => r.name), ...offered.map((r) => r.queue), ...handled.map((r) => r.queue)]);
      queues = [...names].sort().map((n) => this.d.rules.get(n));
    }

    const slots = Math.round((to - from) / INTERVAL_MS);
    const staffedByDesk = new Map<Desk, number[]>();
    for (const desk of new Set(queues.map((r) => r.desk))) {
      const agents = this.d.repo.agentsOnDesk(desk);
      const changes = this.d.repo.stateChanges(
        agents.map((a) => a.staffId),
        fromDate,
        toDate,
      );
      staffedByDesk.set(
        desk,
        staffedSecondsPerInterval(agents, changes, from, to, INTERVAL_MS).map((s) => s / (INTERVAL_MS / 1000)),
      );
    }

    const key = (queue: string, slot: number) => `${queue}@${slot}`;
    const offeredAt = new Map(offered.map((r) => [key(r.queue, r.slot), r.offered]));
    const handledAt = new Map(handled.map((r) => [key(r.queue, r.slot), r]));
    const rows: StaffingRow[] = [];
    const deskSums = new Map<string, { offered: number; handled: number; workSeconds: number; erlangs: number; slSeconds: number; ahtKnown: boolean }>();

    for (const rules of queues) {
      const mine = handled.filter((r) => r.queue === rules.name);
      const rangeHandled = mine.reduce((n, r) => n + r.handled, 0);
      const rangeTalk = mine.reduce((n, r) => n + r.talkSeconds, 0);
      for (let i = 0; i < slots; i++) {
        const slot = from + i * INTERVAL_MS;
        const n = offeredAt.get(key(rules.name, slot)) ?? 0;
        const h = handledAt.get(key(rules.name, slot));
        let aht: number | null = null;
        let source: StaffingRow['handleTimeFrom'] = null;
        if (h && h.handled > 0) [aht, source] = [h.talkSeconds / h.handled + rules.wrapUpSeconds, 'interval'];
        else if (n > 0 && rangeHandled > 0) [aht, source] = [rangeTalk / rangeHandled + rules.wrapUpSeconds, 'range'];
        else if (n > 0) [aht, source] = [DEFAULT_HANDLE_SECONDS, 'default'];
        const erlangs = aht === null ? 0 : trafficIntensity(n / (INTERVAL_MS / 1000), aht);
        const needed = aht === null ? 0 : agentsNeeded({ erlangs, averageHandleSeconds: aht, targetSeconds: rules.serviceLevelSeconds, serviceLevel: target, maxOccupancy: q.maxOccupancy });
        const staffed = staffedByDesk.get(rules.desk)![i];
        rows.push(this.row('queue', rules.name, rules.desk, slot, n, h?.handled ?? 0, aht, source, erlangs, rules.serviceLevelSeconds, target, staffed, needed));

        const dk = key(rules.desk, slot);
        const s = deskSums.get(dk) ?? { offered: 0, handled: 0, workSeconds: 0, erlangs: 0, slSeconds: Infinity, ahtKnown: false };
        s.offered += n;
        s.handled += h?.handled ?? 0;
        s.erlangs += erlangs;
        if (aht !== null) {
          s.workSeconds += n * aht;
          s.ahtKnown = true;
        }
        // The desk's callers share its agents: size the pooled traffic for the strictest threshold among its queues.
        if (n > 0 || s.slSeconds === Infinity) s.slSeconds = Math.min(s.slSeconds, rules.serviceLevelSeconds);
        deskSums.set(dk, s);
      }
    }

    for (const desk of DESKS) {
      if (!staffedByDesk.has(desk)) continue;
      for (let i = 0; i < slots; i++) {
        const slot = from + i * INTERVAL_MS;
        const s = deskSums.get(key(desk, slot))!;
        const aht = s.ahtKnown && s.offered > 0 ? s.workSeconds / s.offered : null;
        const needed = aht === null ? 0 : agentsNeeded({ erlangs: s.erlangs, averageHandleSeconds: aht, targetSeconds: s.slSeconds, serviceLevel: target, maxOccupancy: q.maxOccupancy });
        rows.push(this.row('desk', desk, desk, slot, s.offered, s.handled, aht, aht === null ? null : 'interval', s.erlangs, s.slSeconds, target, staffedByDesk.get(desk)![i], needed));
      }
    }
    return { from: fromDate.toISOString(), to: toDate.toISOString(), intervalMinutes: INTERVAL_MS / 60_000, serviceLevelTarget: target, maxOccupancy: q.maxOccupancy ?? null, rows };
  }

  private row(
    scope: StaffingRow['scope'],
    name: string,
    desk: Desk,
    slot: number,
    offered: number,
    handled: number,
    aht: number | null,
    handleTimeFrom: StaffingRow['handleTimeFrom'],
    erlangs: number,
    serviceLevelSeconds: number,
    serviceLevelTarget: number,
    staffed: number,
    needed: number,
  ): StaffingRow {
    const staffedRounded = round(staffed, 1);
    return {
      scope,
      name,
      desk,
      intervalStart: new Date(slot).toISOString(),
      intervalEnd: new Date(slot + INTERVAL_MS).toISOString(),
      offered,
      handled,
      averageHandleSeconds: aht === null ? null : round(aht, 1),
      handleTimeFrom,
      erlangs: round(erlangs, 3),
      serviceLevelSeconds,
      serviceLevelTarget,
      staffed: staffedRounded,
      needed,
      difference: round(staffedRounded - needed, 1),
    };
  }
}
