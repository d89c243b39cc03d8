// Runs the carrier simulator inside the web process when no Twilio credentials are set.
import type { Config } from '../config/config';
import type { Logger } from '../logging/logger';
import { CarrierSimulator } from './index';

/** The hotline number's webhooks, as they would be configured on the Twilio console. */
export function hotlineNumbers(config: Readonly<Config>) {
  const base = config.publicBaseUrl;
  return {
    [config.hotlineNumber]: {
      voiceUrl: `${base}/twilio/voice`,
      statusCallback: `${base}/twilio/voice/status`,
      fallbackUrl: `${base}/twilio/voice/fallback`,
    },
  };
}

export async function startEmbeddedSimulator(config: Readonly<Config>, log: Logger): Promise<CarrierSimulator> {
  const simLog = log.child({ component: 'simulator' });
  const sim = new CarrierSimulator({
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    apiKeySid: config.twilio.apiKey,
    apiKeySecret: config.twilio.apiSecret,
    numbers: hotlineNumbers(config),
    timeScale: config.simulator?.timeScale,
    callbackOrder: config.simulator?.shuffleSeed === undefined ? 'in-order' : { shuffle: config.simulator.shuffleSeed },
    log: (msg, meta) => simLog.debug(msg, meta),
  });
  await sim.listen(config.simulator?.port ?? 0, '127.0.0.1');
  return sim;
}
