// queue: hands the caller to a desk's queue with a priority; they wait there with music.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { deskSchema, priorityValue, prioritySchema, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('queue'),
    queue: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a queue name (lower case, digits, -; at most 64)'),
    desk: deskSchema.default('front'),
    priority: prioritySchema.default('normal'),
    /** Why the caller is queued (order, returns, complaint, agent...), shown to the agent. */
    reason: z.string().min(1),
    prompt: promptSchema.optional(),
  })
  .strict();
export type QueueNode = z.infer<typeof schema>;

export const queue: NodeType<QueueNode> = {
  schema,
  targets: () => [],
  run(n, ctx) {
    // The caller's tier counts too: a VIP who pressed 0 is still served before a complaint.
    const priority = Math.max(priorityValue(n.priority), priorityValue(ctx.state.caller.tier ?? 'new'));
    const entry = { queue: n.queue, desk: n.desk, priority, reason: n.reason };
    return {
      end: [...ctx.say(n.prompt), { kind: 'enqueue', ...entry }],
      effects: [{ kind: 'queued', ...entry }],
      outcome: n.queue,
    };
  },
};
