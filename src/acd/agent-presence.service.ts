// Keeps each agent's presence: their own requests, the ACD's events, wrap-up timers and heartbeats; every change is logged.
import type { AgentStateName } from '../db/schema/index';
import type { Transact } from '../db/transaction';
import { Conflict, Invalid, NotFound } from '../errors/domain-errors';
import type { EventBus, EventOf } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { agentRequest, systemEvent, type AgentRequest, type Presence, type SystemEvent } from './agent-presence';
import type { PresenceRepo, PresenceRow } from './presence.repo';

export type AgentStateChanged = EventOf<'AgentStateChanged'>;

export interface PresenceOptions {
  /** An agent silent for longer than this (no heartbeat, no request) is put offline. @default 30 */
  heartbeatTimeoutSeconds?: number;
  /** After the agent's last socket closed, how long a reconnect (a page reload) may take before they go offline. @default 5 */
  disconnectGraceSeconds?: number;
  /** The longest an agent may extend one wrap-up by. @default 300 */
  maxWrapUpExtensionSeconds?: number;
}

export interface StateRequest extends AgentRequest {
  /** With state wrap_up, while in wrap-up: more seconds before the agent is made available again. */
  extendSeconds?: number;
}

export class PresenceService {
  readonly heartbeatTimeoutSeconds: number;
  private readonly maxExtension: number;
  private readonly grace: number;

  constructor(private readonly d: { presence: PresenceRepo; transact: Transact; clock: Clock; events: EventBus; options?: PresenceOptions }) {
    this.heartbeatTimeoutSeconds = d.options?.heartbeatTimeoutSeconds ?? 30;
    this.maxExtension = d.options?.maxWrapUpExtensionSeconds ?? 300;
    this.grace = Math.min(d.options?.disconnectGraceSeconds ?? 5, this.heartbeatTimeoutSeconds);
  }

  get(agentId: number): PresenceRow {
    const p = this.d.presence.get(agentId);
    if (!p) throw new NotFound(`staff member ${agentId} is not an agent`);
    return p;
  }

  /** The agent's own change (PUT /api/agents/me/state); refused with Conflict when the state machine forbids it. */
  request(agentId: number, r: StateRequest): PresenceRow {
    const now = this.d.clock.now();
    const changed = this.d.transact(() => {
      const row = this.get(agentId);
      if (r.extendSeconds !== undefined) return this.extendWrapUp(row, r, now);
      const decision = agentRequest(row, r);
      if (decision.kind === 'refused') throw new Conflict(decision.message);
      return this.write(row, decision.to, now, { lastHeartbeat: now });
    });
    if (changed) this.d.events.publish(changed);
    return this.get(agentId);
  }

  /**
   * An ACD event for the agent, inside the caller's transaction; returns the event to publish after commit, if
   * the state changed. `wrapUpSeconds` sets the wrap-up timer when the event starts one.
   */
  apply(agentId: number, e: SystemEvent, now: Date, wrapUpSeconds = 30): AgentStateChanged | undefined {
    const row = this.d.presence.get(agentId);
    if (!row) return undefined;
    const next = systemEvent(row, e);
    if (!next) return undefined;
    const wrapUpUntil = next.state === 'wrap_up' ? new Date(now.getTime() + wrapUpSeconds * 1000) : null;
    return this.write(row, next, now, { wrapUpUntil });
  }

  /**
   * A supervisor's or dispatcher's override, inside the caller's transaction (the caller audits it): log out, or end a
   * break (available, so the ACD offers the next call). Whatever the agent had asked to do next is dropped.
   */
  force(agentId: number, to: 'offline' | 'available', reason: string | null, now: Date): AgentStateChanged | undefined {
    return this.write(this.get(agentId), { state: to, reason: to === 'offline' ? reason : null, nextState: null, nextReason: null }, now, {});
  }

  heartbeat(agentId: number, at: Date): void {
    // Through transact(): a write from a socket or the API never joins (and waits on) the webhooks' group commit.
    this.d.transact(() => this.d.presence.heartbeat(agentId, at));
  }

  /**
   * The server starts again: its outage was not the agents' silence. Everyone signed in gets the full heartbeat
   * timeout from now to reconnect, instead of being put offline (or offline after their call) by the first sweep.
   */
  restarted(now: Date): number {
    return this.d.transact(() => this.d.presence.heartbeatAllSignedIn(now));
  }

  /** The agent's last socket closed: unless they reconnect within the grace period, the next sweep puts them offline. */
  connectionLost(agentId: number, at: Date): void {
    this.d.transact(() => this.d.presence.heartbeat(agentId, new Date(at.getTime() - (this.heartbeatTimeoutSeconds - this.grace) * 1000)));
  }

  /**
   * The agent signed out: offline now, or once the call in hand is over, as asking for offline does. Signed out but
   * still available, the ACD would offer them the next call until their heartbeat lapsed. Never refused.
   */
  signedOut(agentId: number): void {
    const row = this.d.presence.get(agentId);
    if (!row || row.state === 'offline' || row.nextState === 'offline') return;
    try {
      this.request(agentId, { state: 'offline' });
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
    }
  }

  /** Ends due wrap-ups; returns the agents that went silent (offline now or once their call is over). */
  sweep(): { changed: AgentStateChanged[]; silent: PresenceRow[] } {
    const now = this.d.clock.now();
    const silent = this.d.presence.silentSince(new Date(now.getTime() - this.heartbeatTimeoutSeconds * 1000));
    return { changed: this.endDueWrapUps(), silent };
  }

  /** Puts every agent whose wrap-up is over back to available (or their next state), and tells who changed. */
  endDueWrapUps(): AgentStateChanged[] {
    const now = this.d.clock.now();
    const changed: AgentStateChanged[] = [];
    this.d.transact(() => {
      for (const row of this.d.presence.wrapUpsDue(now)) {
        const e = this.apply(row.staffId, 'wrap-up-over', now);
        if (e) changed.push(e);
      }
    });
    for (const e of changed) this.d.events.publish(e);
    return changed;
  }

  private extendWrapUp(row: PresenceRow, r: StateRequest, now: Date): undefined {
    if (r.state !== 'wrap_up' || row.state !== 'wrap_up') throw new Conflict('only a wrap-up in progress can be extended');
    const seconds = r.extendSeconds ?? 0;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > this.maxExtension) {
      throw new Invalid(`extendSeconds must be a whole number from 1 to ${this.maxExtension}`);
    }
    const base = Math.max(now.getTime(), row.wrapUpUntil?.getTime() ?? now.getTime());
    this.d.presence.save(row.staffId, { ...row, wrapUpUntil: new Date(base + seconds * 1000), lastHeartbeat: now });
    return undefined;
  }

  private write(row: PresenceRow, to: Presence, now: Date, extra: Partial<PresenceRow>): AgentStateChanged | undefined {
    const stateChanged = to.state !== row.state || to.reason !== row.reason;
    const becameFree = to.state === 'available' && row.state !== 'available';
    this.d.presence.save(
      row.staffId,
      {
        ...row,
        ...to,
        since: stateChanged ? now : row.since,
        wrapUpUntil: to.state === 'wrap_up' ? (extra.wrapUpUntil ?? row.wrapUpUntil) : null,
        idleSince: becameFree ? now : row.idleSince,
        lastHeartbeat: extra.lastHeartbeat ?? row.lastHeartbeat,
      },
      stateChanged ? row.state : undefined,
    );
    if (!stateChanged) return undefined;
    return { type: 'AgentStateChanged', agentId: row.staffId, from: row.state, to: to.state as AgentStateName, reason: to.reason, at: now };
  }
}
