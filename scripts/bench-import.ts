// bench:import: generates a 100,000-row orders CSV (about 1% invalid rows) in a temp dir, imports it into a temp SQLite
// file through the intake service, and prints rows/s and peak RSS. benchImport() is the core, for bench:outbound too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { IntakeRepo } from '../src/intake/intake.repo';
import { IntakeService } from '../src/intake/intake.service';
import { importCsv, tuneForImport } from '../src/intake/csv-import';
import { ORDER_COLUMNS, csvField } from '../src/intake/csv-records';

export interface BenchImportOptions {
  /** @default 100000 */
  rows?: number;
  /** Share of rows made invalid. @default 0.01 */
  invalidShare?: number;
  /** Rows per transaction. @default 2000 */
  batchSize?: number;
  /** Parse and judge in a worker thread (importCsv's `worker`). @default false */
  worker?: boolean;
  /** Keep the temp dir (CSV, database, rejects) for a look afterwards. @default false */
  keep?: boolean;
}

export interface BenchImportResult {
  rows: number;
  created: number;
  rejected: number;
  seconds: number;
  rowsPerSecond: number;
  /** CPU time (user + system) of the import: on a shared, loaded machine the wall-clock rate understates it. */
  cpuSeconds: number;
  /** Peak resident set of the process during the run (MB; the process's, so it includes whatever ran before). */
  peakRssMb: number;
  csvMb: number;
  dir: string;
}

const SKUS = ['TEA-01', 'CUP-02', 'RICE-05', 'OIL-03', 'TV-55', 'FAN-01', 'BAG-07', 'PEN-10'];

/** Writes the CSV row by row (bounded memory too): customers with a few orders each, hours apart, ~1% invalid. */
export async function writeOrdersCsv(file: string, rows: number, invalidShare = 0.01): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write(ORDER_COLUMNS.join(',') + '\n');
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  const invalidEvery = invalidShare > 0 ? Math.round(1 / invalidShare) : 0;
  for (let i = 0; i < rows; i++) {
    const customer = i % 25_000;
    const n = String(i).padStart(7, '0');
    const c = String(customer).padStart(6, '0');
    const sku = SKUS[i % SKUS.length];
    const qty = 1 + (i % 3);
    const price = 50 + (i % 400) + 0.5;
    const amount = (qty * price).toFixed(2);
    const cod = i % 4 === 0;
    const bad = invalidEvery > 0 && i % invalidEvery === invalidEvery - 1;
    const row: Record<(typeof ORDER_COLUMNS)[number], string> = {
      number: `BENCH${n}`,
      version: '1',
      customer_account: `BC${c}`,
      customer_name: `客户${c}`,
      customer_phone: bad ? '138-bad' : `+86139${c}${String(customer % 97).padStart(2, '0')}`,
      customer_tier: '',
      customer_time_zone: '',
      customer_language: '',
      payment: cod ? 'cod' : 'prepaid',
      amount,
      paid: cod ? '' : amount,
      items: `${sku}:${qty}:${price.toFixed(2)}:商品 ${sku}`,
      address: i % 50 === 0 ? '' : `上海市浦东新区世纪大道 ${i % 1000} 号`,
      phone: `+86139${c}${String(customer % 97).padStart(2, '0')}`,
      invoice_requested: i % 20 === 0 ? 'true' : '',
      invoice_title: i % 20 === 0 ? '上海某某贸易有限公司' : '',
      invoice_tax_id: i % 40 === 0 ? '91310000MA1FL0XX1X' : '',
      // Each customer's orders are four hours apart: the duplicate rule looks but rarely finds.
      placed_at: new Date(t0 + Math.floor(i / 25_000) * 4 * 3_600_000 + (customer % 3600) * 1000).toISOString(),
    };
    if (!out.write(ORDER_COLUMNS.map((k) => csvField(row[k])).join(',') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

export async function benchImport(o: BenchImportOptions = {}): Promise<BenchImportResult> {
  const rows = o.rows ?? 100_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const csv = path.join(dir, 'orders.csv');
  await writeOrdersCsv(csv, rows, o.invalidShare ?? 0.01);
  const db = openDatabase(path.join(dir, 'hotline.db'));
  tuneForImport(db.$client);
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const intake = new IntakeService({ repo: new IntakeRepo(db), transact: transactor(db), clock: { now: () => new Date() }, settings: { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 } });
    const cpu0 = process.cpuUsage();
    const report = await importCsv({ file: csv, kind: 'orders', intake, batchSize: o.batchSize, worker: o.worker, onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)) });
    return {
      rows: report.rows,
      created: report.created,
      rejected: report.rejected,
      seconds: report.seconds,
      rowsPerSecond: Math.round(report.rows / report.seconds),
      cpuSeconds: cpuSeconds(process.cpuUsage(cpu0)),
      peakRssMb: Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1e6),
      csvMb: Math.round(fs.statSync(csv).size / 1e5) / 10,
      dir,
    };
  } finally {
    clearInterval(sample);
    db.$client.close();
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, batch: { type: 'string' }, worker: { type: 'boolean' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('Usage: npm run bench:import -- [--rows 100000] [--batch 2000] [--worker] [--keep]\nImports a generated orders CSV (about 1% invalid rows) into a temp SQLite file; prints rows/s and peak RSS.');
    return;
  }
  const r = await benchImport({ rows: values.rows ? Number(values.rows) : undefined, batchSize: values.batch ? Number(values.batch) : undefined, worker: values.worker, keep: values.keep });
  console.log(`bench:import: ${r.rows.toLocaleString('en')} rows (${r.csvMb} MB CSV): ${r.created} created, ${r.rejected} rejected in ${r.seconds.toFixed(2)} s`);
  console.log(`  ${r.rowsPerSecond.toLocaleString('en')} rows/s (target ≥ 20,000), peak RSS ${r.peakRssMb} MB${values.keep ? `; files in ${r.dir}` : ''}`);
  console.log(`  CPU ${r.cpuSeconds.toFixed(2)} s (${Math.round(r.rows / r.cpuSeconds).toLocaleString('en')} rows per CPU second; load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
