// say: speaks a prompt in the caller's language, then moves on.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { nodeRef, promptSchema } from './common';

const schema = z.object({ type: z.literal('say'), prompt: promptSchema, next: nodeRef }).strict();
export type SayNode = z.infer<typeof schema>;

export const say: NodeType<SayNode> = {
  schema,
  targets: (n) => [n.next],
  run: (n, ctx) => ({ next: n.next, out: ctx.say(n.prompt) }),
};
