// The web process: config → logger → db (migrate, seed) → carrier (Twilio or the built-in simulator) → http → jobs.
import { loadConfig, ConfigError, type Config } from './config/config';
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
import { installProcessGuards } from './process-guards';
import { HotlineMetrics } from './metrics/hotline-metrics';
import { startMetricsServer } from './metrics/metrics-endpoint';
import type { AddressInfo } from 'node:net';

/** Where the server listens, as an operator reads it: `http://127.0.0.1:3000 (this machine only, HOST)`. */
function listeningOn(a: AddressInfo): string {
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  const scope = ['0.0.0.0', '::'].includes(a.address) ? 'every interface' : a.address.startsWith('127.') || a.address === '::1' ? 'this machine only' : 'this address only';
  return `http://${host}:${a.port} (${scope}; set HOST to change)`;
}

/** The settings `npm run call`/`agent` need to find this server when its ports are not the defaults (`PORT=3100 `). */
function scriptSettings(config: Readonly<Config>, port: number, simulatorUrl: string | undefined): string {
  const simPort = simulatorUrl && !config.simulator?.url ? Number(new URL(simulatorUrl).port) : 4010;
  return (port !== 3000 ? `PORT=${port} ` : '') + (simPort !== 4010 ? `SIMULATOR_PORT=${simPort} ` : '');
}

async function main(): Promise<void> {
  const envFile = loadEnvFile();
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (envFile) log.info(`settings read from ${envFile} (the environment wins over it)`);
  if (config.hotlineHours !== 'calendar') log.warn(`HOTLINE_HOURS=${config.hotlineHours}: the hotline is ${config.hotlineHours} at any hour, whatever the flows' calendars say`);
  let fatal: (err: unknown) => void = () => process.exit(1);
  installProcessGuards(log, (err) => fatal(err));
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
  if (config.simulator?.url) {
    // A simulator in its own process (`npm run sim`): it keeps the calls alive while this server restarts.
    apiBaseUrl = config.simulator.url;
  } else if (config.simulator) {
    const { startEmbeddedSimulator } = await import('./sim/embedded');
    const sim = await startEmbeddedSimulator(config, log).catch((err: unknown) => {
      throw portProblem(err, 'SIMULATOR_PORT');
    });
    apiBaseUrl = sim.baseUrl;
    stopSimulator = () => sim.close();
  }

  const callControl = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl, log: log.child({ component: 'carrier' }) });
  // One registry for the process: the jobs running in it (startBackground) add theirs to the web process's.
  const metrics = new HotlineMetrics({ process: 'web' }).timeDatabase();
  // /health asks the background's job queues about Redis; they start once the server listens.
  let redis: HealthCheck = () => 'down';
  // The ACD makes no offer until the database is reconciled with what the carrier still holds (after a crash).
  const hotline = createHotline({ config, log, db, callControl, carrierApiBaseUrl: apiBaseUrl, reconcileOnStart: true, dialer: true, health: { redis: () => redis() }, metrics });
  await hotline.listen(config.port, config.host).catch((err: unknown) => {
    throw portProblem(err, 'PORT');
  });
  const background = startBackground({ config, db, log, callControl, groupCommit: hotline.groupCommit, metrics, prefix: config.redisPrefix, workers: config.webRunsJobs });
  if (!config.webRunsJobs) log.info('WEB_RUNS_JOBS=false: the job workers run in `npm run worker`, not here');
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsServer(metrics, { port: config.metrics.port, host: config.metrics.host, log }).catch((err: unknown) => {
          throw portProblem(err, 'METRICS_PORT');
        });
  if (metricsServer) log.info(`metrics on http://${config.metrics.host}:${(metricsServer.address() as AddressInfo).port}/metrics (METRICS_PORT)`);
  redis = () => background.queues.redisState();
  // The dialer's queue starts once Redis answers: the dashboard lists every queue from then.
  background.queues.whenUp(() => hotline.setJobQueues(background.queues.all()));
  log.info(`hotline listening on ${listeningOn(hotline.server.address() as AddressInfo)}`, { publicBaseUrl: config.publicBaseUrl, database: config.databaseFile });
  if (config.simulator) {
    log.info(
      `SIMULATOR MODE: no Twilio credentials are set, so the ${config.simulator.url ? 'separate' : 'built-in'} carrier simulator plays the carrier at ${apiBaseUrl}. ` +
        `Place a call with: ${scriptSettings(config, (hotline.server.address() as AddressInfo).port, apiBaseUrl)}npm run call -- --from +8613700001111 --press 1 --press 1 --press 1 --hangup` +
        (config.hotlineHours === 'calendar' ? ` (the hotline keeps ${config.timeZone} business hours; HOTLINE_HOURS=open npm start pins it open)` : ''),
    );
  }
  await hotline.reconcile();

  let stopping = false;
  const stop = (why: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info(`${why}: shutting down (webhooks in flight are answered, desktops told the server is restarting)`);
    // Whatever hangs, the process is gone within 10 s: its supervisor restarts it and reconciliation picks the calls up.
    setTimeout(() => {
      log.error('shutdown took more than 10 s; exiting now');
      process.exit(exitCode || 1);
    }, 10_000).unref();
    void (async () => {
      try {
        metricsServer?.close();
        await stopSimulator();
        await hotline.close({ graceMs: 5_000, restart: true });
        await background.stop();
        db.$client.close();
      } catch (err) {
        log.error('error while shutting down', { err: String(err) });
      }
      process.exit(exitCode);
    })();
  };
  fatal = () => stop('uncaught exception', 1);
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof StartupError) console.error(err.message);
  else if (err instanceof FlowError) console.error(`IVR flows are invalid:\n${err.message}`);
  else console.error(err);
  process.exit(1);
});
