// The reading half of the CSV import: the file streamed through csv-parse, each row turned into an intake record and
// judged by the intake schema (checkOrderRecord/checkRmaRecord, the API's own), in batches. It runs in a worker thread
// (csv-check.worker.ts) while the main thread writes; a for-await consumer that stops asking stops the parser, so
// memory stays bounded by a few batches whatever the file's size.
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { COLUMNS, REQUIRED_COLUMNS, orderRecordOfRow, rmaRecordOfRow, type ImportKind } from './csv-records';
import { checkOrderRecord, checkRmaRecord, type CheckedRecord } from './intake-records';

/** Joins a row's values for the trip to the writing thread: one string clones far cheaper than an array of them. */
export const RAW_SEPARATOR = '\u0001';

export interface CheckedBatch {
  checked: CheckedRecord[];
  /** Each row's line in the file (the header is line 1). */
  lines: number[];
  /**
   * Each row's values in header order (read only for a rejected row): in the reader thread joined by RAW_SEPARATOR
   * (one string clones far cheaper than an array), in the writing thread the parser's own array (no copy per row).
   */
  raws: (string | string[])[];
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/** A header without a required column: nothing is imported. */
export class CsvHeaderError extends Error {}

/** Each row's raw values for the trip to the writing thread (see CheckedBatch.raws). */
export const joinRaw = (values: string[]): string => values.join(RAW_SEPARATOR);
const keepRaw = (values: string[]): string[] => values;

/** The file's header (lower-cased, trimmed), then its rows in checked batches; `forThread` when they cross to another thread. */
export async function* checkedBatches(file: string, kind: ImportKind, batchSize: number, forThread = false): AsyncGenerator<CheckedBatch | { header: string[] }> {
  const raw: (values: string[]) => string | string[] = forThread ? joinRaw : keepRaw;
  const input = fs.createReadStream(file);
  let bytesRead = 0;
  input.on('data', (chunk) => (bytesRead += chunk.length));
  // Arrays, not `columns`: the header is mapped to indexes once instead of building an object per row in the parser.
  const parser = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  input.on('error', (err) => parser.destroy(err));
  const toRecord = kind === 'orders' ? orderRecordOfRow : rmaRecordOfRow;
  const check = kind === 'orders' ? checkOrderRecord : checkRmaRecord;
  let known: [string, number][] | undefined;
  let batch: CheckedBatch = { checked: [], lines: [], raws: [], bytesRead: 0 };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!known) {
        const header = record.map((c) => c.trim().toLowerCase());
        const missing = REQUIRED_COLUMNS[kind].filter((c) => !header.includes(c));
        if (missing.length) throw new CsvHeaderError(`the header lacks column(s): ${missing.join(', ')} (expected: ${COLUMNS[kind].join(', ')})`);
        // Only the columns the record reads; the first of a repeated name wins.
        known = COLUMNS[kind].filter((c) => header.includes(c)).map((c) => [c, header.indexOf(c)]);
        yield { header };
        continue;
      }
      const row: Record<string, string | undefined> = {};
      for (const [c, i] of known) row[c] = record[i];
      batch.checked.push(check(toRecord(row)));
      batch.lines.push(info.lines);
      batch.raws.push(raw(record));
      if (batch.checked.length >= batchSize) {
        batch.bytesRead = bytesRead;
        yield batch;
        batch = { checked: [], lines: [], raws: [], bytesRead: 0 };
      }
    }
    if (batch.checked.length) {
      batch.bytesRead = bytesRead;
      yield batch;
    }
  } finally {
    input.destroy();
  }
}
