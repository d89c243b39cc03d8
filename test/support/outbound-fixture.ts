// The hotline with its dialer and the carrier simulator as separate servers on simulated time (20 ms a second), with a
// clock that can also be moved forward by hours; and the worker (bull on real Redis) under a test's own key prefix.
import { CarrierSimulator } from '../../src/sim/index';
import { simulatorAccount } from '../../src/sim/embedded';
import { OPEN_HOURS, startHotline, testConfig } from './hotline-fixture';
import { simulatorControl, type SimFixture } from './sim-fixture';

export { simulatorControl, startWorker } from './sim-fixture';

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

/**
 * One outbound call to `to` through the carrier's REST API and the hotline's outbound webhooks, to warm them up: on
 * simulated time a cold first request outlasts a ring.
 */
export async function warmUpOutbound(f: OutboundFixture, to: string): Promise<void> {
  const { publicBaseUrl } = f.config;
  const sid = await simulatorControl(f).createCall({ to, from: f.config.hotlineNumber, url: `${publicBaseUrl}/twilio/outbound/answer?attempt=1`, statusCallback: `${publicBaseUrl}/twilio/outbound/status?attempt=1`, timeoutSeconds: 5 });
  await f.sim.call(sid)?.done;
}
