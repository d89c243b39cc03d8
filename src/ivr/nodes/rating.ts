// rating: asks for one key from `min` to `max` (the post-call survey's 1-5), stores it, and moves on.
import { z } from 'zod';
import type { NodeType, NodeContext, Instruction } from '../flow-types';
import { gatherTimeout, nodeRef, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('rating'),
    prompt: promptSchema,
    min: z.number().int().min(0).max(9).default(1),
    max: z.number().int().min(0).max(9).default(5),
    timeout: z.number().int().min(1).max(60).optional(),
    /** Re-prompts after a key out of range; silence is never re-prompted (the caller may have walked away). */
    retries: z.number().int().min(0).max(5).default(2),
    invalid: promptSchema.optional(),
    /** After a rating was stored. */
    next: nodeRef,
    /** On silence, or when the retries are used up: no rating is stored. */
    default: nodeRef,
  })
  .strict()
  .refine((n) => n.min < n.max, 'min must be less than max');
export type RatingNode = z.infer<typeof schema>;

function gather(n: RatingNode, ctx: NodeContext, before: Instruction[] = []): Instruction[] {
  return [{ kind: 'gather', input: 'dtmf', numDigits: 1, timeout: gatherTimeout(n.timeout), language: ctx.state.language, prompts: [...before, ...ctx.say(n.prompt)] }];
}

export const rating: NodeType<RatingNode> = {
  schema,
  targets: (n) => [n.next, n.default],
  run(n, ctx, input) {
    if (!input) return { await: gather(n, ctx) };
    const digits = input.kind === 'gather' ? (input.digits ?? '') : '';
    if (!digits) return { next: n.default, outcome: 'no-input' };
    const value = /^[0-9]$/.test(digits) ? Number(digits) : NaN;
    if (value >= n.min && value <= n.max) {
      return { next: n.next, vars: { rating: digits }, effects: [{ kind: 'surveyRated', rating: value }], outcome: `rated:${value}` };
    }
    if (ctx.attempts() < n.retries) {
      const sorry = n.invalid ?? { zh: `抱歉，请按${n.min}到${n.max}之间的数字键。`, en: `Sorry, please press a key from ${n.min} to ${n.max}.` };
      return { await: gather(n, ctx, ctx.say(sorry)), outcome: 'invalid' };
    }
    return { next: n.default, outcome: 'invalid:default' };
  },
};
