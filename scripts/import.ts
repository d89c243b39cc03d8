// Imports the order system's orders or RMAs from a CSV file into DATABASE_FILE: `npm run import -- orders.csv`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { openDatabase } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { AuditRepo } from '../src/audit/audit.repo';
import { IntakeRepo } from '../src/intake/intake.repo';
import { IntakeService } from '../src/intake/intake.service';
import { CsvHeaderError, importCsv, kindOf, reportLines, tuneForImport } from '../src/intake/csv-import';
import { COLUMNS } from '../src/intake/csv-records';

const USAGE = `Usage: npm run import -- <file.csv> [--type orders|rmas] [--rejects <path>] [--batch <rows>]

Imports orders or RMAs from a CSV file (header row first) into DATABASE_FILE through the same validation and rules
as POST /api/intake/orders|rmas: idempotent by number and version, special-order rules on orders. The server may
be running. Rejected rows are listed (the first 20) and all written to <file>.rejected.csv.

  --type <kind>      orders or rmas (default: from the file's name)
  --rejects <path>   where to write the rejected rows (default: <file>.rejected.csv)
  --batch <rows>     rows per transaction (default 2000)
  --worker           parse and validate in a worker thread while the main thread writes
  --quiet            no progress bar

Order columns: ${COLUMNS.orders.join(', ')}
  items: sku:qty:price[:name];sku:qty:price[:name]   (prices in yuan)
RMA columns:   ${COLUMNS.rmas.join(', ')}`;

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { type: { type: 'string' }, rejects: { type: 'string' }, batch: { type: 'string' }, worker: { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError(`one CSV file is required\n\n${USAGE}`);
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const kind = kindOf(file, values.type);
  if (!kind) throw new UsageError(`--type orders or --type rmas is required (the file's name says neither)\n\n${USAGE}`);
  const batchSize = values.batch === undefined ? 2000 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch must be a whole number from 1 to 10000');

  loadEnvFile();
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  tuneForImport(db.$client);
  const bar = values.quiet || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ stream: process.stderr, format: '{bar} {percentage}% | {value}/{total} MB | ETA {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic);
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  try {
    const intake = new IntakeService({
      repo: new IntakeRepo(db),
      transact: transactor(db),
      clock: { now: () => new Date() },
      settings: config.office,
      onStoreError: (err, k, number) => console.error(`\n${k} ${number} could not be stored: ${String(err)}`),
    });
    bar?.start(mb(fs.statSync(file).size), 0);
    // The audit trail gets the import from the shell as one row: who ran it (the OS user), the file, and the counts.
    const audited = { actorId: null, action: 'intake.csv_imported', subjectType: 'intake', subjectId: kind, reason: 'npm run import', ip: null };
    const by = { file: path.basename(file), osUser: osUser() };
    const audit = new AuditRepo(db);
    let report;
    try {
      report = await importCsv({ file, kind, intake, batchSize, worker: values.worker, rejectsFile: values.rejects, onProgress: (read) => bar?.update(mb(read)) });
    } catch (err) {
      audit.record({ ...audited, at: new Date(), outcome: 'failed', detail: { ...by, error: err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200) } });
      throw err;
    }
    audit.record({ ...audited, at: new Date(), detail: { ...by, rows: report.rows, created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected } });
    bar?.stop();
    for (const line of reportLines(file, kind, report)) console.log(line);
  } finally {
    bar?.stop();
    db.$client.close();
  }
}

function osUser(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? null;
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof CsvHeaderError) console.error(err.message);
  else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${USAGE}`);
  else console.error(err);
  process.exit(1);
});
