// The worker process (Procfile `worker`): the outbox relay and bull workers, without the web server.
import { loadConfig, ConfigError } from './config/config';
import { loadEnvFile } from './config/env-file';
import { createLogger } from './logging/logger';
import { openDatabase } from './db/client';
import { startBackground } from './background';
import { TwilioCallControl } from './telephony/call-control';

try {
  loadEnvFile();
  const config = loadConfig();
  if (config.simulator) {
    // The simulator lives inside the web process with credentials made at each start: a worker apart cannot reach it.
    console.error(
      'npm run worker needs Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): in simulator mode the carrier lives inside `npm start`, which runs the job workers itself; start only `npm start`.',
    );
    process.exit(1);
  }
  const log = createLogger(config.logLevel).child({ process: 'worker' });
  const db = openDatabase(config.databaseFile);
  const background = startBackground({ config, db, log, callControl: new TwilioCallControl(config.twilio), prefix: config.redisPrefix });
  log.info('worker started');
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
