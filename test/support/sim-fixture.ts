// A hotline server plus the carrier simulator, wired as in simulator mode, for end-to-end tests.
import { startBackground } from '../../src/background';
import { TwilioCallControl, type CallControl } from '../../src/telephony/call-control';
import { createLogger } from '../../src/logging/logger';
import { CarrierSimulator, type SimCall } from '../../src/sim/index';
import { callbackOrderFromEnv, type CallbackOrder } from '../../src/sim/callback-order';
import { simulatorAccount } from '../../src/sim/embedded';
import type { RecordingStore } from '../../src/recordings/recording-store';
import type { Logger } from '../../src/logging/logger';
import type { HotlineMetrics } from '../../src/metrics/hotline-metrics';
import { OPEN_HOURS, startHotline, testConfig, type Fixture, type HotlineFixtureOptions } from './hotline-fixture';

export interface SimFixture extends Fixture {
  sim: CarrierSimulator;
  /** Places a call from `from` to the hotline and waits until it ends. */
  call(from: string, script: Record<string, unknown>[]): Promise<SimCall>;
  /** Places a call and returns at once. */
  dial(from: string, script: Record<string, unknown>[]): SimCall;
}

export interface SimFixtureOptions {
  /** Real milliseconds per simulated second. @default 2 */
  timeScale?: number;
  /**
   * The server's clock runs on simulated time from OPEN_HOURS (needed when server timers meet simulated ones:
   * ring timeouts, wrap-up). Without it the server's clock stands still at OPEN_HOURS.
   */
  simulatedServerClock?: boolean;
  acdTickMs?: number;
  /** How the simulator delivers independent callbacks. @default 'in-order' */
  callbackOrder?: CallbackOrder;
  /** Where the server reads recordings' audio (the store the background downloads into). */
  recordingStore?: RecordingStore;
  /** The floor feed's pace and the WebSocket server's bounds on slow clients. */
  floor?: HotlineFixtureOptions['floor'];
  realtime?: HotlineFixtureOptions['realtime'];
  metrics?: HotlineMetrics;
  log?: Logger;
  /** Offer and dial callbacks (start the worker with outbound-fixture's `startWorker`). @default false */
  dialer?: boolean;
  /** Where the server reaches the carrier's REST API, given the simulator's URL (e.g. a faulty proxy in front of it). @default the simulator */
  carrierApiBaseUrl?: (simulatorUrl: string) => Promise<string>;
}

/**
 * The end-to-end suites run once with callbacks in order and once shuffled (status, conference, Enqueue action and
 * recording callbacks delayed and reordered by a seed: SIMULATOR_SHUFFLE_SEED, or 7), as Twilio may deliver them.
 */
function shuffledOrder(): CallbackOrder {
  const fromEnv = callbackOrderFromEnv();
  return fromEnv === 'in-order' ? { shuffle: 7 } : fromEnv;
}

export const CALLBACK_MODES: { name: string; order: CallbackOrder }[] = [
  { name: 'callbacks in order', order: 'in-order' },
  { name: 'callbacks shuffled', order: shuffledOrder() },
];

export async function startHotlineWithSimulator(env: Record<string, string> = {}, o: SimFixtureOptions = {}): Promise<SimFixture> {
  const config = await testConfig(env);
  const sim = new CarrierSimulator({
    ...simulatorAccount(config),
    timeScale: o.timeScale ?? 2,
    playSeconds: 10,
    maxCallSeconds: 900,
    callbackOrder: o.callbackOrder,
  });
  await sim.listen(0, '127.0.0.1');
  const start = new Date(OPEN_HOURS).getTime();
  const f = await startHotline(env, {
    config,
    carrierApiBaseUrl: o.carrierApiBaseUrl ? await o.carrierApiBaseUrl(sim.baseUrl) : sim.baseUrl,
    acdTickMs: o.acdTickMs ?? 20,
    recordingStore: o.recordingStore,
    metrics: o.metrics,
    log: o.log,
    now: o.simulatedServerClock ? () => new Date(start + Math.round(sim.clock.now() * 1000)) : undefined,
    floor: o.floor,
    realtime: o.realtime,
    dialer: o.dialer,
  });
  const dial = (from: string, script: Record<string, unknown>[]) => sim.placeCall({ from, to: config.hotlineNumber, script: script as never });
  return {
    ...f,
    sim,
    dial,
    async call(from, script) {
      const call = dial(from, script);
      await call.done;
      return call;
    },
    async close() {
      await sim.close();
      await f.close();
    },
  };
}

/** The carrier's REST API as the worker uses it, pointed at the simulator. */
export function simulatorControl(f: SimFixture): TwilioCallControl {
  return new TwilioCallControl({ accountSid: f.config.twilio.accountSid, authToken: f.config.twilio.authToken, apiBaseUrl: f.sim.baseUrl });
}

/** The worker (bull on real Redis under `prefix`) on the fixture's database and clock; stop it with the returned `stop()`. */
export function startWorker(
  f: SimFixture,
  o: { prefix: string; callControl?: CallControl; redisUrl?: string; recordingsDir?: string; recordingStore?: RecordingStore },
) {
  return startBackground({
    config: o.redisUrl ? { ...f.config, redisUrl: o.redisUrl } : f.config,
    db: f.hotline.db,
    log: createLogger('error', true),
    callControl: o.callControl ?? simulatorControl(f),
    prefix: o.prefix,
    clock: f.clock,
    groupCommit: f.hotline.groupCommit,
    recordingsDir: o.recordingsDir,
    recordingStore: o.recordingStore,
  });
}
