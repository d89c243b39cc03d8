// What the simulator's parts share: options, clock, webhook client, event bus and the registries of calls and resources.
import type { EventEmitter } from 'node:events';
import type { SimClock } from './sim-clock';
import type { WebhookClient } from './webhook-client';
import type { CallSession } from './call-session';
import type { CarrierQueues } from './carrier-queues';
import type { Conferences } from './conferences';
import type { RecordingStore } from './recordings';
import type { Endpoints } from './endpoints';
import type { CallbackOrder, CallbackScheduler } from './callback-order';
import type { Recognizer, RecognizerOptions } from './recognizer';

export interface NumberWebhooks {
  voiceUrl: string;
  statusCallback?: string;
  fallbackUrl?: string;
}

export interface SimulatorOptions {
  accountSid: string;
  authToken: string;
  /** For REST Basic auth with API keys and for verifying softphone access tokens. */
  apiKeySid?: string;
  apiKeySecret?: string;
  /** E.164 number → the webhooks configured on it. */
  numbers: Record<string, NumberWebhooks>;
  /** Real milliseconds per simulated second. @default 1000 */
  timeScale?: number;
  /** Simulated seconds one <Play> lasts. @default 10 */
  playSeconds?: number;
  /** A call still up after this many simulated seconds is hung up by its caller. @default 600 */
  maxCallSeconds?: number;
  log?: (msg: string, meta?: object) => void;
  /** How independent callbacks are delivered: 'in-order', or `{shuffle: seed}` to delay and reorder them. @default 'in-order' */
  callbackOrder?: CallbackOrder;
  /** How spoken input comes back (seeded mishearing, confidence). */
  recognizer?: RecognizerOptions;
  /** Ended calls kept for REST GETs and transcripts, most recent first; older ones are forgotten. @default 1000 */
  retainEndedCalls?: number;
}

type Optional = 'apiKeySid' | 'apiKeySecret' | 'callbackOrder' | 'recognizer' | 'retainEndedCalls';
export type ResolvedOptions = Required<Omit<SimulatorOptions, Optional>> & Pick<SimulatorOptions, Optional>;

export interface CarrierContext {
  readonly opts: ResolvedOptions;
  readonly clock: SimClock;
  readonly webhooks: WebhookClient;
  readonly events: EventEmitter;
  readonly baseUrl: string;
  readonly queues: CarrierQueues;
  readonly conferences: Conferences;
  readonly recordings: RecordingStore;
  readonly endpoints: Endpoints;
  readonly callbacks: CallbackScheduler;
  readonly recognizer: Recognizer;
  addCall(call: CallSession): void;
  getCall(sid: string): CallSession | undefined;
  callList(): CallSession[];
  /** `/2010-04-01/Accounts/AC…` */
  readonly accountPath: string;
}
