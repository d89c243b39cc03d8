// When the carrier's independent callbacks (status, conference, recording, actions after a hangup) go out: in order, or shuffled by a seed.
import { mulberry32 } from '../db/seed/mulberry32';

/**
 * 'in-order': each call's and each conference's callbacks are sent one after another, as they happen.
 * shuffle: every independent callback is sent on its own after a seeded random delay of 0..maxDelayMs real
 * milliseconds, so callbacks of different kinds (and of one kind) can arrive out of order, as Twilio warns they may.
 * The TwiML request/response chain of one call is never reordered.
 */
export type CallbackOrder = 'in-order' | { shuffle: number; maxDelayMs?: number };

export class CallbackScheduler {
  private readonly random?: () => number;
  private readonly maxDelayMs: number;

  constructor(order: CallbackOrder = 'in-order') {
    this.random = order === 'in-order' ? undefined : mulberry32(order.shuffle);
    this.maxDelayMs = order === 'in-order' ? 0 : (order.maxDelayMs ?? 30);
  }

  get shuffled(): boolean {
    return !!this.random;
  }

  /**
   * Sends `send` after the previous callback of the same `chain` (in order), or alone after a random delay (shuffled).
   * Returns the new chain tail (in order) or the send itself (shuffled); never rejects.
   */
  schedule(chain: Promise<unknown>, send: () => Promise<unknown>): Promise<unknown> {
    if (!this.random) return chain.then(send).catch(() => undefined);
    const delay = Math.floor(this.random() * this.maxDelayMs);
    return new Promise((r) => setTimeout(r, delay)).then(send).catch(() => undefined);
  }
}

/** The seed from SIMULATOR_SHUFFLE_SEED, if set: for running a test suite in shuffle mode. */
export function callbackOrderFromEnv(env: NodeJS.ProcessEnv = process.env): CallbackOrder {
  const seed = env.SIMULATOR_SHUFFLE_SEED;
  if (seed === undefined || seed === '') return 'in-order';
  const n = Number(seed);
  if (!Number.isInteger(n)) throw new Error(`SIMULATOR_SHUFFLE_SEED must be an integer, not ${JSON.stringify(seed)}`);
  return { shuffle: n };
}
