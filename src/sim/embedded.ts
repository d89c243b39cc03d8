// Starts the carrier simulator for the hotline's config: inside the web process, or alone (`npm run sim`).
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

/** The carrier account and the hotline number as the config describes them: what every simulator of this server needs. */
export function simulatorAccount(config: Readonly<Config>) {
  return {
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    apiKeySid: config.twilio.apiKey,
    apiKeySecret: config.twilio.apiSecret,
    numbers: hotlineNumbers(config),
  };
}

/** The simulator the config describes (credentials, hotline number, time scale, callback order), listening on loopback. */
export async function startEmbeddedSimulator(config: Readonly<Config>, log: Logger, port = config.simulator?.port ?? 0): Promise<CarrierSimulator> {
  const simLog = log.child({ component: 'simulator' });
  const sim = new CarrierSimulator({
    ...simulatorAccount(config),
    timeScale: config.simulator?.timeScale,
    callbackOrder: config.simulator?.shuffleSeed === undefined ? 'in-order' : { shuffle: config.simulator.shuffleSeed },
    log: (msg, meta) => simLog.debug(msg, meta),
  });
  await sim.listen(port, '127.0.0.1');
  return sim;
}
