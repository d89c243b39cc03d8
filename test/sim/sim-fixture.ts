// A carrier simulator wired to a signature-checking TwiML test app, for the simulator's own tests.
import twilio from 'twilio';
import { CarrierSimulator, type SimulatorOptions } from '../../src/sim/index';
import { TwimlTestServer, ACCOUNT_SID, AUTH_TOKEN, API_KEY_SID, API_KEY_SECRET, HOTLINE } from './twiml-test-server';

export interface SimTest {
  sim: CarrierSimulator;
  app: TwimlTestServer;
  close(): Promise<void>;
}

/** `opts` may depend on the test app (e.g. a fallback URL on it). */
export async function startSim(opts: Partial<SimulatorOptions> | ((app: TwimlTestServer) => Partial<SimulatorOptions>) = {}): Promise<SimTest> {
  const app = await new TwimlTestServer(AUTH_TOKEN).start();
  if (typeof opts === 'function') opts = opts(app);
  const sim = new CarrierSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    apiKeySid: API_KEY_SID,
    apiKeySecret: API_KEY_SECRET,
    numbers: { [HOTLINE]: { voiceUrl: app.url('/voice'), statusCallback: app.url('/status') } },
    timeScale: 4,
    playSeconds: 3,
    maxCallSeconds: 300,
    ...opts,
  });
  await sim.listen(0);
  return {
    sim,
    app,
    async close() {
      await sim.close();
      await app.close();
    },
  };
}

export function voiceToken(identity: string, opts: { secret?: string; ttl?: number; incoming?: boolean } = {}): string {
  const token = new twilio.jwt.AccessToken(ACCOUNT_SID, API_KEY_SID, opts.secret ?? API_KEY_SECRET, { identity, ttl: opts.ttl ?? 3600 });
  token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: opts.incoming ?? true, outgoingApplicationSid: 'AP' + '3'.repeat(32) }));
  return token.toJwt();
}
