// goto: jumps to another node.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { nodeRef } from './common';

const schema = z.object({ type: z.literal('goto'), next: nodeRef }).strict();
export type GotoNode = z.infer<typeof schema>;

export const goto: NodeType<GotoNode> = {
  schema,
  targets: (n) => [n.next],
  run: (n) => ({ next: n.next }),
};
