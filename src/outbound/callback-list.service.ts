// Owns who sees and changes the callback list: agents their own items and their desks' pools, dispatchers and
// supervisors everything (reassign, reschedule, cancel, add), the do-not-call list and the per-type settings; every
// change made on someone else's item is audited.
import type { Role } from '../db/schema/index';
import type { CallbackType } from '../db/schema/index';
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { PRIORITIES } from '../ivr/nodes/common';
import { maskPhone } from '../logging/logger';
import { hhmm, insideCallingHours, localDateTime, minuteOfDay } from './calling-hours';
import { callingHours, type CallbackListFilter, type CallbackListRow, type CallbackRequestsRepo, type CallbackScope, type CallbackSetting, type CallbackStatus } from './callback-requests.repo';
import type { DoNotCallEntry, DoNotCallRepo } from './do-not-call.repo';

type Desk = 'front' | 'middle' | 'back';

/** Who acts, and from where (for the audit trail). */
export interface CallbackActor {
  id: number;
  role: Role;
  ip?: string | null;
}

/** Roles that work the list (they dial it or dispatch it) see full numbers; a read-only role sees them masked. */
const FULL_NUMBER_ROLES: readonly Role[] = ['agent', 'dispatcher', 'supervisor'];
const DISPATCHING_ROLES: readonly Role[] = ['dispatcher', 'supervisor'];
const READ_ALL_ROLES: readonly Role[] = ['dispatcher', 'supervisor', 'team_lead'];

/** A manual callback's type when none is given: the kind of call each desk makes. */

export const E164 = /^\+[1-9]\d{6,14}$/;

export interface CallbackAttemptView {
  id: number;
  state: string;
  result: string | null;
  answeredBy: string | null;
  at: string;
  dialedAt: string | null;
  endedAt: string | null;
  agent: { id: number; name: string | null } | null;
  note: string | null;
}

export interface CallbackView {
  id: number;
  type: CallbackType;
  desk: Desk;
  status: CallbackStatus;
  priority: number;
  reason: string;
  language: string;
  requestedAt: string;
  dueAt: string;
  eligibleAt: string;
  owner: { id: number; name: string | null } | null;
  reservedBy: number | null;
  customer: { id: number; name: string | null; tier: string | null } | null;
  phone: string;
  timeZone: string;
  /** The customer's wall clock now (YYYY-MM-DD HH:MM), and whether that is inside the type's calling hours. */
  customerLocalTime: string;
  insideCallingHours: boolean;
  queueSeconds: number;
  attemptCount: number;
  lastResult: string | null;
  attempts: CallbackAttemptView[];
  outcome: string | null;
  question: string | null;
  answer: string | null;
  orderNumber: string | null;
  rmaNumber: string | null;
  workOrderNumber: string | null;
  callSid: string | null;
  updatedAt: string | null;
  closedAt: string | null;
}

export interface CallbackSettingView {
  type: CallbackType;
  mode: 'progressive' | 'preview';
  callingStart: string;
  callingEnd: string;
  maxAttempts: number;
  retryMinutes: number;
}

export interface CallbackChange {
  /** An active agent on the item's desk, or null for the desk's pool. */
  ownerId?: number | null;
  dueAt?: Date;
  priority?: number;
  /** Why (required when the item is not the actor's own: it is audited). */
  reason?: string;
}

export interface ManualCallback {
  phone?: string;
  customerId?: number;
  reason: string;
  desk: Desk;
  type?: CallbackType;
  dueAt?: Date;
  /** An agent on that desk, or null for the pool; an agent's own by default when an agent adds it. */
  ownerId?: number | null;
  priority?: number;
  question?: string;
  /** Why a dispatcher adds it (audited). */
  note?: string;
}

export interface SettingChange {
  mode?: 'progressive' | 'preview';
  callingStart?: string;
  callingEnd?: string;
  maxAttempts?: number;
  retryMinutes?: number;
}

export interface CallbackListServiceDeps {
  callbacks: CallbackRequestsRepo;
  doNotCall: DoNotCallRepo;
  /** An agent account with its desks (AgentDesksRepo.agent). */
  agents: { agent(id: number): { id: number; active: boolean; desks: { desk: Desk }[] } | undefined };
  audit: AuditRepo;
  transact: Transact;
  clock: Clock;
  events: Pick<EventBus, 'publish'>;
}

export class CallbackListService {
  constructor(private readonly d: CallbackListServiceDeps) {}

  /** A page of the list in dialing order: an agent's own and their desks' pools, or everything for the floor's roles. */
  list(actor: CallbackActor, f: Omit<CallbackListFilter, 'statuses'> & { statuses?: readonly CallbackStatus[] }): { items: CallbackView[]; more: boolean } {
    const scope = this.scope(actor);
    const statuses = f.statuses?.length ? f.statuses : (['open', 'in_progress'] as const);
    const rows = this.d.callbacks.list(scope, { ...f, statuses, limit: f.limit + 1 });
    const more = rows.length > f.limit;
    return { items: this.views(actor, rows.slice(0, f.limit)), more };
  }

  get(actor: CallbackActor, id: number): CallbackView {
    const row = this.d.callbacks.row(id);
    if (!row) throw new NotFound(`No callback ${id}`);
    if (!this.maySee(actor, row)) throw new Forbidden(`Callback ${id} is neither yours nor in the pool of a desk you are on`);
    return this.views(actor, [row])[0];
  }

  /** Reassigns, reschedules or re-prioritises an open item; an agent may only reschedule their own. */
  change(actor: CallbackActor, id: number, c: CallbackChange): CallbackView {
    if (c.ownerId === undefined && c.dueAt === undefined && c.priority === undefined) throw new Invalid('Nothing to change: give ownerId, dueAt or priority');
    const now = this.d.clock.now();
    this.d.transact(() => {
      const item = this.d.callbacks.get(id);
      if (!item) throw new NotFound(`No callback ${id}`);
      const own = item.ownerId === actor.id;
      if (!DISPATCHING_ROLES.includes(actor.role)) {
        if (!own) throw new Forbidden(`Callback ${id} is not yours: a dispatcher or supervisor may change it`);
        if (c.ownerId !== undefined || c.priority !== undefined) throw new Forbidden('An agent may only reschedule (dueAt) their own callback');
      }
      if (!own && !c.reason) throw new Invalid('reason: required when changing a callback that is not yours (it is audited)', ['reason: required when changing a callback that is not yours (it is audited)']);
      this.requireOpen(item.status, id);
      if (c.ownerId !== undefined && c.ownerId !== null) this.requireAgentOnDesk(c.ownerId, item.desk, 'ownerId');
      const dueAt = c.dueAt && c.dueAt.getTime() < now.getTime() ? now : c.dueAt;
      if (!this.d.callbacks.change(id, { ownerId: c.ownerId, dueAt, priority: c.priority }, now)) this.requireOpen(this.d.callbacks.get(id)?.status ?? 'failed', id);
      if (!own) {
        const after = this.d.callbacks.get(id)!;
        this.d.audit.record({
          at: now,
          actorId: actor.id,
          action: 'callback.changed',
          subjectType: 'callback',
          subjectId: id,
          reason: c.reason,
          ip: actor.ip,
          detail: {
            before: { ownerId: item.ownerId, dueAt: item.dueAt.toISOString(), priority: item.priority },
            after: { ownerId: after.ownerId, dueAt: after.dueAt.toISOString(), priority: after.priority },
          },
        });
      }
    });
    return this.get(actor, id);
  }

  /** Takes an item off the list for good (outcome cancelled). */
  cancel(actor: CallbackActor, id: number, reason: string): CallbackView {
    if (!DISPATCHING_ROLES.includes(actor.role)) throw new Forbidden('Only a dispatcher or supervisor cancels a callback');
    const now = this.d.clock.now();
    this.d.transact(() => {
      const item = this.d.callbacks.get(id);
      if (!item) throw new NotFound(`No callback ${id}`);
      if (!this.d.callbacks.close(id, 'cancelled', now)) throw new Conflict(`Callback ${id} is already closed (${item.outcome ?? item.status})`);
      this.d.audit.record({ at: now, actorId: actor.id, action: 'callback.cancelled', subjectType: 'callback', subjectId: id, reason, ip: actor.ip, detail: { from: item.status, ownerId: item.ownerId } });
    });
    return this.get(actor, id);
  }

  /** A callback someone asked for outside the phone system (a customer's e-mail, a note from another desk). */
  add(actor: CallbackActor, m: ManualCallback): CallbackView {
    const now = this.d.clock.now();
    const dispatching = DISPATCHING_ROLES.includes(actor.role);
    if (!dispatching && actor.role !== 'agent') throw new Forbidden('Only agents, dispatchers and supervisors add callbacks');
    const problems: string[] = [];
    if (m.phone !== undefined && !E164.test(m.phone)) problems.push('phone: must be an E.164 number, e.g. +8613800138000');
    const contact = m.customerId !== undefined ? this.d.callbacks.customerContact(m.customerId) : undefined;
    if (m.customerId !== undefined && !contact) problems.push(`customerId: no customer ${m.customerId}`);
    const phone = m.phone ?? contact?.phone ?? undefined;
    if (!phone && !problems.length) problems.push(m.customerId === undefined ? 'phone: give the number to call, or a customerId' : `phone: customer ${m.customerId} has no phone on file; give one`);
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    const ownerId = m.ownerId !== undefined ? m.ownerId : dispatching ? null : actor.id;
    if (!dispatching) {
      const me = this.d.agents.agent(actor.id);
      if (!me?.desks.some((d) => d.desk === m.desk)) throw new Forbidden(`You are not on the ${m.desk} desk`);
      if (ownerId !== null && ownerId !== actor.id) throw new Forbidden('An agent adds a callback for themselves or for their desk’s pool');
    } else if (ownerId !== null) {
      this.requireAgentOnDesk(ownerId, m.desk, 'ownerId');
    }
    const type = m.type ?? 'manual';
    const id = this.d.transact(() => {
      const added = this.d.callbacks.add({
        customerId: m.customerId ?? null,
        phone: phone!,
        desk: m.desk,
        reason: m.reason,
        language: contact?.preferredLanguage ?? 'zh',
        source: type,
        priority: m.priority ?? PRIORITIES[contact?.tier ?? 'new'],
        dueAt: m.dueAt && m.dueAt.getTime() > now.getTime() ? m.dueAt : now,
        ownerId,
        question: m.question ?? null,
        requestedAt: now,
      })!;
      if (ownerId !== actor.id) {
        this.d.audit.record({ at: now, actorId: actor.id, action: 'callback.added', subjectType: 'callback', subjectId: added, reason: m.note ?? m.reason, ip: actor.ip, detail: { type, desk: m.desk, ownerId, phone: maskPhone(phone) } });
      }
      return added;
    });
    this.d.events.publish({ type: 'CallbackRequested', callbackId: id, desk: m.desk, source: type, at: now });
    return this.get(actor, id);
  }

  doNotCallList(f: { phone?: string; limit: number; offset: number }): { entries: DoNotCallEntry[]; more: boolean } {
    const rows = this.d.doNotCall.list({ ...f, limit: f.limit + 1 });
    return { entries: rows.slice(0, f.limit), more: rows.length > f.limit };
  }

  /** Puts a number on the do-not-call list and closes every callback still waiting for it (outcome do_not_call). */
  addDoNotCall(actor: CallbackActor, phone: string, reason: string): { entry: DoNotCallEntry; added: boolean; closedCallbacks: number[] } {
    if (!E164.test(phone)) throw new Invalid('phone: must be an E.164 number, e.g. +8613800138000', ['phone: must be an E.164 number, e.g. +8613800138000']);
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const added = this.d.doNotCall.add({ phone, reason, addedBy: actor.id, addedAt: now });
      const closedCallbacks = this.d.callbacks.closeWaitingFor(phone, 'do_not_call', now);
      if (added) this.d.audit.record({ at: now, actorId: actor.id, action: 'do_not_call.added', subjectType: 'do_not_call', subjectId: maskPhone(phone), reason, ip: actor.ip, detail: { phone: maskPhone(phone), closedCallbacks } });
      return { entry: this.d.doNotCall.get(phone)!, added, closedCallbacks };
    });
  }

  /** Takes a number off the list: it may be called again (callbacks already closed for it stay closed). */
  removeDoNotCall(actor: CallbackActor, phone: string, reason: string): void {
    if (!E164.test(phone)) throw new Invalid('phone: must be an E.164 number, e.g. +8613800138000', ['phone: must be an E.164 number, e.g. +8613800138000']);
    const now = this.d.clock.now();
    this.d.transact(() => {
      const entry = this.d.doNotCall.get(phone);
      if (!entry || !this.d.doNotCall.remove(phone)) throw new NotFound(`${maskPhone(phone)} is not on the do-not-call list`);
      this.d.audit.record({ at: now, actorId: actor.id, action: 'do_not_call.removed', subjectType: 'do_not_call', subjectId: maskPhone(phone), reason, ip: actor.ip, detail: { phone: maskPhone(phone), addedBy: entry.addedBy, addedAt: entry.addedAt.toISOString() } });
    });
  }

  settings(): CallbackSettingView[] {
    return this.d.callbacks.allSettings().map(settingView);
  }

  /** Changes how a type is dialed; takes effect at the dialer's next pick (the repo is shared, or re-reads on change). */
  changeSetting(actor: CallbackActor, type: CallbackType, c: SettingChange): CallbackSettingView {
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const before = this.d.callbacks.allSettings().find((s) => s.type === type)!;
      const start = c.callingStart !== undefined ? minuteOfDay(c.callingStart) : before.callingStartMinute;
      const end = c.callingEnd !== undefined ? minuteOfDay(c.callingEnd) : before.callingEndMinute;
      const problems: string[] = [];
      if (start === undefined) problems.push('callingStart: a time of day HH:MM, e.g. 09:00');
      if (end === undefined) problems.push('callingEnd: a time of day HH:MM, e.g. 21:00');
      if (start !== undefined && end !== undefined && start >= end) problems.push(`callingEnd: must be after callingStart (${hhmm(start)})`);
      if (problems.length) throw new Invalid(problems.join('; '), problems);
      const changes: Partial<Omit<CallbackSetting, 'type'>> = {};
      if (c.mode !== undefined) changes.mode = c.mode;
      if (c.callingStart !== undefined) changes.callingStartMinute = start;
      if (c.callingEnd !== undefined) changes.callingEndMinute = end;
      if (c.maxAttempts !== undefined) changes.maxAttempts = c.maxAttempts;
      if (c.retryMinutes !== undefined) changes.retryMinutes = c.retryMinutes;
      const after = this.d.callbacks.saveSetting(type, changes, now);
      this.d.audit.record({ at: now, actorId: actor.id, action: 'callback_settings.changed', subjectType: 'callback_settings', subjectId: type, ip: actor.ip, detail: { before: settingView(before), after: settingView(after) } });
      return settingView(after);
    });
  }

  private scope(actor: CallbackActor): CallbackScope {
    if (READ_ALL_ROLES.includes(actor.role)) return { all: true };
    if (actor.role !== 'agent') throw new Forbidden('Your role does not see the callback list');
    return { ownerId: actor.id, desks: this.d.agents.agent(actor.id)?.desks.map((d) => d.desk) ?? [] };
  }

  private maySee(actor: CallbackActor, row: CallbackListRow): boolean {
    const scope = this.scope(actor);
    if ('all' in scope) return true;
    const item = row.item;
    return item.ownerId === actor.id || item.reservedBy === actor.id || (item.ownerId === null && scope.desks.includes(item.desk));
  }

  private requireOpen(status: CallbackStatus, id: number): void {
    if (status === 'in_progress') throw new Conflict(`Callback ${id} is being called now; change it once the call is over`);
    if (status !== 'open') throw new Conflict(`Callback ${id} is closed`);
  }

  private requireAgentOnDesk(agentId: number, desk: Desk, field: string): void {
    const agent = this.d.agents.agent(agentId);
    if (!agent?.active || !agent.desks.some((d) => d.desk === desk)) {
      throw new Invalid(`${field}: ${agentId} is not an active agent on the ${desk} desk`, [`${field}: ${agentId} is not an active agent on the ${desk} desk`]);
    }
  }

  private views(actor: CallbackActor, rows: CallbackListRow[]): CallbackView[] {
    const now = this.d.clock.now();
    const attempts = this.d.callbacks.attempts(rows.map((r) => r.item.id));
    const fullNumber = FULL_NUMBER_ROLES.includes(actor.role);
    return rows.map((r) => {
      const i = r.item;
      const setting = this.d.callbacks.settings(i.source);
      return {
        id: i.id,
        type: i.source,
        desk: i.desk,
        status: i.status,
        priority: i.priority,
        reason: i.reason,
        language: i.language,
        requestedAt: i.requestedAt.toISOString(),
        dueAt: i.dueAt.toISOString(),
        eligibleAt: i.eligibleAt.toISOString(),
        owner: i.ownerId === null ? null : { id: i.ownerId, name: r.ownerName },
        reservedBy: i.reservedBy,
        customer: i.customerId === null ? null : { id: i.customerId, name: r.customerName, tier: r.customerTier },
        phone: fullNumber ? i.phone : maskPhone(i.phone),
        timeZone: i.timeZone,
        customerLocalTime: localDateTime(now, i.timeZone),
        insideCallingHours: insideCallingHours(now, i.timeZone, callingHours(setting)),
        queueSeconds: i.queueSeconds,
        attemptCount: i.attempts,
        lastResult: i.lastResult,
        attempts: attempts
          .filter((a) => a.callbackId === i.id)
          .map((a) => ({
            id: a.id,
            state: a.state,
            result: a.result,
            answeredBy: a.answeredBy,
            at: a.createdAt.toISOString(),
            dialedAt: a.dialedAt?.toISOString() ?? null,
            endedAt: a.endedAt?.toISOString() ?? null,
            agent: a.agentId === null ? null : { id: a.agentId, name: a.agentName },
            note: a.note,
          })),
        outcome: i.outcome,
        question: i.question,
        answer: i.answer,
        orderNumber: r.orderNumber,
        rmaNumber: r.rmaNumber,
        workOrderNumber: r.workOrderNumber,
        callSid: i.callSid,
        updatedAt: i.updatedAt?.toISOString() ?? null,
        closedAt: i.closedAt?.toISOString() ?? null,
      };
    });
  }
}

export function settingView(s: CallbackSetting): CallbackSettingView {
  return { type: s.type, mode: s.mode, callingStart: hhmm(s.callingStartMinute), callingEnd: hhmm(s.callingEndMinute), maxAttempts: s.maxAttempts, retryMinutes: s.retryMinutes };
}
