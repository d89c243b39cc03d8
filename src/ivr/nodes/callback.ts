// callback: records the caller's request to be called back, confirms it, and ends the call.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { deskSchema, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('callback'),
    desk: deskSchema.default('front'),
    reason: z.string().min(1),
    prompt: promptSchema.optional(),
  })
  .strict();
export type CallbackNode = z.infer<typeof schema>;

const confirmation = {
  zh: '我们已记录您的回电请求，客服人员会尽快用您现在的号码给您回电。感谢您的来电，再见。',
  en: 'We have recorded your callback request. An agent will call you back at this number as soon as possible. Thank you for calling, goodbye.',
};

export const callback: NodeType<CallbackNode> = {
  schema,
  targets: () => [],
  run: (n, ctx) => ({
    end: [...ctx.say(n.prompt ?? confirmation), { kind: 'hangup' }],
    effects: [{ kind: 'callbackRequested', desk: n.desk, reason: n.reason }],
  }),
};
