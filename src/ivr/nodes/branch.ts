// branch: routes on what is known about the caller (known customer, VIP, open RMA, language).
import { z } from 'zod';
import type { CallState, NodeType } from '../flow-types';
import { nodeRef } from './common';

const conditions = {
  known: (s: CallState) => s.caller.known,
  unknown: (s: CallState) => !s.caller.known,
  vip: (s: CallState) => s.caller.tier === 'vip',
  returning: (s: CallState) => s.caller.tier === 'returning',
  openRma: (s: CallState) => s.caller.hasOpenRma,
  english: (s: CallState) => s.language === 'en',
};
const condition = z.enum(Object.keys(conditions) as [keyof typeof conditions]);

const schema = z
  .object({
    type: z.literal('branch'),
    rules: z.array(z.object({ if: condition, next: nodeRef }).strict()).min(1),
    default: nodeRef,
  })
  .strict();
export type BranchNode = z.infer<typeof schema>;

export const branch: NodeType<BranchNode> = {
  schema,
  targets: (n) => [...n.rules.map((r) => r.next), n.default],
  run(n, ctx) {
    const rule = n.rules.find((r) => conditions[r.if](ctx.state));
    return { next: rule ? rule.next : n.default, outcome: rule?.if ?? 'default' };
  },
};
