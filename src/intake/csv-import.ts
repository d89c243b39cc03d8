// Imports a CSV file of orders or RMAs through the intake service, streaming: memory stays bounded by one batch,
// whatever the file's size. Each batch is one transaction with a savepoint per row (IntakeService).
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CsvHeaderError, RAW_SEPARATOR, checkedBatches, type CheckedBatch } from './csv-batches';
import type { CheckWorkerData, CheckWorkerMessage } from './csv-check.worker';
import { columnOf, csvField, type ImportKind } from './csv-records';
import { IntakeCache, type IntakeResult, type IntakeService, type IntakeSummary } from './intake.service';

export { CsvHeaderError };

export interface CsvImportOptions {
  file: string;
  kind: ImportKind;
  intake: Pick<IntakeService, 'storeChecked'>;
  /** Rows per transaction. @default 2000 */
  batchSize?: number;
  /** Where every rejected row goes (its line, number, reasons, then its columns). @default `<file>.rejected.csv` */
  rejectsFile?: string;
  /** How many rejected rows the report lists in full. @default 20 */
  listRejects?: number;
  /** Called after each batch with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Parse and judge the rows in a worker thread while this one writes. Off, the same work runs here between batches.
   * Off by default: writing is most of the work (about two thirds), so the thread gains little, and its own V8 heap and
   * TypeScript loader cost about 100 MB more RSS (measured on the 2-core sandbox, see docs/import-speed.md). @default false
   */
  worker?: boolean;
}

export interface RejectedRow {
  /** The line in the file (the header is line 1). */
  line: number;
  number?: string;
  reasons: string[];
}

export interface CsvImportReport extends IntakeSummary {
  rows: number;
  seconds: number;
  /** The first `listRejects` rejected rows. */
  firstRejects: RejectedRow[];
  /** Written only when a row was rejected. */
  rejectsFile?: string;
}

/**
 * Tunes an import's own connection: the per-row savepoints journal the pages they touch, and in a temp file that is
 * a system call per page; in memory it is bounded by one batch.
 */
export function tuneForImport(db: { pragma(source: string): unknown }): void {
  db.pragma('temp_store = memory');
  db.pragma('cache_size = -32768');
}

/** The header, then the checked batches, read in a worker thread; the worker reads on while at most two wait here. */
async function* batchesFromWorker(d: CheckWorkerData): AsyncGenerator<CheckedBatch | { header: string[] }> {
  const file = fileURLToPath(new URL(`./csv-check.worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  // Run from source (tsx), the thread needs a TypeScript loader of its own: module hooks registered by --import do not
  // reach a worker on Node 20, so it loads the module through tsx's require hook instead.
  const worker = file.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`, { eval: true, workerData: d })
    : new Worker(file, { workerData: d });
  const queue: CheckWorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  let exited = false;
  worker.on('message', (m: CheckWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failed = err;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failed) throw failed;
        if (exited) throw new Error('the CSV reader thread stopped unexpectedly');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (m.type === 'end') return;
      if (m.type === 'error') throw m.header ? new CsvHeaderError(m.message) : new Error(m.message);
      if (m.type === 'header') yield { header: m.header };
      else {
        yield m.batch;
        // The batch is stored: the worker may read another.
        worker.postMessage('ack');
      }
    }
  } finally {
    await worker.terminate();
  }
}

export async function importCsv(o: CsvImportOptions): Promise<CsvImportReport> {
  const started = process.hrtime.bigint();
  const batchSize = o.batchSize ?? 2000;
  const listRejects = o.listRejects ?? 20;
  const rejectsPath = o.rejectsFile ?? `${o.file}.rejected.csv`;
  const kind = o.kind === 'orders' ? 'order' : 'rma';
  const totalBytes = fs.statSync(o.file).size;
  // A rejects file left by an earlier run of this file would read as this run's.
  if (!o.rejectsFile) fs.rmSync(rejectsPath, { force: true });

  const totals: IntakeSummary = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const firstRejects: RejectedRow[] = [];
  // One cache for the whole file: most rows name a customer an earlier row already read or created.
  const cache = new IntakeCache();
  let header: string[] = [];
  let rejects: fs.WriteStream | undefined;
  let rows = 0;

  const writeReject = async (row: RejectedRow, raw: string | string[]) => {
    if (!rejects) {
      rejects = fs.createWriteStream(rejectsPath);
      rejects.write(['line', 'errors', ...header].map(csvField).join(',') + '\n');
    }
    const values = typeof raw === 'string' ? raw.split(RAW_SEPARATOR) : raw;
    const line = [String(row.line), row.reasons.join('; '), ...header.map((_, i) => values[i] ?? '')].map(csvField).join(',') + '\n';
    if (!rejects.write(line)) await once(rejects, 'drain');
  };

  const source = !o.worker ? checkedBatches(o.file, o.kind, batchSize) : batchesFromWorker({ file: o.file, kind: o.kind, batchSize });
  try {
    for await (const item of source) {
      if ('header' in item) {
        header = item.header;
        continue;
      }
      const results: IntakeResult[] = o.intake.storeChecked(kind, item.checked, rows, cache);
      rows += item.checked.length;
      for (let i = 0; i < results.length; i++) {
        const r = results[i];
        totals[r.result]++;
        if (r.result !== 'rejected') continue;
        const rejected: RejectedRow = { line: item.lines[i], number: r.number, reasons: (r.errors ?? []).map((e) => (e.path ? `${columnOf(o.kind, e.path)}: ${e.message}` : e.message)) };
        if (firstRejects.length < listRejects) firstRejects.push(rejected);
        await writeReject(rejected, item.raws[i]);
      }
      o.onProgress?.(item.bytesRead, totalBytes);
    }
  } finally {
    if (rejects) {
      const done = once(rejects, 'close');
      rejects.end();
      await done;
    }
  }
  o.onProgress?.(totalBytes, totalBytes);
  return {
    rows,
    ...totals,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    firstRejects,
    rejectsFile: rejects ? rejectsPath : undefined,
  };
}

/** orders or rmas from --type, else from the file's name (orders.csv, rmas-2026-11.csv). */
export function kindOf(file: string, type?: string): ImportKind | undefined {
  const t = (type ?? '').toLowerCase();
  if (t === 'orders' || t === 'order') return 'orders';
  if (t === 'rmas' || t === 'rma') return 'rmas';
  if (t) return undefined;
  const name = file.split(/[\\/]/).pop()!.toLowerCase();
  if (name.includes('rma')) return 'rmas';
  if (name.includes('order')) return 'orders';
  return undefined;
}

/** The import's summary as the CLI prints it. */
export function reportLines(file: string, kind: ImportKind, r: CsvImportReport): string[] {
  const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
  const out = [
    `imported ${file} (${kind}): ${r.rows} rows in ${r.seconds.toFixed(2)} s (${rate.toLocaleString('en')} rows/s)`,
    `  accepted ${r.created + r.updated + r.unchanged}: created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}`,
  ];
  if (!r.rejected) return [...out, '  rejected 0'];
  out.push(`  rejected ${r.rejected} (all of them in ${r.rejectsFile}):`);
  for (const x of r.firstRejects) out.push(`    line ${x.line}${x.number ? ` ${x.number}` : ''}: ${x.reasons.join('; ')}`);
  if (r.rejected > r.firstRejects.length) out.push(`    … and ${r.rejected - r.firstRejects.length} more`);
  return out;
}
