// menu: offers choices by key or spoken keyword; re-prompts on no or invalid input, then takes the default.
import { z } from 'zod';
import type { NodeType, StepInput, NodeContext, Instruction } from '../flow-types';
import { gatherTimeout, nodeRef, promptSchema } from './common';
import { normalizeSpoken, spokenKey } from '../spoken-input';

const choiceSchema = z
  .object({
    digits: z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #').optional(),
    keywords: z.array(z.string().min(1)).optional(),
    language: z.enum(['zh', 'en']).optional(),
    next: nodeRef,
  })
  .strict()
  .refine((c) => c.digits || c.keywords?.length, 'a choice needs digits or keywords');

const schema = z
  .object({
    type: z.literal('menu'),
    prompt: promptSchema,
    choices: z.array(choiceSchema).min(1),
    timeout: z.number().int().min(1).max(60).optional(),
    retries: z.number().int().min(0).max(5).default(2),
    noInput: promptSchema.optional(),
    invalid: promptSchema.optional(),
    default: nodeRef,
  })
  .strict()
  .refine((m) => new Set(m.choices.filter((c) => c.digits).map((c) => c.digits)).size === m.choices.filter((c) => c.digits).length, {
    message: 'two choices use the same key',
  });
export type MenuNode = z.infer<typeof schema>;

function gather(n: MenuNode, ctx: NodeContext, before: Instruction[] = []): Instruction[] {
  const hints = n.choices.flatMap((c) => c.keywords ?? []);
  return [
    {
      kind: 'gather',
      input: hints.length ? 'dtmf speech' : 'dtmf',
      numDigits: 1,
      timeout: gatherTimeout(n.timeout),
      hints: hints.length ? hints : undefined,
      language: ctx.state.language,
      prompts: [...before, ...ctx.say(n.prompt)],
    },
  ];
}

function match(n: MenuNode, input: StepInput) {
  if (input.kind !== 'gather') return undefined;
  if (input.digits) return n.choices.find((c) => c.digits === input.digits);
  // Recognizer text: "我要投诉。", "Complaint.", "按１" all match after normalising both sides.
  const said = normalizeSpoken(input.speech ?? '');
  if (!said) return undefined;
  const byKeyword = n.choices.find((c) => c.keywords?.some((k) => {
    const keyword = normalizeSpoken(k);
    return keyword !== '' && said.includes(keyword);
  }));
  const key = spokenKey(said);
  return byKeyword ?? (key === undefined ? undefined : n.choices.find((c) => c.digits === key));
}

export const menu: NodeType<MenuNode> = {
  schema,
  targets: (n) => [...n.choices.map((c) => c.next), n.default],
  run(n, ctx, input) {
    if (!input) return { await: gather(n, ctx) };
    const choice = match(n, input);
    if (choice) return { next: choice.next, language: choice.language, outcome: input.kind === 'gather' ? (input.digits ?? input.speech) : undefined };
    const silent = input.kind === 'gather' && !input.digits && !input.speech;
    if (ctx.attempts() < n.retries) {
      const sorry = silent ? (n.noInput ?? { zh: '抱歉，没有听到您的选择。', en: "Sorry, we didn't hear your choice." }) : (n.invalid ?? { zh: '抱歉，您的输入有误。', en: 'Sorry, that is not a valid choice.' });
      return { await: gather(n, ctx, ctx.say(sorry)), outcome: silent ? 'no-input' : 'invalid' };
    }
    return { next: n.default, outcome: silent ? 'no-input:default' : 'invalid:default' };
  },
};
