// Owns the work order's life: opening it during or after a call, resolving or forwarding it, the department's answer
// (which puts a callback on the front desk's list), and closing it once the customer was told; every change is history.
import type { Principal } from '../auth/auth.service';
import type { StaffRow } from '../auth/staff.repo';
import type { Transact } from '../db/transaction';
import type { Department } from '../db/schema/index';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { workOrderDay, workOrderNumber } from './work-order-number';
import {
  canAnswer,
  canClose,
  canEdit,
  canOpen,
  canView,
  classificationProblems,
  forwardingProblems,
  listScope,
  transitionProblem,
  type ComplaintType,
  type WorkOrderCategory,
  type WorkOrderStatus,
  type WorkOrderViewer,
} from './work-order-rules';
import type { WorkOrderHistoryRow, WorkOrderRow, WorkOrdersRepo } from './work-orders.repo';

/** Who acts: the signed-in staff member (the department, when there is one, is looked up). */
export type Actor = Pick<Principal, 'id' | 'role'>;

export interface OpenWorkOrder {
  /** The call it was recorded on; its recognized customer becomes the work order's customer. */
  callSid?: string;
  /** The customer, when the call did not recognize one. */
  customerId?: number;
  category: WorkOrderCategory;
  complaintType?: ComplaintType;
  description: string;
  /** The order it is about; must exist. Gives the customer when neither the call nor customerId does. */
  orderNumber?: string;
  /** Settled on the call (resolved), to be answered by a department (forwarded), or still open. @default 'open' */
  status?: 'open' | 'resolved' | 'forwarded';
  department?: Department;
  note?: string;
}

export interface ChangeWorkOrder {
  description?: string;
  status?: 'resolved' | 'forwarded';
  department?: Department;
  /** Kept in the history; alone, it records a step of the investigation. */
  note?: string;
}

export interface WorkOrderListFilter {
  status?: WorkOrderStatus;
  customerId?: number;
  /** For team leads, supervisors and dispatchers: only the ones they opened. Agents always get their own. */
  mine?: boolean;
  limit?: number;
}

export type WorkOrderWithHistory = WorkOrderRow & { history: WorkOrderHistoryRow[] };

export interface WorkOrderServiceDeps {
  workOrders: WorkOrdersRepo;
  calls: { get(sid: string): { sid: string; from: string; customerId: number | null; language: string | null } | undefined };
  orders: { orderByNumber(number: string): { number: string; customerId: number } | undefined };
  staff: { byId(id: number): Pick<StaffRow, 'id' | 'department'> | undefined };
  transact: Transact;
  clock: Clock;
  events: EventBus;
  /** The center's time zone: its calendar day goes into the work order number. @default 'Asia/Shanghai' */
  timeZone?: string;
}

/** Where the front desk calls the customer back. */
interface CallbackTarget {
  customerId: number | null;
  phone: string;
  language: string;
}

export class WorkOrderService {
  private readonly timeZone: string;

  constructor(private readonly d: WorkOrderServiceDeps) {
    this.timeZone = d.timeZone ?? 'Asia/Shanghai';
  }

  open(actor: Actor, input: OpenWorkOrder): WorkOrderRow {
    if (!canOpen(actor)) throw new Forbidden('Only agents and team leads open work orders');
    const status = input.status ?? 'open';
    const problems = [...classificationProblems(input), ...forwardingProblems({ status, department: input.department })];
    if (problems.length) throw new Invalid(problems.join('; '), problems);

    const now = this.d.clock.now();
    const row = this.d.transact(() => {
      const customerId = this.customerFor(input);
      const day = workOrderDay(now, this.timeZone);
      let w = this.d.workOrders.insert({
        number: workOrderNumber(day, this.d.workOrders.lastSequence(day) + 1),
        callSid: input.callSid ?? null,
        customerId,
        agentId: actor.id,
        category: input.category,
        complaintType: input.complaintType ?? null,
        description: input.description,
        orderNumber: input.orderNumber ?? null,
        status: 'open',
        department: null,
        departmentAnswer: null,
        createdAt: now,
        updatedAt: now,
      });
      this.d.workOrders.addHistory({ workOrderId: w.id, actorId: actor.id, action: 'created', fromStatus: null, toStatus: 'open', note: status === 'open' ? (input.note ?? null) : null, at: now });
      if (status === 'forwarded') this.requireCallbackTarget(w);
      if (status !== 'open') w = this.move(w, status, actor, now, { department: input.department ?? null }, input.note);
      return w;
    });
    this.publish(row, now);
    return row;
  }

  list(actor: Actor, f: WorkOrderListFilter = {}): WorkOrderRow[] {
    const scope = listScope(this.viewer(actor), f.mine ?? false);
    if ('none' in scope) throw new Forbidden('Your role does not see work orders');
    return this.d.workOrders.list({ status: f.status, customerId: f.customerId, limit: f.limit, ...('all' in scope ? {} : scope) });
  }

  get(actor: Actor, id: number): WorkOrderWithHistory {
    const w = this.find(id);
    if (!canView(this.viewer(actor), w)) throw new Forbidden('This work order is not yours to see');
    return { ...w, history: this.d.workOrders.history(id) };
  }

  /** Edits the description, adds a note, resolves or forwards an open work order. */
  change(actor: Actor, id: number, c: ChangeWorkOrder): WorkOrderRow {
    if (c.description === undefined && c.status === undefined && c.note === undefined && c.department === undefined) {
      throw new Invalid('Nothing to change: give a description, a status (resolved or forwarded) or a note');
    }
    if (c.status !== undefined) {
      const problems = forwardingProblems({ status: c.status, department: c.department });
      if (problems.length) throw new Invalid(problems.join('; '), problems);
    } else if (c.department !== undefined) {
      throw new Invalid('department is given only when forwarding (status forwarded)', ['department is given only when forwarding (status forwarded)']);
    }
    const now = this.d.clock.now();
    const { row, changed } = this.d.transact(() => {
      let w = this.find(id);
      if (!canEdit(this.viewer(actor), w)) throw new Forbidden('Only the agent who opened this work order, or a team lead, may change it');
      if (w.status === 'closed') throw new Conflict(`Work order ${w.number} is closed`);
      const edited = c.description !== undefined && c.description !== w.description;
      if (edited) {
        const note = [c.status === undefined ? c.note : undefined, `previous description: ${w.description}`].filter(Boolean).join('\n');
        w = this.d.workOrders.transition(w.id, w.status, { description: c.description, updatedAt: now }) ?? this.raced(w);
        this.d.workOrders.addHistory({ workOrderId: w.id, actorId: actor.id, action: 'edited', fromStatus: w.status, toStatus: w.status, note, at: now });
      } else if (c.status === undefined && c.note !== undefined) {
        this.d.workOrders.addHistory({ workOrderId: w.id, actorId: actor.id, action: 'noted', fromStatus: w.status, toStatus: w.status, note: c.note, at: now });
      }
      if (c.status !== undefined) {
        const problem = transitionProblem(w.status, c.status);
        if (problem) throw new Conflict(`Work order ${w.number}: ${problem}`);
        // Checked before the move, so a work order that could never be called back is not forwarded.
        if (c.status === 'forwarded') this.requireCallbackTarget(w);
        w = this.move(w, c.status, actor, now, { department: c.department ?? null }, c.note);
      }
      return { row: w, changed: edited || c.status !== undefined };
    });
    if (changed) this.publish(row, now);
    return row;
  }

  /** The department's answer: the work order becomes answered and the front desk gets a callback to tell the customer. */
  answer(actor: Actor, id: number, a: { answer: string; note?: string }): { workOrder: WorkOrderRow; callbackRequestId: number } {
    const now = this.d.clock.now();
    const result = this.d.transact(() => {
      const w = this.find(id);
      const viewer = this.viewer(actor);
      if (!canAnswer(viewer, w)) throw new Forbidden(`Work order ${w.number} is not forwarded to your department`);
      const problem = transitionProblem(w.status, 'answered');
      if (problem) throw new Conflict(`Work order ${w.number}: ${problem}`);
      const target = this.callbackTarget(w);
      if (!target) throw new Conflict(`Work order ${w.number} has no customer phone to call back`);
      const answered = this.move(w, 'answered', actor, now, { departmentAnswer: a.answer }, a.note ? `${a.answer}\n${a.note}` : a.answer);
      const callbackRequestId = this.d.workOrders.addCallback({
        workOrderId: w.id,
        customerId: target.customerId,
        phone: target.phone,
        desk: 'front',
        reason: `work_order:${w.number}`,
        language: target.language,
        requestedAt: now,
      });
      return { workOrder: answered, callbackRequestId };
    });
    this.publish(result.workOrder, now, { type: 'CallbackRequested', callbackId: result.callbackRequestId, desk: 'front', source: 'work_order', at: now });
    return result;
  }

  /** Closes a work order once the customer was told (its callback is done), or a resolved one. */
  close(actor: Actor, id: number, c: { note?: string } = {}): WorkOrderRow {
    const now = this.d.clock.now();
    const row = this.d.transact(() => {
      const w = this.find(id);
      if (!canClose(this.viewer(actor), w)) throw new Forbidden('Only the agent who opened it, the agent who called back, a team lead or a supervisor may close a work order');
      const problem = transitionProblem(w.status, 'closed');
      if (problem) throw new Conflict(`Work order ${w.number}: ${problem}`);
      const closed = this.move(w, 'closed', actor, now, {}, c.note);
      this.d.workOrders.finishCallbacks(w.id, now);
      return closed;
    });
    this.publish(row, now);
    return row;
  }

  private move(w: WorkOrderRow, to: WorkOrderStatus, actor: Actor, now: Date, changes: Partial<WorkOrderRow>, note: string | undefined): WorkOrderRow {
    const problem = transitionProblem(w.status, to);
    if (problem) throw new Conflict(`Work order ${w.number}: ${problem}`);
    const moved = this.d.workOrders.transition(w.id, w.status, { ...changes, status: to, updatedAt: now }) ?? this.raced(w);
    this.d.workOrders.addHistory({ workOrderId: w.id, actorId: actor.id, action: to, fromStatus: w.status, toStatus: to, note: note ?? null, at: now });
    return moved;
  }

  private raced(w: WorkOrderRow): never {
    throw new Conflict(`Work order ${w.number} was changed by someone else; reload it`);
  }

  private find(id: number): WorkOrderRow {
    const w = this.d.workOrders.get(id);
    if (!w) throw new NotFound(`No work order ${id}`);
    return w;
  }

  private viewer(actor: Actor): WorkOrderViewer {
    const department = actor.role === 'department' ? (this.d.staff.byId(actor.id)?.department ?? null) : null;
    return { id: actor.id, role: actor.role, department };
  }

  /** The call's recognized customer, else the one named, else the order's; checks that each one named exists. */
  private customerFor(input: OpenWorkOrder): number | null {
    const problems: string[] = [];
    const call = input.callSid !== undefined ? this.d.calls.get(input.callSid) : undefined;
    if (input.callSid !== undefined && !call) problems.push(`callSid: no call ${input.callSid}`);
    const order = input.orderNumber !== undefined ? this.d.orders.orderByNumber(input.orderNumber) : undefined;
    if (input.orderNumber !== undefined && !order) problems.push(`orderNumber: no order ${input.orderNumber}`);
    if (input.customerId !== undefined && !this.d.workOrders.customerContact(input.customerId)) problems.push(`customerId: no customer ${input.customerId}`);
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    return call?.customerId ?? input.customerId ?? order?.customerId ?? null;
  }

  /** The customer's primary phone, else the number the call came from; the call's language, else the customer's, else Chinese. */
  private callbackTarget(w: WorkOrderRow): CallbackTarget | undefined {
    const contact = w.customerId !== null ? this.d.workOrders.customerContact(w.customerId) : undefined;
    const call = w.callSid ? this.d.calls.get(w.callSid) : undefined;
    const phone = contact?.phone ?? (call?.from || null);
    if (!phone) return undefined;
    return { customerId: contact?.customerId ?? null, phone, language: call?.language ?? contact?.preferredLanguage ?? 'zh' };
  }

  private requireCallbackTarget(w: WorkOrderRow): void {
    if (!this.callbackTarget(w)) throw new Invalid('A forwarded work order needs a customer to call back: link the call, the order or the customer');
  }

  private publish(w: WorkOrderRow, at: Date, ...more: DomainEvent[]): void {
    this.d.events.publish({ type: 'WorkOrderUpdated', workOrderId: w.id, number: w.number, status: w.status, agentId: w.agentId, at });
    for (const e of more) this.d.events.publish(e);
  }
}
