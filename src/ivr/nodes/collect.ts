// collect: asks for a number typed on the keypad (an order number, an account number) and checks its length.
import { z } from 'zod';
import type { NodeType, NodeContext, Instruction } from '../flow-types';
import { gatherTimeout, nodeRef, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('collect'),
    prompt: promptSchema,
    variable: z.string().regex(/^[a-zA-Z]\w*$/, 'must be a variable name'),
    minLength: z.number().int().min(1).max(30),
    maxLength: z.number().int().min(1).max(30),
    finishOnKey: z.enum(['#', '*']).default('#'),
    timeout: z.number().int().min(1).max(60).optional(),
    retries: z.number().int().min(0).max(5).default(2),
    invalid: promptSchema.optional(),
    next: nodeRef,
    default: nodeRef,
  })
  .strict()
  .refine((c) => c.minLength <= c.maxLength, 'minLength is greater than maxLength');
export type CollectNode = z.infer<typeof schema>;

function gather(n: CollectNode, ctx: NodeContext, before: Instruction[] = []): Instruction[] {
  return [
    {
      kind: 'gather',
      input: 'dtmf',
      finishOnKey: n.finishOnKey,
      numDigits: n.minLength === n.maxLength ? n.maxLength : undefined,
      timeout: gatherTimeout(n.timeout),
      language: ctx.state.language,
      prompts: [...before, ...ctx.say(n.prompt)],
    },
  ];
}

export const collect: NodeType<CollectNode> = {
  schema,
  targets: (n) => [n.next, n.default],
  run(n, ctx, input) {
    if (!input) return { await: gather(n, ctx) };
    const digits = input.kind === 'gather' ? (input.digits ?? '').replace(/[^0-9]/g, '') : '';
    if (digits.length >= n.minLength && digits.length <= n.maxLength) {
      return { next: n.next, vars: { [n.variable]: digits }, outcome: digits };
    }
    if (ctx.attempts() < n.retries) {
      const sorry = n.invalid ?? { zh: '抱歉，号码位数不对。', en: 'Sorry, that number does not have the right length.' };
      return { await: gather(n, ctx, ctx.say(sorry)), outcome: digits ? 'invalid' : 'no-input' };
    }
    return { next: n.default, outcome: 'gave-up' };
  },
};
