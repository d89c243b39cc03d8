// The wallboard's picture of the floor (pure, no DOM): loaded from GET /api/floor and GET /api/agents, then kept up to
// date by applying each floor-feed message to it in place; it says when only a fresh snapshot can set it right.
import type { AgentStateName } from '../../../src/db/schema/staff';
import type { Desk } from '../../../src/events/domain-events';

export type { Desk };
export type AgentState = AgentStateName;
export const DESKS: readonly Desk[] = ['front', 'middle', 'back'];
/** The order of the states on a desk's board: who can take a call first, who is away last. */
export const STATE_ORDER: readonly AgentState[] = ['available', 'reserved', 'on_call', 'wrap_up', 'missed', 'break', 'offline'];

/** A period's queue figures as the floor feed gives them (issue 9); every field may be missing on an older server. */
export interface PeriodView {
  offered?: number;
  answered?: number;
  abandoned?: number;
  shortAbandoned?: number;
  serviceLevel?: number | null;
  abandonRate?: number | null;
  averageAnswerSeconds?: number | null;
}

export interface CallerView {
  callSid: string;
  priority: number;
  reason: string | null;
  /** When the caller was queued, on this browser's clock (ms). */
  queuedAt: number;
  ringingAgentId: number | null;
  /** Arrival order among callers queued in the same millisecond. */
  order: number;
}

export interface QueueView {
  name: string;
  desk: Desk;
  serviceLevelSeconds: number;
  maxWaitSeconds: number;
  /** In the order they will be offered. */
  callers: readonly CallerView[];
  estimatedWaitSeconds?: number | null;
  today?: PeriodView;
  last30Minutes?: PeriodView;
  callbacksDue?: number;
}

export interface AgentView {
  id: number;
  displayName: string;
  team: { id: number; name: string } | null;
  desks: readonly Desk[];
  state: AgentState;
  reason: string | null;
  /** Since when in this state, on this browser's clock (ms); null when unknown. */
  since: number | null;
  call: { callSid: string; queue: string | null; status: string } | null;
}

export interface AlertView {
  key: string;
  kind: string;
  subject: string;
  /** The server's own sentence (English): shown only when the board cannot say it from the figures below. */
  message: string;
  raisedAt: number;
  /** The figure when raised and the threshold it crossed (issue 9's alert rows carry both). */
  raisedValue?: number;
  raiseAt?: number;
  agentId?: number | null;
}

export interface ActionView {
  at: number;
  action: string;
  actorId: number;
  subjectType: string;
  subjectId: string;
  reason: string;
}

export interface MonitorView {
  sessionId: number;
  agentId: number;
  monitorName: string;
  mode: string;
}

/** GET /api/floor as the wallboard reads it: what main has always had, plus the floor feed's optional fields. */
export interface FloorJson {
  at: string;
  queues: {
    name: string;
    desk: Desk;
    serviceLevelSeconds: number;
    maxWaitSeconds: number;
    calls: { callSid: string; priority: number; reason: string | null; waitedSeconds: number; ringingAgentId: number | null }[];
    estimatedWaitSeconds?: number | null;
    today?: PeriodView;
    last30Minutes?: PeriodView;
    callbacksDue?: number;
  }[];
  roster?: RosterJson[];
  alerts?: AlertJson[];
  monitoring?: { sessionId: number; agentId: number; monitorName: string; mode: string }[];
  seq?: number;
}

/** One agent as GET /api/agents gives it. */
export interface AgentJson {
  id: number;
  displayName: string;
  active: boolean;
  team: { id: number; name: string } | null;
  desks: { desk: Desk; skill: number }[];
  presence: { state: AgentState; reason: string | null; since: string | null };
}

/** One agent as the floor feed's roster gives it (issue 9). */
export interface RosterJson {
  id: number;
  displayName: string;
  team: { id: number; name: string } | null;
  desks: Desk[];
  state: AgentState;
  reason: string | null;
  since: string | null;
  call: { callSid: string; queue: string | null; status: string } | null;
}

interface AlertJson {
  id?: number;
  kind: string;
  subject: string;
  message?: string;
  raisedAt?: string | number;
  raisedValue?: number;
  raiseAt?: number;
  agentId?: number | null;
}

/** A message from /ws as the wallboard reads it (fields checked where used). */
export type FloorMessage = { type: string } & Record<string, unknown>;

/** What applying a message did: changed the picture, did not concern it, or showed it is out of date. */
export type Applied = 'changed' | 'ignored' | 'stale';

/** Messages the wallboard knows it need not apply (own-channel events and plumbing). */
const IGNORED = new Set(['hello', 'heartbeat', 'error', 'screenPop', 'CallHoldChanged', 'CallbackRequested', 'CallbackAttemptEnded', 'CallbackOffered', 'CallbackConnected', 'WorkOrderUpdated', 'OrderHeld', 'EvaluationSubmitted']);
const MAX_ACTIONS = 12;

function byOfferOrder(a: CallerView, b: CallerView): number {
  return b.priority - a.priority || a.queuedAt - b.queuedAt || a.order - b.order;
}

export class FloorState {
  readonly queues = new Map<string, QueueView>();
  readonly agents = new Map<number, AgentView>();
  readonly alerts = new Map<string, AlertView>();
  /** Replaced (not changed in place) on every change, so that a screen can tell it changed. */
  monitoring: ReadonlyMap<number, MonitorView> = new Map();
  actions: readonly ActionView[] = [];
  /** Bumped on every change: the screen re-renders when it moves. */
  version = 0;
  loaded = false;
  /** This browser's clock minus the server's (ms), from the last snapshot. */
  private skew = 0;
  private readonly queueOf = new Map<string, string>();
  private order = 0;
  private seq?: number;

  /** Replaces the whole picture with a snapshot (and the roster of GET /api/agents when the snapshot has none). */
  load(floor: FloorJson, agents: AgentJson[] | undefined, now: number): void {
    this.skew = now - Date.parse(floor.at);
    this.queues.clear();
    this.queueOf.clear();
    for (const q of floor.queues) {
      const callers = q.calls.map((c) => ({ callSid: c.callSid, priority: c.priority, reason: c.reason, queuedAt: now - c.waitedSeconds * 1000, ringingAgentId: c.ringingAgentId, order: this.order++ }));
      for (const c of callers) this.queueOf.set(c.callSid, q.name);
      this.queues.set(q.name, {
        name: q.name,
        desk: q.desk,
        serviceLevelSeconds: q.serviceLevelSeconds,
        maxWaitSeconds: q.maxWaitSeconds,
        callers,
        estimatedWaitSeconds: q.estimatedWaitSeconds,
        today: q.today,
        last30Minutes: q.last30Minutes,
        callbacksDue: q.callbacksDue,
      });
    }
    this.agents.clear();
    if (floor.roster) for (const r of floor.roster) this.agents.set(r.id, this.fromRoster(r));
    else for (const a of agents ?? []) if (a.active) this.agents.set(a.id, this.fromAgentJson(a));
    this.alerts.clear();
    for (const a of floor.alerts ?? []) this.putAlert(a);
    this.monitoring = new Map((floor.monitoring ?? []).map((m) => [m.agentId, m]));
    this.seq = floor.seq;
    this.loaded = true;
    this.version++;
  }

  /** Applies one message from the feed at `now` (this browser's clock, ms). */
  apply(m: FloorMessage, now: number): Applied {
    if (!this.loaded) return 'ignored';
    const r = this.applyOne(m, now);
    if (r === 'changed') this.version++;
    return r;
  }

  private applyOne(m: FloorMessage, now: number): Applied {
    const e = m as Record<string, any>;
    switch (m.type) {
      case 'CallQueued': {
        const q = this.queues.get(e.queue);
        if (!q) return 'stale';
        this.removeCaller(e.callSid);
        const caller: CallerView = { callSid: e.callSid, priority: e.priority, reason: null, queuedAt: this.local(e.at, now), ringingAgentId: null, order: this.order++ };
        this.setCallers(q, insertSorted(q.callers, caller));
        this.queueOf.set(e.callSid, q.name);
        return 'changed';
      }
      case 'CallOffered':
        return this.updateCaller(e.callSid, (c) => ({ ...c, ringingAgentId: e.agentId }));
      case 'CallMissed':
        return this.updateCaller(e.callSid, (c) => ({ ...c, ringingAgentId: null }));
      case 'CallAnswered': {
        const left = this.removeCaller(e.callSid);
        const agent = this.agents.get(e.agentId);
        if (agent) this.agents.set(agent.id, { ...agent, call: { callSid: e.callSid, queue: left ?? null, status: 'talking' } });
        return left || agent ? 'changed' : 'ignored';
      }
      case 'CallEnded': {
        const agent = this.agents.get(e.agentId);
        if (!agent?.call) return 'ignored';
        this.agents.set(agent.id, { ...agent, call: null });
        return 'changed';
      }
      case 'CallAbandoned':
      case 'CallLeftQueue':
        return this.removeCaller(e.callSid) ? 'changed' : 'ignored';
      case 'AgentStateChanged': {
        const agent = this.agents.get(e.agentId);
        // An agent not on the board signed in: the floor feed's next delta brings their row, else only a snapshot can.
        if (!agent) return e.to === 'offline' || this.seq !== undefined ? 'ignored' : 'stale';
        // Signed out, they stay known (hidden) so that signing in again is one more state change, not a reload.
        this.agents.set(agent.id, { ...agent, state: e.to, reason: e.reason ?? null, since: this.local(e.at, now), call: e.to === 'offline' ? null : agent.call });
        return 'changed';
      }
      case 'AgentDesksChanged': {
        const agent = this.agents.get(e.agentId);
        if (!agent) return 'ignored';
        this.agents.set(agent.id, { ...agent, desks: (e.desks as { desk: Desk }[]).map((d) => d.desk) });
        return 'changed';
      }
      case 'FloorActionTaken': {
        const action: ActionView = { at: this.local(e.at, now), action: e.action, actorId: e.actorId, subjectType: e.subjectType, subjectId: String(e.subjectId), reason: e.reason };
        this.actions = [action, ...this.actions].slice(0, MAX_ACTIONS);
        if (e.action === 'call.priority' && typeof e.detail?.to === 'number') {
          const sid = String(e.subjectId);
          const q = this.queues.get(this.queueOf.get(sid) ?? '');
          const c = q?.callers.find((x) => x.callSid === sid);
          if (q && c) this.setCallers(q, insertSorted(q.callers.filter((x) => x !== c), { ...c, priority: e.detail.to }));
        }
        // A moved queue rule or an assignment changes more than the event says.
        return e.action === 'queue.overflow' ? 'stale' : 'changed';
      }
      case 'MonitorStarted':
      case 'MonitorModeChanged':
        this.monitoring = new Map(this.monitoring).set(e.agentId, { sessionId: e.sessionId, agentId: e.agentId, monitorName: e.monitorName ?? this.monitoring.get(e.agentId)?.monitorName ?? '', mode: e.mode });
        return 'changed';
      case 'MonitorEnded': {
        if (!this.monitoring.has(e.agentId)) return 'ignored';
        const next = new Map(this.monitoring);
        next.delete(e.agentId);
        this.monitoring = next;
        return 'changed';
      }
      case 'floorSnapshot':
        this.load(m as unknown as FloorJson, undefined, now);
        return 'changed';
      case 'floorUpdate':
        return this.applyUpdate(e, now);
      case 'alertRaised':
        this.putAlert(e.alert);
        return 'changed';
      case 'alertCleared':
        return this.alerts.delete(alertKey(e.alert)) ? 'changed' : 'ignored';
      default:
        return IGNORED.has(m.type) ? 'ignored' : 'stale';
    }
  }

  /** The floor feed's delta (issue 9): whole rows, replaced by queue name or agent id. */
  private applyUpdate(e: Record<string, any>, now: number): Applied {
    // No gap check on `seq`: a team lead's feed skips the rounds that concern other teams only, and the server itself
    // sends a fresh floorSnapshot to a client whose updates it had to drop.
    if (typeof e.seq === 'number') this.seq = e.seq;
    if (e.at) this.skew = now - Date.parse(e.at);
    for (const q of (e.queues ?? []) as FloorJson['queues']) {
      const prev = this.queues.get(q.name);
      const old = new Map(prev?.callers.map((c) => [c.callSid, c]));
      for (const c of prev?.callers ?? []) this.queueOf.delete(c.callSid);
      const callers = q.calls.map((c) => {
        const had = old.get(c.callSid);
        this.queueOf.set(c.callSid, q.name);
        // Keep the caller's own start when known: the server's waitedSeconds is rounded.
        return { callSid: c.callSid, priority: c.priority, reason: c.reason, queuedAt: had?.queuedAt ?? now - c.waitedSeconds * 1000, ringingAgentId: c.ringingAgentId, order: had?.order ?? this.order++ };
      });
      this.queues.set(q.name, { name: q.name, desk: q.desk, serviceLevelSeconds: q.serviceLevelSeconds, maxWaitSeconds: q.maxWaitSeconds, callers, estimatedWaitSeconds: q.estimatedWaitSeconds, today: q.today, last30Minutes: q.last30Minutes, callbacksDue: q.callbacksDue });
    }
    for (const r of (e.roster ?? []) as RosterJson[]) this.agents.set(r.id, this.fromRoster(r));
    for (const id of (e.rosterGone ?? []) as number[]) this.agents.delete(id);
    return 'changed';
  }

  private local(at: unknown, now: number): number {
    const t = typeof at === 'string' ? Date.parse(at) : NaN;
    return Number.isNaN(t) ? now : t + this.skew;
  }

  private fromRoster(r: RosterJson): AgentView {
    return { id: r.id, displayName: r.displayName, team: r.team, desks: r.desks, state: r.state, reason: r.reason, since: r.since ? Date.parse(r.since) + this.skew : null, call: r.call ? { callSid: r.call.callSid, queue: r.call.queue, status: r.call.status } : null };
  }

  private fromAgentJson(a: AgentJson): AgentView {
    const since = a.presence.since ? Date.parse(a.presence.since) + this.skew : null;
    return { id: a.id, displayName: a.displayName, team: a.team, desks: a.desks.map((d) => d.desk), state: a.presence.state, reason: a.presence.reason, since, call: null };
  }

  private putAlert(a: AlertJson): void {
    const raisedAt = typeof a.raisedAt === 'number' ? a.raisedAt : a.raisedAt ? Date.parse(a.raisedAt) : Date.now();
    this.alerts.set(alertKey(a), { key: alertKey(a), kind: a.kind, subject: a.subject, message: a.message ?? `${a.kind} ${a.subject}`, raisedAt: raisedAt + this.skew, raisedValue: a.raisedValue, raiseAt: a.raiseAt, agentId: a.agentId });
  }

  private setCallers(q: QueueView, callers: readonly CallerView[]): void {
    this.queues.set(q.name, { ...q, callers });
  }

  /** Takes a caller out of their queue; returns the queue's name, or undefined when they were not waiting. */
  private removeCaller(callSid: string): string | undefined {
    const name = this.queueOf.get(callSid);
    if (name === undefined) return undefined;
    this.queueOf.delete(callSid);
    const q = this.queues.get(name);
    if (q) this.setCallers(q, q.callers.filter((c) => c.callSid !== callSid));
    return name;
  }

  private updateCaller(callSid: string, change: (c: CallerView) => CallerView): Applied {
    const q = this.queues.get(this.queueOf.get(callSid) ?? '');
    if (!q) return 'ignored';
    this.setCallers(q, q.callers.map((c) => (c.callSid === callSid ? change(c) : c)));
    return 'changed';
  }
}

function alertKey(a: { kind: string; subject: string }): string {
  return `${a.kind}|${a.subject}`;
}

/** A copy of `list` (in offer order) with `c` in its place. */
export function insertSorted(list: readonly CallerView[], c: CallerView): CallerView[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byOfferOrder(list[mid], c) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return [...list.slice(0, lo), c, ...list.slice(lo)];
}

/** Seconds from `since` to `now`, never negative. */
export function secondsSince(since: number | null, now: number): number | null {
  return since === null ? null : Math.max(0, Math.floor((now - since) / 1000));
}

/** 75 → "1:15", 3725 → "1:02:05", null → "—". */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
