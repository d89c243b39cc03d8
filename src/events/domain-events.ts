// The domain's typed events and the in-process bus that carries them from services to realtime/ and reports/.
import type { AgentStateName, CallbackType, MonitorMode } from '../db/schema/index';

export type Desk = 'front' | 'middle' | 'back';

/** What an agent's screen shows of a callback it is offered (the customer's number is for that agent only). */
export interface CallbackSummary {
  id: number;
  type: string;
  desk: Desk;
  phone: string;
  reason: string;
  question: string | null;
  customerId: number | null;
  orderId: number | null;
  rmaId: number | null;
  workOrderId: number | null;
  attempts: number;
  language: string;
}

export type DomainEvent =
  | { type: 'CallQueued'; callSid: string; queue: string; desk: Desk; priority: number; at: Date }
  | { type: 'CallOffered'; interactionId: number; callSid: string; agentId: number; queue: string; at: Date }
  | { type: 'CallAnswered'; interactionId: number; callSid: string; agentId: number; waitSeconds: number; at: Date }
  | { type: 'CallMissed'; interactionId: number; callSid: string; agentId: number; at: Date }
  | { type: 'CallEnded'; interactionId: number; callSid: string; agentId: number; at: Date }
  /** The agent put the customer on hold (onHold) or took them back; no customer data. */
  | { type: 'CallHoldChanged'; interactionId: number; callSid: string; agentId: number; onHold: boolean; at: Date }
  | { type: 'CallAbandoned'; callSid: string; queue: string; waitSeconds: number; at: Date }
  | { type: 'CallLeftQueue'; callSid: string; queue: string; waitSeconds: number; outcome: 'callback' | 'voicemail'; at: Date }
  | { type: 'CallbackRequested'; callbackId: number; desk: Desk; source: CallbackType; at: Date }
  | { type: 'AgentStateChanged'; agentId: number; from: AgentStateName; to: AgentStateName; reason: string | null; at: Date }
  | { type: 'AgentDesksChanged'; agentId: number; desks: { desk: Desk; skill: number }[]; at: Date }
  | { type: 'CallbackOffered'; attemptId: number; callbackId: number; agentId: number; callback: CallbackSummary; at: Date }
  | { type: 'CallbackConnected'; attemptId: number; callbackId: number; agentId: number; interactionId: number; callSid: string; at: Date }
  | { type: 'CallbackAttemptEnded'; attemptId: number; callbackId: number; agentId: number; result: string; next: 'answered' | 'retry' | 'closed' | 'unchanged'; at: Date }
  | { type: 'WorkOrderUpdated'; workOrderId: number; number: string; status: string; agentId: number; at: Date }
  /** An incoming order (or a newer version of one) was held for the middle office; reasons are the rules it hit. */
  | { type: 'OrderHeld'; orderId: number; number: string; reasons: string[]; at: Date }
  /** A quality controller submitted a (counted) evaluation: the agent has a score to read. */
  | { type: 'EvaluationSubmitted'; evaluationId: number; recordingId: number; agentId: number; score: number | null; at: Date }
  /** A dispatcher or supervisor acted on the floor (moved an agent, ended a break, raised a call's priority…): every wallboard shows it. */
  | { type: 'FloorActionTaken'; action: FloorAction; actorId: number; subjectType: 'agent' | 'call' | 'queue'; subjectId: string; reason: string; detail: Record<string, unknown>; at: Date }
  /**
   * Someone joined, switched mode in, or left an agent's live call (src/monitoring/). For the floor only: never sent to
   * the agent, who is not told they are listened to.
   */
  | { type: 'MonitorStarted'; sessionId: number; interactionId: number; agentId: number; monitorId: number; monitorName: string; mode: MonitorMode; at: Date }
  | { type: 'MonitorModeChanged'; sessionId: number; interactionId: number; agentId: number; monitorId: number; from: MonitorMode; mode: MonitorMode; at: Date }
  | { type: 'MonitorEnded'; sessionId: number; interactionId: number; agentId: number; monitorId: number; reason: string; at: Date };

/** What a dispatcher can do to the floor at once (src/acd/floor-actions.service.ts). */
export type FloorAction = 'agent.move-desk' | 'agent.end-break' | 'agent.log-out' | 'call.priority' | 'call.assign' | 'queue.overflow';

export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

type Listener = (e: DomainEvent) => void;

/** Synchronous fan-out; a failing listener is reported and never stops the publisher or the other listeners. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: unknown, e: DomainEvent) => void = () => {}) {}

  publish(e: DomainEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.onListenerError(err, e);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  on<T extends DomainEventType>(type: T, l: (e: EventOf<T>) => void): () => void {
    return this.subscribe((e) => {
      if (e.type === type) l(e as EventOf<T>);
    });
  }
}
