// Seeds the demo customers, orders and RMAs, and the demo staff, into DATABASE_FILE (`npm run seed`, `-- --reset` to start over).
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { openDatabase } from '../src/db/client';
import { isSeeded, resetCustomerData, seedDemoData } from '../src/db/seed/demo-data';
import { DEMO_PASSWORD, seedDemoStaff } from '../src/db/seed/demo-staff';

const USAGE = `Usage: npm run seed [-- --reset]

Seeds demo customers, orders and RMAs into DATABASE_FILE (migrating it first), and, in simulator mode (no Twilio
credentials), the demo staff with the password "${DEMO_PASSWORD}" when there are no staff accounts yet.
With live Twilio credentials no demo staff is seeded: create an admin with npm run staff:create-admin.
Does nothing when customers already exist, unless:
  --reset   delete all customers, phones, orders and RMAs first (calls, callbacks, voicemails
            and work orders are kept, with their customer link cleared; staff are kept)
  --help    print this message`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--reset');
if (unknown.length) {
  console.error(`Unknown argument: ${unknown[0]}\n\n${USAGE}`);
  process.exit(2);
}

try {
  loadEnvFile();
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  try {
    const counts = db.transaction(() => {
      if (args.includes('--reset')) resetCustomerData(db);
      else if (isSeeded(db)) return undefined;
      return seedDemoData(db);
    });
    if (counts) console.log(`seeded ${config.databaseFile}: ${counts.customers} customers, ${counts.orders} orders, ${counts.rmas} RMAs`);
    else console.log(`${config.databaseFile} already has customers; nothing seeded (use --reset to start over)`);
    if (config.simulator) {
      const staff = seedDemoStaff(db);
      if (staff.staff) console.log(`seeded ${staff.staff} demo staff in ${staff.teams} teams (password "${DEMO_PASSWORD}"; simulator mode only)`);
      else console.log('staff accounts exist; no demo staff seeded');
    } else {
      console.log('no demo staff: Twilio credentials are set, and demo accounts have a published password. Create an admin with: npm run staff:create-admin -- --username <name>');
    }
  } finally {
    db.$client.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
