// Owns the agent's hold of the customer: puts the customer's conference leg on hold (music from us) and back, keeps
// each hold as a row (closed by the resume, or at the call's end), and tells the floor and the agent's desktop.
import type { Transact } from '../db/transaction';
import { Conflict, NotFound } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import type { CallHoldRow, CallHoldsRepo } from './call-holds.repo';
import { CallGone } from './dispatcher';
import type { InteractionRow, InteractionsRepo } from './interactions.repo';

/** The carrier side of a hold (telephony/ over the CallControl port). */
export interface HoldCarrier {
  /** Puts the customer's leg in the conversation's conference on hold, or takes it back; CallGone when it is not there. */
  setCustomerHold(o: { conference: string; callSid: string; hold: boolean }): Promise<void>;
}

export interface HoldState {
  interactionId: number;
  onHold: boolean;
  hold: CallHoldRow;
}

export class CallHoldService {
  /** Conversations with a hold change at the carrier right now: a second click meanwhile is refused, not doubled. */
  private readonly changing = new Set<number>();

  constructor(
    private readonly d: {
      holds: CallHoldsRepo;
      interactions: Pick<InteractionsRepo, 'get' | 'liveForAgent'>;
      carrier: HoldCarrier;
      transact: Transact;
      clock: Clock;
      events: EventBus;
      log: Logger;
    },
  ) {
    // A hold still open when the conversation ends lasted to its end.
    d.events.on('CallEnded', (e) => {
      const closed = d.transact(() => d.holds.close(e.interactionId, e.at));
      if (closed) d.log.info('hold closed at the end of the call', { interactionId: e.interactionId, callSid: e.callSid });
    });
  }

  /** The agent puts the customer of their live call on hold. */
  async hold(agentId: number): Promise<HoldState> {
    const ix = this.liveCall(agentId);
    if (this.d.holds.openFor(ix.id)) throw new Conflict('the customer is already on hold');
    await this.atCarrier(ix, true);
    const now = this.d.clock.now();
    const row = this.d.transact(() => {
      if (this.d.interactions.get(ix.id)?.status !== 'connected') throw new Conflict('the call ended before the hold took effect');
      return this.d.holds.open({ interactionId: ix.id, callSid: ix.callSid, startedAt: now, startedBy: agentId });
    });
    if (!row) throw new Conflict('the customer is already on hold');
    this.publish(ix, true, now);
    return { interactionId: ix.id, onHold: true, hold: row };
  }

  /** The agent takes the customer back from hold. */
  async resume(agentId: number): Promise<HoldState> {
    const ix = this.liveCall(agentId);
    if (!this.d.holds.openFor(ix.id)) throw new Conflict('the customer is not on hold');
    await this.atCarrier(ix, false);
    const now = this.d.clock.now();
    const row = this.d.transact(() => this.d.holds.close(ix.id, now));
    if (!row) throw new Conflict('the customer is not on hold');
    this.publish(ix, false, now);
    return { interactionId: ix.id, onHold: false, hold: row };
  }

  private liveCall(agentId: number): InteractionRow {
    const ix = this.d.interactions.liveForAgent(agentId);
    if (!ix || ix.status !== 'connected') throw new NotFound('you have no live call');
    return ix;
  }

  private async atCarrier(ix: InteractionRow, hold: boolean): Promise<void> {
    if (this.changing.has(ix.id)) throw new Conflict('a hold change for this call is already under way');
    this.changing.add(ix.id);
    try {
      await this.d.carrier.setCustomerHold({ conference: ix.conference, callSid: ix.callSid, hold });
    } catch (err) {
      if (err instanceof CallGone) throw new Conflict('the customer is no longer in the call');
      throw err;
    } finally {
      this.changing.delete(ix.id);
    }
  }

  private publish(ix: InteractionRow, onHold: boolean, at: Date): void {
    this.d.events.publish({ type: 'CallHoldChanged', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, onHold, at });
  }
}
