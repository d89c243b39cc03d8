// Wrap-up codes (dispositions): how each call ended, set by the agent who had it, during or right after the conversation.
import type { Principal } from '../auth/auth.service';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { InteractionRow, InteractionStatus } from './interactions.repo';

export const DISPOSITIONS = [
  { code: 'resolved', label: '已解决', description: 'The question was settled on the call' },
  { code: 'work_order_opened', label: '已建工单', description: 'A work order was opened to follow up' },
  { code: 'forwarded_to_department', label: '已转部门', description: 'A work order was forwarded to a department to answer' },
  { code: 'callback_promised', label: '承诺回电', description: 'The customer will be called back' },
  { code: 'information_given', label: '信息咨询', description: 'The caller asked for information and got it' },
  { code: 'wrong_number', label: '打错电话', description: 'The caller dialled the wrong number' },
  { code: 'caller_hung_up', label: '客户挂断', description: 'The caller hung up before the question was settled' },
  { code: 'other', label: '其他', description: 'Anything else' },
] as const;

export type DispositionCode = (typeof DISPOSITIONS)[number]['code'];
export const DISPOSITION_CODES = DISPOSITIONS.map((d) => d.code) as [DispositionCode, ...DispositionCode[]];

export function isDispositionCode(code: string): code is DispositionCode {
  return (DISPOSITION_CODES as string[]).includes(code);
}

/** A disposition is set while the agent talks or after the call, never on a call they did not take. */
const DISPOSABLE: readonly InteractionStatus[] = ['connected', 'ended'];

export interface DispositionServiceDeps {
  interactions: {
    get(id: number): InteractionRow | undefined;
    /** Applies the changes only if the interaction is still in `from`; false otherwise. */
    transition(id: number, from: InteractionStatus, changes: Partial<Omit<InteractionRow, 'id'>>): boolean;
  };
  transact: Transact;
}

export class DispositionService {
  constructor(private readonly d: DispositionServiceDeps) {}

  /** Sets (or corrects) the wrap-up code of an interaction; returns the updated interaction. */
  set(actor: Pick<Principal, 'id'>, interactionId: number, code: string): InteractionRow {
    if (!isDispositionCode(code)) throw new Invalid(`Unknown disposition ${code}; use one of: ${DISPOSITION_CODES.join(', ')}`);
    return this.d.transact(() => {
      const i = this.d.interactions.get(interactionId);
      if (!i) throw new NotFound(`No interaction ${interactionId}`);
      if (i.agentId !== actor.id) throw new Forbidden('Only the agent who had this call sets its disposition');
      if (!DISPOSABLE.includes(i.status)) throw new Conflict(`Interaction ${interactionId} is ${i.status}; a disposition is set only on a connected or ended call`);
      if (!this.d.interactions.transition(i.id, i.status, { disposition: code })) throw new Conflict(`Interaction ${interactionId} changed meanwhile; try again`);
      return { ...i, disposition: code };
    });
  }
}
