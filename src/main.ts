// The web process: config → logger → db (migrate, seed) → carrier (Twilio or the built-in simulator) → http → jobs.
import { loadConfig, ConfigError } from './config/config';
import { createLogger } from './logging/logger';
import { openDatabase } from './db/client';
import { seedDemoData } from './db/seed/demo-data';
import { seedDemoStaff } from './db/seed/demo-staff';
import { createHotline } from './hotline';
import { startBackground } from './background';
import { TwilioCallControl } from './telephony/call-control';
import { FlowError } from './ivr/flow-schema';
import type { HealthCheck } from './http/health';
import { portProblem, StartupError } from './config/port-problem';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = openDatabase(config.databaseFile);
  if (config.seedDemoData) {
    const seeded = seedDemoData(db);
    if (seeded.customers) log.info('seeded demo data', seeded);
    const staff = seedDemoStaff(db);
    if (staff.staff) log.info('seeded demo staff (password in the README)', staff);
  }

  let apiBaseUrl: string | undefined;
  let stopSimulator = async () => {};
  if (config.simulator) {
    const { startEmbeddedSimulator } = await import('./sim/embedded');
    const sim = await startEmbeddedSimulator(config, log).catch((err: unknown) => {
      throw portProblem(err, 'SIMULATOR_PORT');
    });
    apiBaseUrl = sim.baseUrl;
    stopSimulator = () => sim.close();
  }

  const callControl = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl });
  // /health asks the background's job queues about Redis; they start once the server listens.
  let redis: HealthCheck = () => 'down';
  const hotline = createHotline({ config, log, db, callControl, health: { redis: () => redis() } });
  const port = await hotline.listen().catch((err: unknown) => {
    throw portProblem(err, 'PORT');
  });
  const background = startBackground({ config, db, log, callControl });
  redis = () => background.queues.redisState();
  log.info(`hotline listening on port ${port}`, { publicBaseUrl: config.publicBaseUrl, database: config.databaseFile });
  if (apiBaseUrl) {
    log.info(
      `SIMULATOR MODE: no Twilio credentials are set, so the built-in carrier simulator plays the carrier at ${apiBaseUrl}. ` +
        `Place a call with: npm run call -- --from +8613800138000 --press 1`,
    );
  }

  const stop = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    await stopSimulator();
    await hotline.close();
    await background.stop();
    db.$client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof StartupError) console.error(err.message);
  else if (err instanceof FlowError) console.error(`IVR flows are invalid:\n${err.message}`);
  else console.error(err);
  process.exit(1);
});
