// Drives the floor feed: recomputes the board (at most every minIntervalMs when something happened, and every
// refreshMs for the clock's sake), judges the alerts on it, and hands each change once to the feed's listeners.
import type { Role } from '../db/schema/index';
import type { EventBus } from '../events/domain-events';
import type { Logger } from '../logging/logger';
import type { AlertsService, FloorAlert } from './alerts.service';
import { diffBoards, type Board, type BoardDelta, type FloorBoard } from './floor-board';

/** Who looks at the floor: team leads see their own team's agents (and their alerts); queues are everyone's. */
export interface FloorViewer {
  id: number;
  role: Role;
  teamId: number | null;
}

/** The whole floor as one viewer may see it: sent on connect, on request, and after a slow client has caught up. */
export type FloorSnapshotMessage = { type: 'floorSnapshot'; seq: number } & Board & { alerts: FloorAlert[] };

/**
 * What changed since the previous update (rows whole, replaced by queue name or agent id). `changedAt` is the
 * server's wall clock (epoch ms) when the first change folded into it happened: arrival minus changedAt is the delay.
 */
export type FloorUpdateMessage = { type: 'floorUpdate'; seq: number; changedAt: number } & BoardDelta;

/** Sent once when an alert is raised and once when it clears. */
export interface AlertMessage {
  type: 'alertRaised' | 'alertCleared';
  changedAt: number;
  alert: FloorAlert;
}

export type FloorMessage = FloorSnapshotMessage | FloorUpdateMessage | AlertMessage;

/** One round of the feed: the update and the alerts, each shaped per viewer by `messagesFor`. */
export interface FloorOutput {
  seq: number;
  changedAt: number;
  delta?: BoardDelta;
  raised: FloorAlert[];
  cleared: FloorAlert[];
}

export interface FloorFeedOptions {
  /**
   * At most one update per this many ms while things happen (the first change after a quiet spell goes at once), and
   * never more often than ten times the last computation's length (the board costs milliseconds with a thousand
   * agents: at most a tenth of the process goes to it however busy the floor is). @default 100
   */
  minIntervalMs?: number;
  /**
   * The board is recomputed this often even when nothing happened (waits grow, alerts' hold times pass); five times
   * less often while no screen watches the floor. @default 1000
   */
  refreshMs?: number;
}

const ALL = 'all';
/** With no screen on the floor, the board is recomputed at every this-many refreshes (5 s by default). */
const UNWATCHED_REFRESHES = 5;

/** The scope of a viewer's floor: one key per distinct view, so a message is serialized once per key. */
export function floorScope(v: FloorViewer): string {
  return v.role === 'team_lead' ? `team:${v.teamId ?? 'none'}` : ALL;
}

function alertVisible(a: FloorAlert, scope: string): boolean {
  return scope === ALL || (a.agentId !== null && a.teamId !== null && scope === `team:${a.teamId}`);
}

function rosterVisible(r: { team: { id: number } | null }, scope: string): boolean {
  return scope === ALL || (r.team !== null && scope === `team:${r.team.id}`);
}

/** The board and active alerts as `scope` sees them. */
export function scopeSnapshot(board: Board, alerts: FloorAlert[], seq: number, scope: string): FloorSnapshotMessage {
  const roster = board.roster.filter((r) => rosterVisible(r, scope));
  const shown = new Set(roster.map((r) => r.id));
  const monitoring = scope === ALL ? board.monitoring : board.monitoring.filter((m) => shown.has(m.agentId));
  return { type: 'floorSnapshot', seq, ...board, roster, monitoring, alerts: alerts.filter((a) => alertVisible(a, scope)) };
}

/** The round's messages for one scope, in order (the update, then alerts); empty when nothing in it concerns them. */
export function scopeOutput(out: FloorOutput, scope: string, gone: ReadonlyMap<number, number | null>): FloorMessage[] {
  const messages: FloorMessage[] = [];
  if (out.delta) {
    const d = out.delta;
    const roster = scope === ALL ? d.roster : d.roster.filter((r) => rosterVisible(r, scope));
    // An agent who left the roster is "gone" for the views that had them: their team's and the whole floor's.
    const rosterGone = scope === ALL ? d.rosterGone : d.rosterGone.filter((id) => scope === `team:${gone.get(id) ?? 'none'}`);
    if (scope === ALL || d.queues.length || d.desks || d.agents || roster.length || rosterGone.length) {
      messages.push({ type: 'floorUpdate', seq: out.seq, changedAt: out.changedAt, ...d, roster, rosterGone });
    }
  }
  for (const alert of out.raised) if (alertVisible(alert, scope)) messages.push({ type: 'alertRaised', changedAt: out.changedAt, alert });
  for (const alert of out.cleared) if (alertVisible(alert, scope)) messages.push({ type: 'alertCleared', changedAt: out.changedAt, alert });
  return messages;
}

type Listener = (out: FloorOutput, gone: ReadonlyMap<number, number | null>) => void;

export class FloorFeed {
  private readonly minInterval: number;
  private readonly refresh: number;
  private readonly listeners = new Set<Listener>();
  /** Listeners that want every change, plus the screens open on the floor (watch()). */
  private watchers = 0;
  private computeMs = 0;
  private board?: Board;
  private seq = 0;
  private readonly snapshots = new Map<string, Buffer>();
  /** Wall-clock ms of the first change not yet in an update. */
  private changedSince?: number;
  private lastFlush = 0;
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private refresher?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly d: {
      board: FloorBoard;
      alerts: AlertsService;
      events: Pick<EventBus, 'subscribe'>;
      log?: Logger;
      options?: FloorFeedOptions;
    },
  ) {
    this.minInterval = d.options?.minIntervalMs ?? 100;
    this.refresh = d.options?.refreshMs ?? 1000;
  }

  /** Follows the domain events and starts the refresh timer. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.d.events.subscribe(() => this.changed());
    // Nobody watching: the board is only for the alerts (stored, and sent to the dispatchers who connect), judged at
    // every fifth refresh; a board of a thousand agents costs milliseconds that every webhook of that moment waits.
    let ticks = 0;
    this.refresher = setInterval(() => {
      if (this.watchers > 0 || ++ticks % UNWATCHED_REFRESHES === 0) this.flush();
    }, this.refresh);
    this.refresher.unref();
    // The first board now (not inside some publisher's transaction): team leads' events are scoped from the start.
    this.flush();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.refresher);
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  /**
   * `l` hears every round. A `passive` listener (the WebSocket server, which relays to screens) does not by itself keep
   * the feed quick: it tells when a screen opens on the floor with watch().
   */
  subscribe(l: Listener, o: { passive?: boolean } = {}): () => void {
    this.listeners.add(l);
    const unwatch = o.passive ? () => {} : this.watch();
    return () => {
      unwatch();
      this.listeners.delete(l);
    };
  }

  /**
   * Someone looks at the floor until the returned function is called. While nobody does, a change waits for the next
   * refresh (the alerts are still judged, every fifth refreshMs): a busy day's hundreds of events a second would otherwise
   * recompute a board nobody sees ten times a second.
   */
  watch(): () => void {
    if (this.watchers++ === 0 && this.changedSince !== undefined) this.changed();
    let watching = true;
    return () => {
      if (watching) this.watchers--;
      watching = false;
    };
  }

  /** Something on the floor changed (a domain event, a setting): an update goes out within minIntervalMs. */
  changed(): void {
    this.changedSince ??= Date.now();
    if (this.timer || this.immediate || this.watchers === 0) return;
    const wait = this.lastFlush + Math.max(this.minInterval, 10 * this.computeMs) - Date.now();
    // setImmediate gathers the events of one turn (a webhook's several) into one update.
    if (wait <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /**
   * The latest board. `fresh` (GET /api/floor) computes it again when it is older than minIntervalMs or changes are
   * pending; a socket takes the last one as it is, since the updates that follow bring it up to date. Without the
   * feed started (no timers) every read is fresh.
   */
  current(o: { fresh?: boolean } = {}): Board {
    const old = this.changedSince !== undefined || Date.now() - this.lastFlush >= this.minInterval;
    if (!this.board || !this.unsubscribe || (o.fresh && old)) this.flush();
    return this.board!;
  }

  snapshotFor(viewer: FloorViewer, o: { fresh?: boolean } = {}): FloorSnapshotMessage {
    return scopeSnapshot(this.current(o), this.d.alerts.active(), this.seq, floorScope(viewer));
  }

  /** The snapshot for a socket as UTF-8 JSON, serialized once per scope and board (a reconnect storm costs one each). */
  snapshotText(viewer: FloorViewer): Buffer {
    const board = this.current();
    const scope = floorScope(viewer);
    let text = this.snapshots.get(scope);
    if (!text) this.snapshots.set(scope, (text = Buffer.from(JSON.stringify(scopeSnapshot(board, this.d.alerts.active(), this.seq, scope)))));
    return text;
  }

  /** The team of an agent (undefined for one the board has not seen yet): scopes team leads' events. */
  teamOf(agentId: number): number | null | undefined {
    return this.d.board.teamOf(agentId);
  }

  /** Recomputes the board now, judges the alerts and tells the listeners what changed. */
  flush(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    this.lastFlush = Date.now();
    const changedAt = this.changedSince ?? this.lastFlush;
    this.changedSince = undefined;
    let next: Board;
    let alerts: ReturnType<AlertsService['evaluate']>;
    try {
      const started = performance.now();
      next = this.d.board.compute();
      alerts = this.d.alerts.evaluate(next);
      this.computeMs = performance.now() - started;
    } catch (err) {
      this.d.log?.error('floor board failed', { err: String(err) });
      return;
    }
    const delta = diffBoards(this.board, next);
    const gone = new Map<number, number | null>();
    if (delta?.rosterGone.length) {
      const before = new Map(this.board!.roster.map((r) => [r.id, r.team?.id ?? null]));
      for (const id of delta.rosterGone) gone.set(id, before.get(id) ?? null);
    }
    this.board = next;
    this.snapshots.clear();
    if (!delta && !alerts.raised.length && !alerts.cleared.length) return;
    const out: FloorOutput = { seq: ++this.seq, changedAt, delta, ...alerts };
    for (const l of this.listeners) {
      try {
        l(out, gone);
      } catch (err) {
        this.d.log?.error('floor feed listener failed', { err: String(err) });
      }
    }
  }
}
