// voicemail: records a message after the beep, keeps it for the front desk, and ends the call.
import { z } from 'zod';
import type { NodeType } from '../flow-types';
import { promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('voicemail'),
    prompt: promptSchema,
    maxLength: z.number().int().min(5).max(600).default(120),
    thanks: promptSchema.optional(),
  })
  .strict();
export type VoicemailNode = z.infer<typeof schema>;

const thanks = { zh: '您的留言已收到，我们会尽快与您联系。再见。', en: 'Your message has been received. We will contact you soon. Goodbye.' };
const nothing = { zh: '没有录到您的留言。再见。', en: 'We did not record a message. Goodbye.' };

export const voicemail: NodeType<VoicemailNode> = {
  schema,
  targets: () => [],
  run(n, ctx, input) {
    if (!input) return { await: [...ctx.say(n.prompt), { kind: 'record', maxLength: n.maxLength, finishOnKey: '#' }] };
    if (input.kind !== 'record' || !input.recordingUrl || input.durationSeconds < 1) {
      return { end: [...ctx.say(nothing), { kind: 'hangup' }], outcome: 'empty' };
    }
    return {
      end: [...ctx.say(n.thanks ?? thanks), { kind: 'hangup' }],
      effects: [{ kind: 'voicemailRecorded', recordingUrl: input.recordingUrl, recordingSid: input.recordingSid, durationSeconds: input.durationSeconds }],
      outcome: `recorded:${input.durationSeconds}s`,
    };
  },
};
