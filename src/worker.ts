// The worker process (Procfile `worker`): the outbox relay and bull workers, without the web server.
import { loadConfig, ConfigError } from './config/config';
import { loadEnvFile } from './config/env-file';
import { createLogger } from './logging/logger';
import { openDatabase } from './db/client';
import { startBackground } from './background';
import { TwilioCallControl } from './telephony/call-control';
import { HotlineMetrics } from './metrics/hotline-metrics';
import { startMetricsServer } from './metrics/metrics-endpoint';

try {
  loadEnvFile();
  const config = loadConfig();
  if (config.simulator && !config.simulator.url) {
    // The built-in simulator lives inside the web process with credentials made at each start: a worker apart cannot reach it.
    console.error(
      'npm run worker needs Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN), or a separate simulator (SIMULATOR_URL and SIMULATOR_SECRET, as the server has them): with the built-in simulator the carrier lives inside `npm start`, which runs the job workers itself; start only `npm start`.',
    );
    process.exit(1);
  }
  const log = createLogger(config.logLevel).child({ process: 'worker' });
  const db = openDatabase(config.databaseFile);
  // The worker's own metrics (jobs, Redis, SQLite, the process) on WORKER_METRICS_PORT; the web process has the floor's.
  const metrics = new HotlineMetrics({ process: 'worker' }).timeDatabase();
  const background = startBackground({ config, db, log, callControl: new TwilioCallControl({ ...config.twilio, apiBaseUrl: config.simulator?.url, log: log.child({ component: 'carrier' }) }), metrics, prefix: config.redisPrefix });
  log.info('worker started');
  if (config.metrics.workerPort !== undefined) {
    startMetricsServer(metrics, { port: config.metrics.workerPort, host: config.metrics.host, log }).then(
      (s) => log.info(`worker metrics on http://${config.metrics.host}:${(s.address() as { port: number }).port}/metrics (WORKER_METRICS_PORT)`),
      (err: unknown) => {
        console.error(`WORKER_METRICS_PORT=${config.metrics.workerPort}: cannot listen (${String(err)})`);
        process.exit(1);
      },
    );
  }
  const stop = async () => {
    await background.stop();
    db.$client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
