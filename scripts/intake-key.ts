// Creates an integration key for the order system from the shell (first setup): `npm run intake:key -- --name erp`.
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { openDatabase } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { AuditRepo } from '../src/audit/audit.repo';
import { IntegrationKeysRepo } from '../src/intake/integration-keys.repo';
import { IntegrationKeysService } from '../src/intake/integration-keys.service';
import { DomainError } from '../src/errors/domain-errors';

const USAGE = `Usage: npm run intake:key -- --name <system>

Creates an integration key in DATABASE_FILE (migrating it first) and prints it once: give it to the order system,
which sends it as "Authorization: Bearer ik_…" (or X-Integration-Key) to POST /api/intake/orders and /api/intake/rmas.
Only its hash is stored; list and revoke keys as an admin at /api/integration-keys.

  --name <system>   which system uses the key (e.g. erp)
  --help            print this message`;

class UsageError extends Error {}

function main(): void {
  const { values } = parseArgs({ options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return void console.log(USAGE);
  const name = values.name?.trim();
  if (!name) throw new UsageError(`--name is required\n\n${USAGE}`);
  loadEnvFile();
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  try {
    const keys = new IntegrationKeysService({ keys: new IntegrationKeysRepo(db), audit: new AuditRepo(db), transact: transactor(db) });
    const k = keys.create(name, { id: null }, new Date(), 'npm run intake:key');
    console.error(`created integration key ${k.id} "${k.name}" (${k.prefix}…) in ${config.databaseFile}; it is shown only now:`);
    console.log(k.key);
  } finally {
    db.$client.close();
  }
}

try {
  main();
} catch (err: unknown) {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof DomainError) console.error(err.message);
  else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${USAGE}`);
  else console.error(err);
  process.exit(1);
}
