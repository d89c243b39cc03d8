// A hotline server plus the carrier simulator, wired as in simulator mode, for end-to-end tests.
import { CarrierSimulator, type SimCall } from '../../src/sim/index';
import { hotlineNumbers } from '../../src/sim/embedded';
import { startHotline, type Fixture } from './hotline-fixture';

export interface SimFixture extends Fixture {
  sim: CarrierSimulator;
  /** Places a call from `from` to the hotline and waits until it ends. */
  call(from: string, script: Record<string, unknown>[]): Promise<SimCall>;
}

export async function startHotlineWithSimulator(env: Record<string, string> = {}): Promise<SimFixture> {
  const f = await startHotline(env);
  const sim = new CarrierSimulator({
    accountSid: f.config.twilio.accountSid,
    authToken: f.config.twilio.authToken,
    apiKeySid: f.config.twilio.apiKey,
    apiKeySecret: f.config.twilio.apiSecret,
    numbers: hotlineNumbers(f.config),
    timeScale: 2,
    playSeconds: 10,
    maxCallSeconds: 900,
  });
  await sim.listen(0, '127.0.0.1');
  return {
    ...f,
    sim,
    async call(from, script) {
      const call = sim.placeCall({ from, to: f.config.hotlineNumber, script: script as never });
      await call.done;
      return call;
    },
    async close() {
      await sim.close();
      await f.close();
    },
  };
}
