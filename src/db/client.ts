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
  const db = drizzle(withStatementCache(sqlite), { schema }) as Db;
  // The project's own code prepares its statements once and may set their modes (pluck): it gets the plain connection.
  db.$client = sqlite;
  migrate(db, { migrationsFolder });
  if (file !== ':memory:') checkpointInBackground(sqlite, path.resolve(file));
  return db;
}

/** Statements drizzle may keep at once (least recently used out first). */
export const STATEMENT_CACHE_SIZE = 1_000;

/**
 * The connection as drizzle sees it: drizzle prepares every query anew, and better-sqlite3's prepare (parsing and
 * planning the SQL) was 7% of a busy server's time (docs/busy-day.md). Its SQL texts are parameterized, so a statement
 * is reused by its text; one still iterating is never handed out twice, and drizzle's `raw()` mode is reset.
 */
export function withStatementCache(sqlite: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      cache.delete(source);
      cache.set(source, cached);
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const stmt = sqlite.prepare(source);
    if (!cached) {
      cache.set(source, stmt);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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
