// The IVR engine: pure. Given a flow, a call's state and the caller's input, it returns what to do next.
import type { CallState, CallerFacts, EngineContext, Effect, Instruction, NodeContext, PathEntry, Prompt, StepInput } from './flow-types';
import type { Flow } from './flow-schema';
import { nodeType } from './nodes/index';
import { promptText } from './prompt-text';

export interface StepResult {
  state: CallState;
  instructions: Instruction[];
  effects: Effect[];
  path: PathEntry[];
}

/** More nodes than this without waiting for the caller means the flow is broken. */
const MAX_HOPS = 64;

export function startCall(flow: Flow, caller: CallerFacts): CallState {
  return {
    flowId: flow.id,
    node: flow.start,
    awaiting: false,
    ended: false,
    language: caller.preferredLanguage ?? flow.defaultLanguage,
    caller,
    vars: caller.name ? { name: caller.name } : {},
    attempts: {},
  };
}

/** Runs the flow from the call's current node until it waits for the caller or ends. */
export function advance(flow: Flow, current: CallState, input: StepInput | undefined, engine: EngineContext): StepResult {
  if (current.ended) throw new Error(`call already ended at node "${current.node}"`);
  const state: CallState = { ...current, vars: { ...current.vars }, attempts: { ...current.attempts } };
  const instructions: Instruction[] = [];
  const effects: Effect[] = [];
  const path: PathEntry[] = [];
  let pending = state.awaiting ? input : undefined;

  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const id = state.node;
    const node = flow.nodes[id];
    if (!node) throw new Error(`flow "${flow.id}" has no node "${id}"`);
    const ctx = new HopContext(state, engine, id);
    const resumed = pending;
    const outcome = nodeType(node.type)!.run(node, ctx, resumed);
    pending = undefined;
    path.push({ node: id, input: describeInput(resumed), outcome: outcome.outcome });

    if ('await' in outcome) {
      if (resumed) state.attempts[id] = (state.attempts[id] ?? 0) + 1;
      state.awaiting = true;
      instructions.push(...outcome.await);
      return { state, instructions, effects, path };
    }
    delete state.attempts[id];
    if ('end' in outcome) {
      state.awaiting = false;
      state.ended = true;
      instructions.push(...outcome.end);
      effects.push(...(outcome.effects ?? []));
      return { state, instructions, effects, path };
    }
    if (outcome.language) state.language = outcome.language;
    Object.assign(state.vars, outcome.vars);
    instructions.push(...(outcome.out ?? []));
    effects.push(...(outcome.effects ?? []));
    state.awaiting = false;
    state.node = outcome.next;
  }
  throw new Error(`flow "${flow.id}" ran ${MAX_HOPS} nodes without waiting for the caller (at "${state.node}")`);
}

/** What a node sees of the call while it runs (methods on a class: no closures to make on every hop). */
class HopContext implements NodeContext {
  constructor(
    readonly state: CallState,
    readonly engine: EngineContext,
    private readonly node: string,
  ) {}

  attempts(): number {
    return this.state.attempts[this.node] ?? 0;
  }

  text(p: Prompt | undefined, extra?: Record<string, string>): string {
    return p ? promptText(p, this.state.language, extra ? { ...this.state.vars, ...extra } : this.state.vars) : '';
  }

  say(p: Prompt | undefined, extra?: Record<string, string>): Instruction[] {
    return p ? [{ kind: 'say', text: this.text(p, extra), language: this.state.language }] : [];
  }
}

function describeInput(input: StepInput | undefined): string | undefined {
  if (!input) return undefined;
  switch (input.kind) {
    case 'gather':
      return input.digits ? `pressed ${input.digits}` : input.speech ? `said "${input.speech}"` : 'no input';
    case 'record':
      return `recorded ${input.durationSeconds}s`;
    case 'dial':
      return `dial ${input.status}`;
  }
}
