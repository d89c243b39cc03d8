// The node types the engine knows, by the name flows use in `type:`.
import type { NodeType } from '../flow-types';
import { say } from './say';
import { play } from './play';
import { menu } from './menu';
import { collect } from './collect';
import { hours } from './hours';
import { branch } from './branch';
import { lookup } from './lookup';
import { queue } from './queue';
import { callback } from './callback';
import { voicemail } from './voicemail';
import { transfer } from './transfer';
import { hangup } from './hangup';
import { goto } from './goto';
import { rating } from './rating';
import { comment } from './comment';

export const nodeTypes = { say, play, menu, collect, hours, branch, lookup, queue, callback, voicemail, transfer, hangup, goto, rating, comment } as const;

export type NodeTypeName = keyof typeof nodeTypes;
export type FlowNode = { [K in NodeTypeName]: (typeof nodeTypes)[K] extends NodeType<infer N> ? N : never }[NodeTypeName];

export function nodeType(name: string): NodeType<FlowNode> | undefined {
  return (nodeTypes as Record<string, NodeType<any>>)[name];
}
