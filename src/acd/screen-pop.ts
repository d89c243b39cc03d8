// Owns the screen pop: what an agent sees about a caller while the call rings (account, orders, RMAs, work orders, IVR, queue).
import type { RmaStatus } from '../db/schema/index';
import type { PathEntry } from '../ivr/flow-types';
import type { ScreenPopRepo } from './screen-pop.repo';

export interface ScreenPopCustomer {
  id: number;
  accountNumber: string;
  name: string;
  tier: 'new' | 'returning' | 'vip';
  preferredLanguage: 'zh' | 'en';
  customerSince: Date;
  phones: { phone: string; label: 'mobile' | 'home' | 'work' }[];
}

export interface ScreenPopOrder {
  number: string;
  /** In fen (1/100 yuan), exact. */
  amountFen: number;
  payment: 'prepaid' | 'cod';
  status: 'pending_review' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';
  shippingCarrier: string | null;
  trackingNumber: string | null;
  items: { sku: string; name: string; quantity: number }[];
  placedAt: Date;
  updatedAt: Date;
}

export interface ScreenPopRma {
  number: string;
  kind: 'return' | 'exchange';
  status: RmaStatus;
  reason: string | null;
  orderNumber: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScreenPopWorkOrder {
  number: string;
  category: 'inquiry' | 'complaint' | 'return_exchange' | 'other';
  complaintType: 'product_quality' | 'service_attitude' | 'logistics' | 'other' | null;
  status: 'open' | 'resolved' | 'forwarded' | 'answered' | 'closed';
  department: 'warehouse' | 'logistics' | 'finance' | 'merchandise' | null;
  description: string;
  orderNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the caller did in the IVR before asking for an agent. */
export interface IvrSummary {
  flowId: string | null;
  language: string | null;
  /** Node ids in the order visited; a node that re-prompted appears once per visit, not once per webhook. */
  nodes: string[];
  /** Keys pressed and words said, with the node that heard them. */
  inputs: { node: string; input: string; outcome: string | null }[];
  /** The digits the caller typed as an order number (the flow's `typedOrder` variable). */
  typedOrderNumber: string | null;
  /** The order the IVR found and read out (typed, or the caller's latest). */
  orderNumber: string | null;
  /** The open RMA the IVR found and read out. */
  rmaNumber: string | null;
}

export interface ScreenPopQueueEntry {
  queue: string;
  desk: 'front' | 'middle' | 'back';
  priority: number;
  reason: string | null;
  enqueuedAt: Date;
}

export interface ScreenPop {
  callSid: string;
  /** Unmasked: the pop goes only to the agent the call is offered to. Null when the call is unknown. */
  callerNumber: string | null;
  /** Null for a caller the center does not know. */
  customer: ScreenPopCustomer | null;
  recentOrders: ScreenPopOrder[];
  openRmas: ScreenPopRma[];
  openWorkOrders: ScreenPopWorkOrder[];
  /** Null when the call did not go through an IVR flow. */
  ivr: IvrSummary | null;
  queueEntry: ScreenPopQueueEntry | null;
}

/** The call an agent is being offered or is talking on, with its pop (sent again when the agent's desktop reconnects). */
export interface LiveScreenPop {
  interactionId: number;
  callSid: string;
  queue: string | null;
  status: 'offered' | 'connected';
  pop: ScreenPop;
}

/** A pop with nothing known but the call: shown rather than nothing when the call or its lookup is missing. */
export function emptyScreenPop(callSid: string): ScreenPop {
  return { callSid, callerNumber: null, customer: null, recentOrders: [], openRmas: [], openWorkOrders: [], ivr: null, queueEntry: null };
}

export class ScreenPopService {
  constructor(private readonly d: { repo: ScreenPopRepo }) {}

  /** What the agent must see before answering `callSid`; an unknown call gives an empty pop. */
  forCall(callSid: string): ScreenPop {
    const call = this.d.repo.call(callSid);
    if (!call) return emptyScreenPop(callSid);
    // The IVR stores the recognized customer; a call that skipped it (fallback) is still recognized by its number.
    const customerId = call.customerId ?? this.d.repo.customerIdByPhone(call.from);
    const customer = customerId === undefined ? undefined : this.d.repo.customer(customerId);
    const entry = this.d.repo.queueEntry(callSid);
    return {
      callSid,
      callerNumber: call.from || null,
      customer: customer
        ? {
            id: customer.id,
            accountNumber: customer.accountNumber,
            name: customer.name,
            tier: customer.tier,
            preferredLanguage: customer.preferredLanguage,
            customerSince: customer.createdAt,
            phones: this.d.repo.phones(customer.id),
          }
        : null,
      recentOrders: customer ? this.d.repo.recentOrders(customer.id).map(({ items, ...o }) => ({ ...o, items: orderItems(items) })) : [],
      openRmas: customer ? this.d.repo.openRmas(customer.id) : [],
      openWorkOrders: customer ? this.d.repo.openWorkOrders(customer.id) : [],
      ivr: summarizeIvr(call),
      queueEntry: entry ? { queue: entry.queue, desk: entry.desk, priority: entry.priority, reason: entry.reason, enqueuedAt: entry.enqueuedAt } : null,
    };
  }

  /** The agent's live call (offered or connected) with its pop, if there is one. */
  forAgent(agentId: number): LiveScreenPop | undefined {
    const live = this.d.repo.liveInteraction(agentId);
    if (!live) return undefined;
    return { interactionId: live.id, callSid: live.callSid, queue: live.queue, status: live.status as LiveScreenPop['status'], pop: this.forCall(live.callSid) };
  }
}

/** Summarizes the stored IVR path and state of a call; null when the call never entered a flow. */
export function summarizeIvr(call: { flowId: string | null; language: string | null; ivrPath: string; ivrState: string | null }): IvrSummary | null {
  const path = parseJson<PathEntry[]>(call.ivrPath, []).filter((p): p is PathEntry => typeof p?.node === 'string');
  if (!call.flowId && path.length === 0) return null;
  const vars = parseJson<{ vars?: Record<string, unknown> }>(call.ivrState, {}).vars ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const nodes: string[] = [];
  for (const [i, p] of path.entries()) {
    // A node that waited for input is logged once when it asked and once when it heard the answer: one visit.
    const resumesPrevious = i > 0 && path[i - 1].node === p.node && p.input !== undefined;
    if (!resumesPrevious) nodes.push(p.node);
  }
  return {
    flowId: call.flowId,
    language: call.language,
    nodes,
    inputs: path.filter((p) => p.input).map((p) => ({ node: p.node, input: p.input!, outcome: p.outcome ?? null })),
    typedOrderNumber: text(vars.typedOrder),
    orderNumber: text(vars.orderNumber),
    rmaNumber: text(vars.rmaNumber),
  };
}

function orderItems(json: string): ScreenPopOrder['items'] {
  const items = parseJson<unknown>(json, []);
  if (!Array.isArray(items)) return [];
  return items
    .filter((i): i is { sku: string; name: string; quantity: number } => typeof i?.sku === 'string' && typeof i?.name === 'string')
    .map((i) => ({ sku: i.sku, name: i.name, quantity: Number(i.quantity) || 1 }));
}

function parseJson<T>(json: string | null, fallback: T): T {
  if (!json) return fallback;
  try {
    return (JSON.parse(json) as T) ?? fallback;
  } catch {
    return fallback;
  }
}
