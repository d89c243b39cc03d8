// The shape of a flow file, and the checks that name the file, the node and the reason when a flow is wrong.
import { z } from 'zod';
import type { Language } from './flow-types';
import { nodeTypes, nodeType, type FlowNode } from './nodes/index';

const voiceSchema = z.object({ voice: z.string().min(1), language: z.string().min(2) }).strict();

const flowHeader = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower case letters, digits and -'),
    description: z.string().optional(),
    /** Numbers this flow answers; a flow with none answers every number not claimed by another. */
    numbers: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164')).default([]),
    /** `inbound` flows answer calls; a `survey` flow answers none: it is run on a caller after their agent hung up. */
    purpose: z.enum(['inbound', 'survey']).default('inbound'),
    start: z.string(),
    defaultLanguage: z.enum(['zh', 'en']).default('zh'),
    voices: z.object({ zh: voiceSchema, en: voiceSchema }).strict(),
    nodes: z.record(z.string(), z.unknown()),
  })
  .strict();

export interface Flow {
  id: string;
  description?: string;
  numbers: string[];
  purpose: 'inbound' | 'survey';
  start: string;
  defaultLanguage: Language;
  voices: Record<Language, { voice: string; language: string }>;
  nodes: Record<string, FlowNode>;
}

export class FlowError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/** Checks a parsed YAML document; returns the flow or the list of problems, each naming source and node. */
export function checkFlow(doc: unknown, source: string): { flow?: Flow; problems: string[] } {
  const header = flowHeader.safeParse(doc);
  if (!header.success) return { problems: header.error.issues.map((i) => `${source}: ${describe(i)}`) };
  const problems: string[] = [];
  const nodes: Record<string, FlowNode> = {};
  for (const [id, raw] of Object.entries(header.data.nodes)) {
    const at = `${source}: node "${id}"`;
    if (!/^[A-Za-z][\w-]*$/.test(id)) problems.push(`${at}: node ids are letters, digits, - and _`);
    const typeName = (raw as { type?: unknown } | null)?.type;
    const type = typeof typeName === 'string' ? nodeType(typeName) : undefined;
    if (!type) {
      problems.push(`${at}: unknown type ${JSON.stringify(typeName)} (one of ${Object.keys(nodeTypes).join(', ')})`);
      continue;
    }
    const parsed = type.schema.safeParse(raw);
    if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${at}: ${describe(i)}`));
    else nodes[id] = parsed.data;
  }
  const flow = { ...header.data, nodes } as Flow;
  if (!header.data.nodes[flow.start]) problems.push(`${source}: start "${flow.start}" is not a node`);
  if (flow.purpose === 'survey' && flow.numbers.length) problems.push(`${source}: a survey flow answers no number (remove numbers)`);
  for (const [id, node] of Object.entries(nodes)) {
    for (const target of nodeType(node.type)!.targets(node)) {
      if (!header.data.nodes[target]) problems.push(`${source}: node "${id}": goes to "${target}", which is not a node`);
    }
  }
  problems.push(...findEndlessLoops(flow, source));
  return problems.length ? { problems } : { flow, problems };
}

const waitsForCaller = new Set(['menu', 'collect', 'voicemail', 'transfer', 'queue', 'callback', 'hangup', 'rating', 'comment']);

/** A cycle of nodes that never wait for the caller would spin forever. */
function findEndlessLoops(flow: Flow, source: string): string[] {
  const problems: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]) => {
    const node = flow.nodes[id];
    if (!node || waitsForCaller.has(node.type) || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      problems.push(`${source}: node "${id}": loops back to itself without waiting for the caller (${[...trail, id].join(' → ')})`);
      return;
    }
    state.set(id, 'visiting');
    for (const t of nodeType(node.type)!.targets(node)) visit(t, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of Object.keys(flow.nodes)) visit(id, []);
  return problems;
}
