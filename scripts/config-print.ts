// Prints the effective configuration (environment over .env over defaults) as JSON, secrets masked.
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { printableConfig } from '../src/config/config-print';

if (process.argv.includes('--help')) {
  console.log('Usage: npm run config:print   (reads .env or ENV_FILE like npm start; secrets are masked: ****last4)');
  process.exit(0);
}
try {
  const file = loadEnvFile();
  const config = loadConfig();
  console.log(JSON.stringify({ envFile: file ?? null, mode: config.simulator ? 'simulator' : 'live', ...printableConfig(config) }, null, 2));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
