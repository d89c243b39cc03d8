// Applies the committed migrations to DATABASE_FILE (Procfile `release`).
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { openDatabase } from '../src/db/client';

if (process.argv.includes('--help')) {
  console.log('Usage: npm run migrate  (applies src/db/migrations to DATABASE_FILE)');
  process.exit(0);
}
try {
  loadEnvFile();
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  db.$client.close();
  console.log(`migrated ${config.databaseFile}`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
