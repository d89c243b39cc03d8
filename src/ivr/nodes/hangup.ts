// hangup: says goodbye (if given) and ends the call.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { promptSchema } from './common';

const schema = z.object({ type: z.literal('hangup'), prompt: promptSchema.optional() }).strict();
export type HangupNode = z.infer<typeof schema>;

export const hangup: NodeType<HangupNode> = {
  schema,
  targets: () => [],
  run: (n, ctx) => ({ end: [...ctx.say(n.prompt), { kind: 'hangup' }] }),
};
