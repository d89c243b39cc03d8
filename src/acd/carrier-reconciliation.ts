// Startup reconciliation: after a crash, compares the database with what the carrier still holds and repairs the difference.
import type { Transact } from '../db/transaction';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import type { CallsRepo } from '../calls/calls.repo';
import type { PresenceService } from './agent-presence.service';
import type { InteractionRow, InteractionsRepo } from './interactions.repo';
import type { QueueEntriesRepo, QueueEntry } from './queue-entries.repo';
import type { ReconciliationRepo } from './reconciliation.repo';

/** A call as the carrier has it (the subset of Twilio's Call resource reconciliation needs). */
export interface CarrierCallState {
  sid: string;
  status: string;
  endTime: Date | null;
  durationSeconds: number | null;
}

/** What the carrier told us, read before any decision. */
export interface CarrierSnapshot {
  /** Calls still up at the carrier. */
  live: Map<string, CarrierCallState>;
  /** The calls the database thinks are up but the carrier does not: its record (with the true end time), or undefined if it has none. */
  gone: Map<string, CarrierCallState | undefined>;
  /** CallSids waiting in one of the carrier's queues. */
  queued: Set<string>;
  /** Conferences in progress, by name, with their participants' CallSids. */
  conferences: Map<string, Set<string>>;
}

/** The database's side, read in the same transaction the repairs are written in. */
export interface DbSnapshot {
  openCalls: { sid: string; startedAt: Date }[];
  waiting: Pick<QueueEntry, 'id' | 'callSid' | 'reservedBy'>[];
  live: Pick<InteractionRow, 'id' | 'callSid' | 'agentId' | 'status' | 'agentCallSid' | 'conference' | 'queueEntryId'>[];
  busyAgents: { staffId: number; state: 'reserved' | 'on_call' }[];
}

export type Repair =
  /** The call ended while we were down: closed with the carrier's end time. */
  | { kind: 'close-call'; callSid: string; status: string; endedAt: Date; durationSeconds: number | null }
  /** A waiting caller hung up while we were down. */
  | { kind: 'abandon-entry'; callSid: string; endedAt: Date }
  /** A ringing offer nobody answered: the call keeps its place; the agent leg is hung up if it still rings. */
  | { kind: 'withdraw-offer'; interactionId: number; agentId: number; queueEntryId: number | null; hangupLeg?: string }
  /** A conversation that ended while we were down. */
  | { kind: 'end-interaction'; interactionId: number; agentId: number; endedAt: Date }
  /** Answered, but the caller never left the queue (the crash came between answer and redirect): the caller waits again. */
  | { kind: 'requeue-caller'; interactionId: number; agentId: number; callSid: string; hangupLeg?: string }
  /** A waiting entry marked as ringing someone with no live offer behind it. */
  | { kind: 'release-entry'; entryId: number }
  /** An agent held reserved or on a call by nothing live. */
  | { kind: 'free-agent'; agentId: number; event: 'withdrawn' | 'call-ended'; at: Date };

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** Pure: what to repair, given both sides. */
export function planRepairs(db: DbSnapshot, carrier: CarrierSnapshot, now: Date): Repair[] {
  const repairs: Repair[] = [];
  const isLive = (sid: string | null | undefined) => !!sid && carrier.live.has(sid);
  const endOf = (sid: string | null | undefined): Date | undefined => {
    if (!sid || isLive(sid)) return undefined;
    return carrier.gone.get(sid)?.endTime ?? undefined;
  };

  for (const call of db.openCalls) {
    if (isLive(call.sid)) continue;
    const record = carrier.gone.get(call.sid);
    const endedAt = record?.endTime ?? now;
    repairs.push({
      kind: 'close-call',
      callSid: call.sid,
      status: record && FINAL.has(record.status) ? record.status : 'completed',
      endedAt,
      durationSeconds: record?.durationSeconds ?? Math.max(0, Math.round((endedAt.getTime() - call.startedAt.getTime()) / 1000)),
    });
  }

  const released = new Set<number>();
  for (const ix of db.live) {
    if (ix.status === 'offered') {
      repairs.push({ kind: 'withdraw-offer', interactionId: ix.id, agentId: ix.agentId, queueEntryId: ix.queueEntryId, hangupLeg: isLive(ix.agentCallSid) ? ix.agentCallSid! : undefined });
      if (ix.queueEntryId) released.add(ix.queueEntryId);
      continue;
    }
    const callerLive = isLive(ix.callSid);
    if (callerLive && carrier.queued.has(ix.callSid)) {
      repairs.push({ kind: 'requeue-caller', interactionId: ix.id, agentId: ix.agentId, callSid: ix.callSid, hangupLeg: isLive(ix.agentCallSid) ? ix.agentCallSid! : undefined });
      continue;
    }
    const inConference = carrier.conferences.get(ix.conference)?.has(ix.callSid) ?? false;
    if (callerLive && (inConference || isLive(ix.agentCallSid))) {
      continue; // a live conversation stays connected to its agent
    }
    // The conversation ended when its first leg did.
    const ends = [endOf(ix.callSid), endOf(ix.agentCallSid)].filter((d): d is Date => !!d);
    const endedAt = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : now;
    repairs.push({ kind: 'end-interaction', interactionId: ix.id, agentId: ix.agentId, endedAt });
  }

  for (const entry of db.waiting) {
    if (!isLive(entry.callSid)) repairs.push({ kind: 'abandon-entry', callSid: entry.callSid, endedAt: endOf(entry.callSid) ?? now });
    else if (entry.reservedBy !== null && !released.has(entry.id) && !db.live.some((ix) => ix.status === 'offered' && ix.queueEntryId === entry.id)) {
      repairs.push({ kind: 'release-entry', entryId: entry.id });
    }
  }

  for (const agent of db.busyAgents) {
    // Agents with a live interaction were handled with it above.
    if (db.live.some((ix) => ix.agentId === agent.staffId)) continue;
    repairs.push({ kind: 'free-agent', agentId: agent.staffId, event: agent.state === 'reserved' ? 'withdrawn' : 'call-ended', at: now });
  }
  return repairs;
}

/** Reads what the carrier holds (the CallControl port's reads). */
export interface CarrierInventory {
  liveCalls(): Promise<CarrierCallState[]>;
  fetchCall(callSid: string): Promise<CarrierCallState | undefined>;
  queueMembers(): Promise<{ queue: string; callSid: string }[]>;
  liveConferences(): Promise<{ friendlyName: string; participants: string[] }[]>;
  hangup(callSid: string): Promise<void>;
}

export interface ReconciliationReport {
  repairs: Repair[];
  kept: { waiting: number; connected: number };
}

export class CarrierReconciliation {
  constructor(
    private readonly d: {
      repo: ReconciliationRepo;
      calls: CallsRepo;
      queue: QueueEntriesRepo;
      interactions: InteractionsRepo;
      presenceService: PresenceService;
      rules: { get(queue: string): { wrapUpSeconds: number } };
      carrier: CarrierInventory;
      transact: Transact;
      clock: Clock;
      events: EventBus;
      log: Logger;
    },
  ) {}

  /** Reads the carrier, then repairs the database in one transaction; throws (changing nothing) if the carrier cannot be read. */
  async run(): Promise<ReconciliationReport> {
    // What the database held before the carrier was read. Webhooks keep coming while it is read (and the ACD may be
    // offering again on a retry): a row changed since then was changed by someone who knows better, so it is left alone.
    const before = this.d.repo.openCalls();
    const interactionsBefore = this.d.repo.liveInteractions();
    const stateOf = (ix: Pick<InteractionRow, 'status' | 'agentCallSid'>) => `${ix.status} ${ix.agentCallSid ?? ''}`;
    const ixBefore = new Map(interactionsBefore.map((ix) => [ix.id, stateOf(ix)]));
    const waitingBefore = new Map(this.d.queue.waiting().map((e) => [e.id, e.reservedBy]));
    const agentsBefore = new Map(this.d.repo.busyAgents().map((a) => [a.staffId, a.state]));
    const [live, members, conferences] = await Promise.all([this.d.carrier.liveCalls(), this.d.carrier.queueMembers(), this.d.carrier.liveConferences()]);
    const liveMap = new Map(live.map((c) => [c.sid, c]));
    const agentLegs = interactionsBefore.map((ix) => ix.agentCallSid).filter((s): s is string => !!s);
    const unknown = [...new Set([...before.map((c) => c.sid), ...agentLegs])].filter((sid) => !liveMap.has(sid));
    const gone = new Map<string, CarrierCallState | undefined>();
    for (let i = 0; i < unknown.length; i += 20) {
      const batch = unknown.slice(i, i + 20);
      const fetched = await Promise.all(batch.map((sid) => this.d.carrier.fetchCall(sid)));
      batch.forEach((sid, j) => gone.set(sid, fetched[j]));
    }
    // A call the carrier reports as still up under another listing (it started ringing while we read) is live.
    for (const [sid, c] of gone) if (c && !FINAL.has(c.status)) liveMap.set(sid, c);
    const snapshot: CarrierSnapshot = {
      live: liveMap,
      gone,
      queued: new Set(members.map((m) => m.callSid)),
      conferences: new Map(conferences.map((c) => [c.friendlyName, new Set(c.participants)])),
    };
    const now = this.d.clock.now();
    const known = new Set([...before.map((c) => c.sid), ...agentLegs]);
    const r = this.d.transact(() => {
      const allLive = this.d.repo.liveInteractions();
      const unchanged = allLive.filter((ix) => ixBefore.get(ix.id) === stateOf(ix));
      // An agent with an offer or a call that is new or moved since the read is not ours to free.
      const busyElsewhere = new Set(allLive.filter((ix) => !unchanged.includes(ix)).map((ix) => ix.agentId));
      const db: DbSnapshot = {
        // Only what existed before the carrier was read: a call that came in since is not the carrier's omission.
        openCalls: this.d.repo.openCalls().filter((c) => known.has(c.sid)),
        waiting: this.d.queue.waiting().filter((e) => waitingBefore.has(e.id) && waitingBefore.get(e.id) === e.reservedBy),
        live: unchanged,
        busyAgents: this.d.repo.busyAgents().filter((a) => agentsBefore.get(a.staffId) === a.state && !busyElsewhere.has(a.staffId)),
      };
      const repairs = planRepairs(db, snapshot, now);
      const events = repairs.flatMap((x) => this.apply(x, now));
      const connected = db.live.filter((ix) => ix.status === 'connected' && !repairs.some((x) => 'interactionId' in x && x.interactionId === ix.id)).length;
      return { repairs, events, kept: { waiting: db.waiting.length - repairs.filter((x) => x.kind === 'abandon-entry').length, connected } };
    });
    for (const e of r.events) this.d.events.publish(e);
    for (const x of r.repairs) {
      if ((x.kind === 'withdraw-offer' || x.kind === 'requeue-caller') && x.hangupLeg) {
        const leg = x.hangupLeg;
        this.d.carrier.hangup(leg).catch((err) => this.d.log.warn('reconciliation: could not hang up a stale agent leg', { agentCallSid: leg, err: String(err) }));
      }
    }
    this.d.log.info('reconciled with the carrier', { repairs: countBy(r.repairs), kept: r.kept, carrierLiveCalls: live.length });
    return { repairs: r.repairs, kept: r.kept };
  }

  private apply(x: Repair, now: Date): DomainEvent[] {
    const events: DomainEvent[] = [];
    const agent = (agentId: number, e: 'withdrawn' | 'call-ended', at: Date, callSid?: string) => {
      const entry = callSid ? this.d.queue.forCall(callSid) : undefined;
      const changed = this.d.presenceService.apply(agentId, e, at, this.d.rules.get(entry?.queue ?? '').wrapUpSeconds);
      if (changed) events.push(changed);
    };
    switch (x.kind) {
      case 'close-call':
        if (this.d.repo.closeCall(x.callSid, { status: x.status, endedAt: x.endedAt, durationSeconds: x.durationSeconds })) {
          this.d.calls.appendEvent({ callSid: x.callSid, dedupeKey: 'reconciled:closed', type: `call.${x.status}`, data: { reconciled: true }, at: x.endedAt });
        }
        break;
      case 'abandon-entry': {
        const ended = this.d.queue.end(x.callSid, 'abandoned', x.endedAt);
        if (ended) {
          this.d.calls.appendEvent({ callSid: x.callSid, dedupeKey: 'queue:ended', type: 'queue.abandoned', data: { queue: ended.queue, waitSeconds: ended.waitSeconds, reconciled: true }, at: x.endedAt });
          events.push({ type: 'CallAbandoned', callSid: x.callSid, queue: ended.queue, waitSeconds: ended.waitSeconds ?? 0, at: x.endedAt });
        }
        break;
      }
      case 'withdraw-offer': {
        const ix = this.d.interactions.get(x.interactionId);
        if (!ix || !this.d.interactions.transition(ix.id, 'offered', { status: 'withdrawn', endedAt: now })) break;
        if (x.queueEntryId) this.d.queue.release(x.queueEntryId);
        agent(x.agentId, 'withdrawn', now);
        break;
      }
      case 'end-interaction': {
        const ix = this.d.interactions.get(x.interactionId);
        if (!ix || !this.d.interactions.transition(ix.id, 'connected', { status: 'ended', endedAt: x.endedAt })) break;
        events.push({ type: 'CallEnded', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: x.endedAt });
        agent(x.agentId, 'call-ended', x.endedAt, ix.callSid);
        break;
      }
      case 'requeue-caller': {
        if (!this.d.interactions.transition(x.interactionId, 'connected', { status: 'withdrawn', endedAt: now })) break;
        this.d.queue.reopen(x.callSid);
        agent(x.agentId, 'call-ended', now, x.callSid);
        break;
      }
      case 'release-entry':
        this.d.queue.release(x.entryId);
        break;
      case 'free-agent':
        agent(x.agentId, x.event, x.at);
        break;
    }
    return events;
  }
}

function countBy(repairs: Repair[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const r of repairs) n[r.kind] = (n[r.kind] ?? 0) + 1;
  return n;
}
