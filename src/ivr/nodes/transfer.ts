// transfer: connects the caller to an outside number; if nobody answers, moves on (usually to a queue).
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { nodeRef, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('transfer'),
    number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number'),
    prompt: promptSchema.optional(),
    timeout: z.number().int().min(5).max(600).default(30),
    /** Where the caller goes when the transfer is not answered. */
    next: nodeRef,
  })
  .strict();
export type TransferNode = z.infer<typeof schema>;

export const transfer: NodeType<TransferNode> = {
  schema,
  targets: (n) => [n.next],
  run(n, ctx, input) {
    if (!input) return { await: [...ctx.say(n.prompt), { kind: 'dial', number: n.number, timeout: n.timeout }] };
    const status = input.kind === 'dial' ? input.status : 'failed';
    if (status === 'completed' || status === 'answered') return { end: [{ kind: 'hangup' }], outcome: status };
    return { next: n.next, outcome: status };
  },
};
