// The hotline with its dialer and the carrier simulator as separate servers on simulated time (20 ms a second), with a
// clock that can also be moved forward by hours; and the worker (bull on real Redis) under a test's own key prefix.
import { startBackground } from '../../src/background';
import { TwilioCallControl, type CallControl } from '../../src/telephony/call-control';
import { CarrierSimulator } from '../../src/sim/index';
import { simulatorAccount } from '../../src/sim/embedded';
import { createLogger } from '../../src/logging/logger';
import { OPEN_HOURS, startHotline, testConfig } from './hotline-fixture';
import type { SimFixture } from './sim-fixture';

export type OutboundFixture = SimFixture & {
  /** Moves the server's clock forward (calling hours, retries due later). */
  shift(ms: number): void;
};

export async function startOutboundHotline(env: Record<string, string> = {}): Promise<OutboundFixture> {
  const config = await testConfig(env);
  const sim = new CarrierSimulator({ ...simulatorAccount(config), timeScale: 20, playSeconds: 10, maxCallSeconds: 900 });
  await sim.listen(0, '127.0.0.1');
  const base = new Date(OPEN_HOURS).getTime();
  let shift = 0;
  const fx = await startHotline(env, { config, carrierApiBaseUrl: sim.baseUrl, acdTickMs: 10, dialer: true, now: () => new Date(base + shift + Math.round(sim.clock.now() * 1000)) });
  return {
    ...fx,
    sim,
    dial: (from, script) => sim.placeCall({ from, to: config.hotlineNumber, script: script as never }),
    async call(from, script) {
      const c = sim.placeCall({ from, to: config.hotlineNumber, script: script as never });
      await c.done;
      return c;
    },
    shift: (ms) => void (shift += ms),
    async close() {
      await sim.close();
      await fx.close();
    },
  };
}

/** The carrier's REST API as the worker uses it, pointed at the simulator. */
export function simulatorControl(f: OutboundFixture): TwilioCallControl {
  return new TwilioCallControl({ accountSid: f.config.twilio.accountSid, authToken: f.config.twilio.authToken, apiBaseUrl: f.sim.baseUrl });
}

/** The worker on the fixture's database and clock; stop it with the returned `stop()`. */
export function startWorker(f: OutboundFixture, o: { prefix: string; callControl?: CallControl; redisUrl?: string }) {
  return startBackground({
    config: o.redisUrl ? { ...f.config, redisUrl: o.redisUrl } : f.config,
    db: f.hotline.db,
    log: createLogger('error', true),
    callControl: o.callControl ?? simulatorControl(f),
    prefix: o.prefix,
    clock: f.clock,
    groupCommit: f.hotline.groupCommit,
  });
}

/**
 * One outbound call to `to` through the carrier's REST API and the hotline's outbound webhooks, to warm them up: on
 * simulated time a cold first request outlasts a ring.
 */
export async function warmUpOutbound(f: OutboundFixture, to: string): Promise<void> {
  const { publicBaseUrl } = f.config;
  const sid = await simulatorControl(f).createCall({ to, from: f.config.hotlineNumber, url: `${publicBaseUrl}/twilio/outbound/answer?attempt=1`, statusCallback: `${publicBaseUrl}/twilio/outbound/status?attempt=1`, timeoutSeconds: 5 });
  await f.sim.call(sid)?.done;
}
