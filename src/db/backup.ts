// Owns copies of the SQLite file: an online backup through SQLite's backup API, and an offline restore.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class BackupError extends Error {}
/** The database to restore over is open in another process (web, worker, migrate): they must be stopped first. */
export class DatabaseInUseError extends BackupError {}

export interface BackupResult {
  file: string;
  bytes: number;
}

/** Pages per backup step: all of them (better-sqlite3 caps a step at 2^31 - 1 pages). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the database to `dest` while the server keeps writing to it. The copy is the database as it was at one instant
 * while the backup ran: every transaction committed before the backup started, and none half.
 *
 * The pages are copied in one step, inside one read transaction, which in WAL mode does not block writers. In small
 * steps (better-sqlite3's default is 100 pages) every commit by another connection between two steps restarts the
 * copy, so under a steady write load it would never end. The step is synchronous: run it from the backup script, not
 * from the web process.
 */
export async function backupDatabase(source: string, dest: string): Promise<BackupResult> {
  if (source === ':memory:') throw new BackupError('DATABASE_FILE is :memory:; there is no file to back up');
  if (!fs.existsSync(source)) throw new BackupError(`${source} does not exist`);
  if (fs.existsSync(dest)) throw new BackupError(`${dest} already exists; choose another --out`);
  fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
  // Written beside the destination and renamed when checked, so a file with the final name is always a whole backup.
  const partial = `${dest}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      await db.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    // The copy keeps the source's WAL flag; as a single self-contained file it can be moved and copied safely.
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = integrity(copy);
      if (check !== 'ok') throw new BackupError(`the backup failed its integrity check: ${check}`);
    } finally {
      copy.close();
    }
    fsyncFile(partial);
    fs.renameSync(partial, dest);
    fsyncDir(path.dirname(path.resolve(dest)));
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  return { file: dest, bytes: fs.statSync(dest).size };
}

export interface RestoreResult {
  file: string;
  /** Where the database that was replaced was moved (beside it), if there was one. */
  replaced?: string;
}

/**
 * Replaces `target` with the backup `file` (checked first). Refuses while another process has `target` open: the web
 * process, the worker or a migration must be stopped first. The replaced database is kept as
 * `<target>.before-restore-<time>`.
 */
export function restoreDatabase(file: string, target: string, now = new Date()): RestoreResult {
  if (target === ':memory:') throw new BackupError('DATABASE_FILE is :memory:; there is no file to restore to');
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`);
  const backup = openChecked(file);
  backup.close();

  let replaced: string | undefined;
  if (fs.existsSync(target)) {
    releaseFromWal(target);
    replaced = `${target}.before-restore-${fileStamp(now)}`;
    fs.renameSync(target, replaced);
  }
  // A WAL or shared-memory file left beside the target belongs to the old database: applied to the restored one it
  // would corrupt it. releaseFromWal() checkpointed and removed them; a stray one is removed here too.
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(target + suffix, { force: true });
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const incoming = `${target}.restoring`;
  fs.copyFileSync(file, incoming);
  fsyncFile(incoming);
  fs.renameSync(incoming, target);
  fsyncDir(path.dirname(path.resolve(target)));
  return { file: target, replaced };
}

/** backups/<database name>-20261129-223000Z.sqlite */
export function defaultBackupFile(databaseFile: string, now = new Date(), dir = 'backups'): string {
  const name = path.basename(databaseFile).replace(/\.(sqlite3?|db)$/, '');
  return path.join(dir, `${name}-${fileStamp(now)}.sqlite`);
}

function fileStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.\d+Z$/, 'Z');
}

function integrity(db: Database.Database): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

function openChecked(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = integrity(db);
    if (check !== 'ok') {
      db.close();
      throw new BackupError(`${file} failed its integrity check: ${check}`);
    }
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file} is not a readable SQLite database: ${(err as Error).message}`);
  }
  return db;
}

/**
 * Takes the target out of WAL mode, which SQLite allows only to the sole connection to the file: that doubles as the
 * check that no web, worker or migration process has it open. On success the WAL is checkpointed and removed.
 */
function releaseFromWal(target: string): void {
  const db = new Database(target, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new DatabaseInUseError(`${target} is open in another process (web, worker or migrate): stop them, then restore`);
    }
    throw err;
  } finally {
    db.close();
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename durable. */
function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
