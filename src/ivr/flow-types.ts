// The vocabulary shared by the IVR engine and its node types: state, inputs, instructions, effects.
import type { RmaStatus } from '../db/schema/index';
import type { z } from 'zod';
import type { HoursMode } from './business-hours';

export type Language = 'zh' | 'en';
export const LANGUAGES: readonly Language[] = ['zh', 'en'];

/** Text for the caller: one string, or one per language. May hold {placeholders}. */
export type Prompt = string | Partial<Record<Language, string>>;

export type Desk = 'front' | 'middle' | 'back';

/** What the carrier should do, independent of TwiML. telephony/ renders it. */
export type Instruction =
  | { kind: 'say'; text: string; language: Language }
  | { kind: 'play'; url: string; loop?: number }
  | { kind: 'pause'; seconds: number }
  | {
      kind: 'gather';
      input: 'dtmf' | 'dtmf speech';
      numDigits?: number;
      finishOnKey?: string;
      timeout: number;
      hints?: string[];
      language: Language;
      prompts: Instruction[];
    }
  | { kind: 'enqueue'; queue: string; desk: Desk; priority: number; reason: string }
  | { kind: 'record'; maxLength: number; finishOnKey: string }
  | { kind: 'dial'; number: string; timeout: number }
  | { kind: 'hangup' };

/** What the call's outcome changes in the center, applied by the IVR service in one transaction. */
export type Effect =
  | { kind: 'queued'; queue: string; desk: Desk; priority: number; reason: string }
  | { kind: 'callbackRequested'; desk: Desk; reason: string }
  | { kind: 'voicemailRecorded'; recordingUrl: string; recordingSid?: string; durationSeconds: number }
  /** Post-call survey: the caller rated the conversation they just had. */
  | { kind: 'surveyRated'; rating: number }
  /** Post-call survey: the caller recorded a comment. */
  | { kind: 'surveyCommented'; recordingUrl: string; recordingSid?: string; durationSeconds: number };

/** The caller's input when the carrier comes back to a node that waited for it. */
export type StepInput =
  | { kind: 'gather'; digits?: string; speech?: string }
  | { kind: 'record'; recordingUrl?: string; recordingSid?: string; durationSeconds: number }
  | { kind: 'dial'; status: string };

/** Facts about the caller, resolved once when the call arrives. */
export interface CallerFacts {
  known: boolean;
  customerId?: number;
  name?: string;
  tier?: 'new' | 'returning' | 'vip';
  hasOpenRma: boolean;
  preferredLanguage?: Language;
}

export interface CallState {
  flowId: string;
  /** The node to resume (when awaiting) or the last node run. */
  node: string;
  awaiting: boolean;
  ended: boolean;
  language: Language;
  caller: CallerFacts;
  vars: Record<string, string>;
  attempts: Record<string, number>;
}

export interface PathEntry {
  node: string;
  input?: string;
  outcome?: string;
}

export interface OrderFacts {
  number: string;
  status: 'pending_review' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';
  amountFen: number;
  payment: 'prepaid' | 'cod';
  shippingCarrier: string | null;
  trackingNumber: string | null;
  placedAt: Date;
  updatedAt: Date;
  customerId: number;
}

export interface RmaFacts {
  number: string;
  kind: 'return' | 'exchange';
  status: RmaStatus;
  orderNumber: string;
  updatedAt: Date;
  /** The refund approved (fen), once the back office entered it. */
  refundFen?: number | null;
}

/** Read-only access to the order system for self-service; synchronous (SQLite). */
export interface SelfServiceLookup {
  orderByNumber(number: string): OrderFacts | undefined;
  latestOrder(customerId: number): OrderFacts | undefined;
  latestOpenRma(customerId: number): RmaFacts | undefined;
}

export interface EngineContext {
  now: Date;
  timeZone: string;
  /** Pins every `hours` node open or closed; unset (or calendar) reads the node's calendar. */
  hours?: HoursMode;
  lookup: SelfServiceLookup;
}

/** What a node tells the engine after it ran. */
export type NodeOutcome =
  | { next: string; out?: Instruction[]; effects?: Effect[]; vars?: Record<string, string>; language?: Language; outcome?: string }
  | { await: Instruction[]; outcome?: string }
  | { end: Instruction[]; effects?: Effect[]; outcome?: string };

/** The view of the call a node gets: read-only state plus prompt rendering. */
export interface NodeContext {
  readonly state: Readonly<CallState>;
  readonly engine: EngineContext;
  /** Attempts already made at this node (re-prompts after no or invalid input). */
  attempts(): number;
  say(prompt: Prompt | undefined, vars?: Record<string, string>): Instruction[];
  text(prompt: Prompt | undefined, vars?: Record<string, string>): string;
}

export interface NodeType<N> {
  schema: z.ZodType<N>;
  /** Node ids this node may lead to, for the flow check. */
  targets(node: N): string[];
  /** Runs the node; `input` is set only when the carrier returns to a node that awaited input. */
  run(node: N, ctx: NodeContext, input?: StepInput): NodeOutcome;
}
