// A scorecard's definition (sections of weighted items on a scale, some critical) and the rules it must follow;
// the default scorecard follows the service standard's conversation steps (shared/DOMAIN.md).
import { z } from 'zod';

export interface ScorecardScale {
  /** The lowest score; scoring it on a critical item fails the whole evaluation. */
  min: number;
  max: number;
}

export interface ScorecardItem {
  id: string;
  title: string;
  weight: number;
  scale: ScorecardScale;
  critical: boolean;
  /** Whether "not applicable" is allowed (the item then drops out of the weights). */
  allowNa: boolean;
  description?: string;
}

export interface ScorecardSection {
  id: string;
  title: string;
  /** Multiplies its items' weights. @default 1 */
  weight: number;
  items: ScorecardItem[];
}

export interface ScorecardDefinition {
  sections: ScorecardSection[];
}

const id = (name: string) =>
  z
    .string({ error: `${name} must be text` })
    .trim()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, `${name} must be 1–40 lowercase letters, digits, _ or -, starting with a letter`);
const title = (name: string) => z.string({ error: `${name} must be text` }).trim().min(1, `${name} must not be empty`).max(200, `${name} is longer than 200 characters`);
const weight = (name: string) => z.number({ error: `${name} must be a number` }).positive(`${name} must be above 0`).max(1000, `${name} must be at most 1000`);
const scaleEnd = (name: string) => z.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(0, `${name} must be at least 0`).max(100, `${name} must be at most 100`);

export const scorecardDefinitionSchema = z.object({
  sections: z
    .array(
      z.object({
        id: id('section id'),
        title: title('section title'),
        weight: weight('section weight').default(1),
        items: z
          .array(
            z.object({
              id: id('item id'),
              title: title('item title'),
              weight: weight('item weight'),
              scale: z.object({ min: scaleEnd('scale.min'), max: scaleEnd('scale.max') }, { error: 'scale must be {min, max}' }),
              critical: z.boolean({ error: 'critical must be true or false' }).default(false),
              allowNa: z.boolean({ error: 'allowNa must be true or false' }).default(true),
              description: z.string().trim().max(1000, 'description is longer than 1000 characters').optional(),
            }),
          )
          .min(1, 'a section needs at least one item'),
      }),
    )
    .min(1, 'a scorecard needs at least one section'),
});

/** What zod cannot say per field: unique ids, scales with room between their ends. Empty when the definition is sound. */
export function definitionProblems(d: ScorecardDefinition): string[] {
  const problems: string[] = [];
  const sectionIds = new Set<string>();
  const itemIds = new Set<string>();
  for (const s of d.sections) {
    if (sectionIds.has(s.id)) problems.push(`section id ${s.id} is used twice`);
    sectionIds.add(s.id);
    for (const i of s.items) {
      if (itemIds.has(i.id)) problems.push(`item id ${i.id} is used twice (item ids are unique across sections)`);
      itemIds.add(i.id);
      if (i.scale.max <= i.scale.min) problems.push(`item ${i.id}: scale.max must be above scale.min`);
    }
  }
  return problems;
}

/** Parses and checks a definition from a request; throws a ZodError or returns the problems. */
export function parseDefinition(input: unknown): { definition: ScorecardDefinition; problems: string[] } {
  const definition = scorecardDefinitionSchema.parse(input);
  return { definition, problems: definitionProblems(definition) };
}

export function items(d: ScorecardDefinition): ScorecardItem[] {
  return d.sections.flatMap((s) => s.items);
}

export function findItem(d: ScorecardDefinition, itemId: string): { item: ScorecardItem; section: ScorecardSection } | undefined {
  for (const section of d.sections) {
    const item = section.items.find((i) => i.id === itemId);
    if (item) return { item, section };
  }
  return undefined;
}

export const DEFAULT_SCORECARD_NAME = '服务标准 / Service standard';

const step = (itemId: string, itemTitle: string, w: number, description: string): ScorecardItem => ({
  id: itemId,
  title: itemTitle,
  weight: w,
  scale: { min: 0, max: 2 },
  critical: false,
  allowNa: true,
  description,
});

/**
 * The service standard: the eight conversation steps (0 missed, 1 partly, 2 done), conduct on 1–5, and whether the
 * problem was solved as a critical pass/fail. Weights put the need (analysing, proposing, helping) above the rituals.
 */
export const DEFAULT_SCORECARD: ScorecardDefinition = {
  sections: [
    {
      id: 'steps',
      title: '通话步骤 / Conversation steps',
      weight: 1,
      items: [
        step('greeting', '问候 / Greeting', 5, 'Standard greeting within the first seconds, names the center and themself'),
        step('asking', '询问 / Asking', 10, 'Asks open questions to learn what the customer needs'),
        step('analysing', '分析需求 / Analysing the need', 15, 'Confirms the real need (order, account, product) before answering'),
        step('proposing', '提出方案 / Proposing', 15, 'Proposes a fitting solution or next step'),
        step('agreeing', '达成一致 / Agreeing', 10, 'Gets the customer’s agreement to the proposal'),
        step('helping', '协助办理 / Helping', 15, 'Carries the solution out (work order, change, forwarding) on the call'),
        step('verifying', '确认 / Verifying', 10, 'Checks the customer understood and nothing else is open'),
        { ...step('farewell', '结束语 / Farewell', 5, 'Standard closing, thanks the customer'), allowNa: false },
      ],
    },
    {
      id: 'conduct',
      title: '服务态度 / Conduct',
      weight: 1,
      items: [
        { id: 'courtesy', title: '礼貌 / Courtesy', weight: 10, scale: { min: 1, max: 5 }, critical: false, allowNa: false, description: 'Polite, patient, never interrupts or argues' },
        { id: 'accuracy', title: '准确 / Accuracy', weight: 15, scale: { min: 1, max: 5 }, critical: false, allowNa: false, description: 'Information given is correct and complete (policy, prices, dates)' },
      ],
    },
    {
      id: 'outcome',
      title: '结果 / Outcome',
      weight: 1,
      items: [
        {
          id: 'problem_solved',
          title: '问题解决 / Problem solved',
          weight: 20,
          scale: { min: 0, max: 1 },
          critical: true,
          allowNa: true,
          description: 'Solved on the call or properly handed on (fail: the customer is left without a solution). N/A for a wrong number.',
        },
      ],
    },
  ],
};
