// Runs the carrier simulator as its own process (`npm run sim`), so the web process can stop or crash while calls stay up.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { createLogger } from '../src/logging/logger';
import { startEmbeddedSimulator } from '../src/sim/embedded';
import { portProblem, StartupError } from '../src/config/port-problem';
import type { DayLoadPlan } from './bench/day-load';

const usage = `Usage: SIMULATOR_SECRET=<secret> npm run sim [-- --port <port>]

Starts the built-in carrier simulator alone, on SIMULATOR_PORT (default 4010), playing the carrier for the hotline
at PUBLIC_BASE_URL (default http://127.0.0.1:$PORT). Start the server with the same SIMULATOR_SECRET and
SIMULATOR_URL=http://127.0.0.1:<port>: both derive the same account credentials from the secret, so the server can be
stopped, killed and restarted while the simulated calls go on (and it picks them up again on start).
Without SIMULATOR_SECRET a random one is made and printed. Prints "simulator listening at <url>" when ready.

  --load <plan.json>  also run a load from this process once the server answers: agents' softphones and callers at
                      a set rate, measured as the carrier sees them (written by \`npm run bench:day\`, which reads the
                      result file the plan names; see scripts/bench/day-load.ts).`;

const { values } = parseArgs({ options: { port: { type: 'string' }, load: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
if (values.help) {
  console.log(usage);
  process.exit(0);
}

try {
  loadEnvFile();
  const secret = process.env.SIMULATOR_SECRET || randomBytes(24).toString('hex');
  const config = loadConfig({ ...process.env, SIMULATOR_SECRET: secret, SIMULATOR_URL: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' });
  const port = values.port === undefined ? config.simulator!.port : Number(values.port);
  const sim = await startEmbeddedSimulator(config, createLogger(config.logLevel), port).catch((err: unknown) => {
    throw portProblem(err, 'SIMULATOR_PORT');
  });
  const url = sim.baseUrl;
  console.log(`simulator listening at ${url}`);
  if (!process.env.SIMULATOR_SECRET) console.log(`start the server with: SIMULATOR_SECRET=${secret} SIMULATOR_URL=${url} npm start`);
  if (values.load) {
    const { runDayLoad } = await import('./bench/day-load');
    const plan = JSON.parse(fs.readFileSync(values.load, 'utf8')) as DayLoadPlan;
    void runDayLoad(sim, plan, (line) => console.log(line)).catch((err: unknown) => {
      console.error('load failed:', err);
      process.exit(1);
    });
  }
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof StartupError ? err.message : err);
  process.exit(1);
}
