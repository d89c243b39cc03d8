// play: plays a recorded audio file (one per language if given), then moves on.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { nodeRef } from './common';

const url = z.url();
const schema = z
  .object({
    type: z.literal('play'),
    url: z.union([url, z.object({ zh: url.optional(), en: url.optional() }).strict()]),
    loop: z.number().int().min(1).max(10).optional(),
    next: nodeRef,
  })
  .strict();
export type PlayNode = z.infer<typeof schema>;

export const play: NodeType<PlayNode> = {
  schema,
  targets: (n) => [n.next],
  run(n, ctx) {
    const src = typeof n.url === 'string' ? n.url : (n.url[ctx.state.language] ?? n.url.zh ?? n.url.en);
    return { next: n.next, out: src ? [{ kind: 'play', url: src, loop: n.loop }] : [] };
  },
};
