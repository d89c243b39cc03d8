// Schema pieces every node type shares: prompts, node references, priorities.
import { z } from 'zod';

export const nodeRef = z.string().regex(/^[A-Za-z][\w-]*$/, 'must be a node id (letters, digits, - or _)');

export const promptSchema = z.union([
  z.string().min(1),
  z
    .object({ zh: z.string().min(1).optional(), en: z.string().min(1).optional() })
    .strict()
    .refine((p) => p.zh || p.en, 'a prompt needs zh or en text'),
]);

export const deskSchema = z.enum(['front', 'middle', 'back']);

/** Named priorities follow the center's rule: VIP before complaint before returning before new customers. */
export const PRIORITIES = { vip: 40, complaint: 30, returning: 20, new: 10, normal: 10 } as const;
export const prioritySchema = z.union([z.enum(Object.keys(PRIORITIES) as [keyof typeof PRIORITIES]), z.number().int().min(0).max(100)]);

export function priorityValue(p: z.infer<typeof prioritySchema>): number {
  return typeof p === 'number' ? p : PRIORITIES[p];
}

export function gatherTimeout(seconds: number | undefined): number {
  return seconds ?? 5;
}
