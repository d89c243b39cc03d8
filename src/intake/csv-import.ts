// Imports a CSV file of orders or RMAs through the intake service, streaming: memory stays bounded by one batch,
// whatever the file's size. Each batch is one transaction with a savepoint per row (IntakeService).
import fs from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { COLUMNS, REQUIRED_COLUMNS, columnOf, csvField, orderRecordOfRow, rmaRecordOfRow, type ImportKind } from './csv-records';
import type { IntakeResult, IntakeService, IntakeSummary } from './intake.service';

export interface CsvImportOptions {
  file: string;
  kind: ImportKind;
  intake: Pick<IntakeService, 'orders' | 'rmas'>;
  /** Rows per transaction. @default 500 */
  batchSize?: number;
  /** Where every rejected row goes (its line, number, reasons, then its columns). @default `<file>.rejected.csv` */
  rejectsFile?: string;
  /** How many rejected rows the report lists in full. @default 20 */
  listRejects?: number;
  /** Called after each batch with the bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
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
}

/** A header without a required column: nothing is imported. */
export class CsvHeaderError extends Error {}

export async function importCsv(o: CsvImportOptions): Promise<CsvImportReport> {
  const started = process.hrtime.bigint();
  const batchSize = o.batchSize ?? 500;
  const listRejects = o.listRejects ?? 20;
  const rejectsPath = o.rejectsFile ?? `${o.file}.rejected.csv`;
  const toRecord = o.kind === 'orders' ? orderRecordOfRow : rmaRecordOfRow;
  const store = (records: unknown[]) => (o.kind === 'orders' ? o.intake.orders(records) : o.intake.rmas(records));
  const totalBytes = fs.statSync(o.file).size;
  // A rejects file left by an earlier run of this file would read as this run's.
  if (!o.rejectsFile) fs.rmSync(rejectsPath, { force: true });

  const input = fs.createReadStream(o.file);
  let bytesRead = 0;
  input.on('data', (chunk) => (bytesRead += chunk.length));
  let header: string[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      columns: (h: string[]) => {
        header = h.map((c) => c.trim().toLowerCase());
        const missing = REQUIRED_COLUMNS[o.kind].filter((c) => !header.includes(c));
        if (missing.length) throw new CsvHeaderError(`the header lacks column(s): ${missing.join(', ')} (expected: ${COLUMNS[o.kind].join(', ')})`);
        return header;
      },
    }),
  );
  input.on('error', (err) => parser.destroy(err));

  const totals: IntakeSummary = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const firstRejects: RejectedRow[] = [];
  let rejects: fs.WriteStream | undefined;
  let rows = 0;
  let records: unknown[] = [];
  let lines: number[] = [];
  let raws: Record<string, string>[] = [];

  const writeReject = async (row: RejectedRow, raw: Record<string, string>) => {
    if (!rejects) {
      rejects = fs.createWriteStream(rejectsPath);
      rejects.write(['line', 'errors', ...header].map(csvField).join(',') + '\n');
    }
    const line = [String(row.line), row.reasons.join('; '), ...header.map((c) => raw[c] ?? '')].map(csvField).join(',') + '\n';
    if (!rejects.write(line)) await once(rejects, 'drain');
  };

  const flush = async () => {
    if (!records.length) return;
    const results: IntakeResult[] = store(records);
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      totals[r.result]++;
      if (r.result !== 'rejected') continue;
      const rejected: RejectedRow = { line: lines[i], number: r.number, reasons: (r.errors ?? []).map((e) => (e.path ? `${columnOf(o.kind, e.path)}: ${e.message}` : e.message)) };
      if (firstRejects.length < listRejects) firstRejects.push(rejected);
      await writeReject(rejected, raws[i]);
    }
    records = [];
    lines = [];
    raws = [];
    o.onProgress?.(bytesRead, totalBytes);
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      rows++;
      records.push(toRecord(record));
      lines.push(info.lines);
      raws.push(record);
      if (records.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    input.destroy();
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
