// The web process: config → logger → db (migrate, seed) → carrier (Twilio or the built-in simulator) → http → jobs.
import { loadConfig, ConfigError } from './config/config';
import { loadEnvFile } from './config/env-file';
import { createLogger } from './logging/logger';
import { openDatabase } from './db/client';
import { seedDemoData } from './db/seed/demo-data';
import { seedDemoStaff } from './db/seed/demo-staff';
import { createHotline } from './hotline';
import { startBackground } from './background';
import { TwilioCallControl } from './telephony/call-control';
import { FlowError } from './ivr/flow-schema';
import { StaffRepo } from './auth/staff.repo';
import { accountsWithDemoPassword, demoPasswordRefusal } from './auth/demo-passwords';
import type { HealthCheck } from './http/health';
import { portProblem, StartupError } from './config/port-problem';

async function main(): Promise<void> {
  const envFile = loadEnvFile();
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (envFile) log.info(`settings read from ${envFile} (the environment wins over it)`);
  if (config.hotlineHours !== 'calendar') log.warn(`HOTLINE_HOURS=${config.hotlineHours}: the hotline is ${config.hotlineHours} at any hour, whatever the flows' calendars say`);
  const db = openDatabase(config.databaseFile);
  // Demo customers and staff only in simulator mode (config.seedDemoData is false with live credentials).
  if (config.seedDemoData) {
    const seeded = seedDemoData(db);
    if (seeded.customers) log.info('seeded demo data', seeded);
    const staff = seedDemoStaff(db);
    if (staff.staff) log.info('seeded demo staff (password in the README)', staff);
  }
  if (!config.simulator) {
    const staffRepo = new StaffRepo(db);
    const demo = await accountsWithDemoPassword(staffRepo);
    if (demo.length) throw new StartupError(demoPasswordRefusal(demo));
    if (staffRepo.count() === 0) log.warn('No staff accounts yet: create the first admin with `npm run staff:create-admin -- --username <name>`');
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
        `Place a call with: npm run call -- --from +8613700001111 --press 1 --press 1 --press 1 --hangup` +
        (config.hotlineHours === 'calendar' ? ` (the hotline keeps ${config.timeZone} business hours; HOTLINE_HOURS=open npm start pins it open)` : ''),
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
