// lookup: self-service; reads an order's status and tracking, or the caller's open RMA, in a natural sentence.
import { z } from 'zod';
import type { NodeOutcome, NodeType, OrderFacts, SelfServiceLookup } from '../flow-types';
import { describeOrder, describeRma } from '../self-service-speech';
import { nodeRef, promptSchema } from './common';

const schema = z
  .object({
    type: z.literal('lookup'),
    /** order: the number in `variable`; latestOrder: the caller's latest order; openRma: the caller's open RMA. */
    subject: z.enum(['order', 'latestOrder', 'openRma']),
    variable: z.string().optional(),
    notFound: promptSchema.optional(),
    next: nodeRef,
    missing: nodeRef,
  })
  .strict()
  .refine((n) => n.subject !== 'order' || n.variable, 'subject "order" needs the variable that holds the order number');
export type LookupNode = z.infer<typeof schema>;

export const lookup: NodeType<LookupNode> = {
  schema,
  targets: (n) => [n.next, n.missing],
  run(n, ctx): NodeOutcome {
    const { state, engine } = ctx;
    const customerId = state.caller.customerId;
    if (n.subject === 'openRma') {
      const rma = customerId ? engine.lookup.latestOpenRma(customerId) : undefined;
      if (!rma) return { next: n.missing, out: ctx.say(n.notFound), outcome: 'not-found' };
      return {
        next: n.next,
        out: [{ kind: 'say', text: describeRma(rma, state.language), language: state.language }],
        vars: { rmaNumber: rma.number, orderNumber: rma.orderNumber },
        outcome: rma.number,
      };
    }
    const order =
      n.subject === 'order'
        ? lookupOrderByTypedNumber(engine.lookup, state.vars[n.variable!])
        : customerId
          ? engine.lookup.latestOrder(customerId)
          : undefined;
    if (!order) return { next: n.missing, out: ctx.say(n.notFound), outcome: 'not-found' };
    return {
      next: n.next,
      out: [{ kind: 'say', text: describeOrder(order, state.language, engine.timeZone), language: state.language }],
      vars: { orderNumber: order.number },
      outcome: order.number,
    };
  },
};

/** Callers type only the digits of an order number; the YT prefix is implied. */
function lookupOrderByTypedNumber(lookup: SelfServiceLookup, digits: string | undefined): OrderFacts | undefined {
  if (!digits) return undefined;
  return lookup.orderByNumber(`YT${digits}`) ?? lookup.orderByNumber(digits);
}
