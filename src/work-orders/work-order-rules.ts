// The work order's rules, pure: which status may follow which, how a work order is classified, and who may see or change it.
import { workOrders, type Department, type Role } from '../db/schema/index';

export const WORK_ORDER_STATUSES = workOrders.status.enumValues;
export const WORK_ORDER_CATEGORIES = workOrders.category.enumValues;
export const COMPLAINT_TYPES = workOrders.complaintType.enumValues;

export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];
export type WorkOrderCategory = (typeof WORK_ORDER_CATEGORIES)[number];
export type ComplaintType = (typeof COMPLAINT_TYPES)[number];

/**
 * open → resolved (settled on the call) or forwarded (to a department) → answered (by the department) → closed (after the
 * front desk told the customer). A resolved work order may still be closed, so that `closed` is the one final state.
 */
export const WORK_ORDER_TRANSITIONS: Readonly<Record<WorkOrderStatus, readonly WorkOrderStatus[]>> = {
  open: ['resolved', 'forwarded'],
  resolved: ['closed'],
  forwarded: ['answered'],
  answered: ['closed'],
  closed: [],
};

export function canTransition(from: WorkOrderStatus, to: WorkOrderStatus): boolean {
  return WORK_ORDER_TRANSITIONS[from].includes(to);
}

/** Why `from` may not become `to`, or undefined when it may. */
export function transitionProblem(from: WorkOrderStatus, to: WorkOrderStatus): string | undefined {
  if (canTransition(from, to)) return undefined;
  const next = WORK_ORDER_TRANSITIONS[from];
  return `A work order that is ${from} cannot become ${to}` + (next.length ? ` (it can become: ${next.join(', ')})` : ' (it is final)');
}

/** A complaint needs its type; any other category must not have one. */
export function classificationProblems(c: { category: WorkOrderCategory; complaintType?: ComplaintType | null }): string[] {
  if (c.category === 'complaint' && !c.complaintType) return [`complaintType is required for a complaint (one of: ${COMPLAINT_TYPES.join(', ')})`];
  if (c.category !== 'complaint' && c.complaintType) return [`complaintType is only for complaints, not for ${c.category}`];
  return [];
}

/** Forwarding needs the department that must answer; a department is named only when forwarding. */
export function forwardingProblems(c: { status: WorkOrderStatus; department?: Department | null }): string[] {
  if (c.status === 'forwarded' && !c.department) return ['department is required to forward a work order'];
  if (c.status !== 'forwarded' && c.department) return ['department is given only when forwarding (status forwarded)'];
  return [];
}

/** Who is asking: a `department` account carries the department it answers for. */
export interface WorkOrderViewer {
  id: number;
  role: Role;
  department: Department | null;
}

/** The columns the access rules look at. */
export interface WorkOrderAccessFacts {
  agentId: number;
  status: WorkOrderStatus;
  department: Department | null;
}

const SEE_ALL: readonly Role[] = ['team_lead', 'supervisor', 'dispatcher', 'admin'];

export function canOpen(v: Pick<WorkOrderViewer, 'role'>): boolean {
  return v.role === 'agent' || v.role === 'team_lead';
}

/**
 * An agent sees the work orders they opened, and any answered one: whoever at the front desk takes the callback must
 * read the department's answer. A department sees only what was forwarded to it.
 */
export function canView(v: WorkOrderViewer, w: WorkOrderAccessFacts): boolean {
  if (SEE_ALL.includes(v.role)) return true;
  if (v.role === 'agent') return w.agentId === v.id || w.status === 'answered';
  if (v.role === 'department') return v.department !== null && w.department === v.department;
  return false;
}

/** Description, notes, resolving and forwarding: the agent who opened it, or a team lead. */
export function canEdit(v: WorkOrderViewer, w: WorkOrderAccessFacts): boolean {
  return v.role === 'team_lead' || (v.role === 'agent' && w.agentId === v.id);
}

/** The department it was forwarded to, or a supervisor or admin on its behalf. */
export function canAnswer(v: WorkOrderViewer, w: WorkOrderAccessFacts): boolean {
  if (v.role === 'supervisor' || v.role === 'admin') return true;
  return v.role === 'department' && v.department !== null && w.department === v.department;
}

/** Team leads and supervisors; an agent closes their own, or any answered one after calling the customer back. */
export function canClose(v: WorkOrderViewer, w: WorkOrderAccessFacts): boolean {
  if (v.role === 'team_lead' || v.role === 'supervisor') return true;
  return v.role === 'agent' && (w.agentId === v.id || w.status === 'answered');
}

/** What a list request may return: an agent their own, a department its own, the floor everything (or their own with `mine`). */
export type ListScope = { agentId: number } | { department: Department } | { all: true } | { none: true };

export function listScope(v: WorkOrderViewer, mine: boolean): ListScope {
  if (v.role === 'agent') return { agentId: v.id };
  if (v.role === 'department') return v.department ? { department: v.department } : { none: true };
  if (SEE_ALL.includes(v.role)) return mine ? { agentId: v.id } : { all: true };
  return { none: true };
}
