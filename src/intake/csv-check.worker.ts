// The CSV import's reader thread: parses and judges the file (csv-batches.ts) and posts the batches to the writing
// thread. At most two batches are in flight: past that it waits for the writer's ack, and the parser waits with it.
import { parentPort, workerData } from 'node:worker_threads';
import { once } from 'node:events';
import { checkedBatches, CsvHeaderError } from './csv-batches';
import type { ImportKind } from './csv-records';

export interface CheckWorkerData {
  file: string;
  kind: ImportKind;
  batchSize: number;
}

/** What the reader posts: the header, a batch, the end, or why it stopped. */
export type CheckWorkerMessage =
  | { type: 'header'; header: string[] }
  | { type: 'batch'; batch: import('./csv-batches').CheckedBatch }
  | { type: 'end' }
  | { type: 'error'; message: string; header: boolean };

const MAX_IN_FLIGHT = 2;

async function run(port: NonNullable<typeof parentPort>, d: CheckWorkerData): Promise<void> {
  let inFlight = 0;
  port.on('message', () => inFlight--);
  try {
    for await (const item of checkedBatches(d.file, d.kind, d.batchSize, true)) {
      if ('header' in item) {
        port.postMessage({ type: 'header', header: item.header } satisfies CheckWorkerMessage);
        continue;
      }
      port.postMessage({ type: 'batch', batch: item } satisfies CheckWorkerMessage);
      inFlight++;
      while (inFlight >= MAX_IN_FLIGHT) await once(port, 'message');
    }
    port.postMessage({ type: 'end' } satisfies CheckWorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err), header: err instanceof CsvHeaderError } satisfies CheckWorkerMessage);
  }
}

if (parentPort) void run(parentPort, workerData as CheckWorkerData);
