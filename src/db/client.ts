// Owns the SQLite connection: opens it with the house pragmas and applies the committed migrations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Opens (creating if needed) the database file, or ':memory:', and migrates it. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  if (file !== ':memory:') checkpointInBackground(sqlite, path.resolve(file));
  return db;
}

/** Pages in the WAL after which the connection checkpoints by itself, should the background checkpointer fall behind. */
const SAFETY_CHECKPOINT_PAGES = 10_000;
const CHECKPOINT_EVERY_MS = 100;

/**
 * Moves WAL checkpoints off the event loop. A checkpoint fsyncs the WAL and the database file; run by the connection
 * itself (every 1000 pages by default) that stalls every request in flight for the length of two fsyncs. A worker
 * thread with its own connection checkpoints PASSIVE-ly (it never blocks a writer) every 100 ms instead; the
 * connection keeps a high autocheckpoint mark as a safety net.
 */
function checkpointInBackground(sqlite: Database.Database, file: string): void {
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const Database = require(${JSON.stringify(driver)});
     const db = new Database(${JSON.stringify(file)});
     db.pragma('busy_timeout = 5000');
     setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} }, ${CHECKPOINT_EVERY_MS});`,
    { eval: true },
  );
  worker.unref();
  const close = sqlite.close.bind(sqlite);
  sqlite.close = () => {
    void worker.terminate();
    return close();
  };
}
