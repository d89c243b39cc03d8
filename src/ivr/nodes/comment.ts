// comment: records a short comment after the beep (post-call survey), keeps it with the caller's answer, and moves on.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { nodeRef, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('comment'),
    prompt: promptSchema,
    /** Seconds; a survey comment is short. */
    maxLength: z.number().int().min(5).max(300).default(60),
    /** Whether a comment was recorded or not. */
    next: nodeRef,
  })
  .strict();
export type CommentNode = z.infer<typeof schema>;

export const comment: NodeType<CommentNode> = {
  schema,
  targets: (n) => [n.next],
  run(n, ctx, input) {
    if (!input) return { await: [...ctx.say(n.prompt), { kind: 'record', maxLength: n.maxLength, finishOnKey: '#' }] };
    if (input.kind !== 'record' || !input.recordingUrl || input.durationSeconds < 1) return { next: n.next, outcome: 'empty' };
    return {
      next: n.next,
      effects: [{ kind: 'surveyCommented', recordingUrl: input.recordingUrl, recordingSid: input.recordingSid, durationSeconds: input.durationSeconds }],
      outcome: `recorded:${input.durationSeconds}s`,
    };
  },
};
