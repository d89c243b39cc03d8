// Online backup under write load, and restore: another process commits transactions as fast as it can while
// `backupDatabase` copies the file; the restored copy must be the database as it was at one instant during the backup.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { eventually } from '../support/eventually';
import { BackupError, backupDatabase, defaultBackupFile, restoreDatabase, DatabaseInUseError } from '../../src/db/backup';

/** Every transaction of the writer inserts two rows and moves the counter: a half transaction would show. */
const PROBE_SCHEMA = `
  CREATE TABLE backup_probe (id INTEGER PRIMARY KEY, tx INTEGER NOT NULL, part INTEGER NOT NULL, payload TEXT NOT NULL);
  CREATE TABLE backup_probe_counter (k INTEGER PRIMARY KEY, tx INTEGER NOT NULL);
  INSERT INTO backup_probe_counter VALUES (1, 0);
  CREATE TABLE backup_ballast (id INTEGER PRIMARY KEY, b BLOB NOT NULL);`;

const payload = (tx: number) => `tx${tx}:${'x'.repeat(tx % 97)}`;

/** The writer, in its own process as the web process is: commits transactions 1, 2, 3... until its stdin closes. */
const WRITER = `
  const Database = require(process.env.DRIVER);
  const db = new Database(process.env.FILE);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare('INSERT INTO backup_probe (tx, part, payload) VALUES (?, ?, ?)');
  const count = db.prepare('UPDATE backup_probe_counter SET tx = ? WHERE k = 1');
  const payload = ${payload.toString()};
  const commit = db.transaction((tx) => { insert.run(tx, 0, payload(tx)); insert.run(tx, 1, payload(tx)); count.run(tx); });
  let tx = 0, stopping = false;
  process.stdin.on('end', () => (stopping = true)).resume();
  (function burst() {
    for (let i = 0; i < 10; i++) commit(++tx);
    if (stopping) { db.close(); process.stdout.write(String(tx)); process.exit(0); }
    setImmediate(burst);
  })();`;

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

function startWriter(file: string): ChildProcessByStdio<Writable, Readable, Readable> {
  return spawn(process.execPath, ['-e', WRITER], { env: { ...process.env, DRIVER, FILE: file }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Closes the writer's stdin; resolves with the last transaction it committed. */
async function stopWriter(writer: ChildProcessByStdio<Writable, Readable, Readable>): Promise<number> {
  let out = '';
  let err = '';
  writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  writer.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    writer.once('exit', (c) => resolve(c));
    writer.stdin.end();
  });
  expect(err, 'writer stderr').to.equal('');
  expect(code, 'writer exit code').to.equal(0);
  return Number(out);
}

const counter = (db: Database.Database) => (db.prepare('SELECT tx FROM backup_probe_counter WHERE k = 1').get() as { tx: number }).tx;
const probeRows = (db: Database.Database, upTo = Number.MAX_SAFE_INTEGER) =>
  db.prepare('SELECT id, tx, part, payload FROM backup_probe WHERE tx <= ? ORDER BY id').all(upTo) as { id: number; tx: number; part: number; payload: string }[];
const ballastDigest = (db: Database.Database) => {
  const h = crypto.createHash('sha256');
  for (const r of db.prepare('SELECT id, b FROM backup_ballast ORDER BY id').iterate() as Iterable<{ id: number; b: Buffer }>) h.update(String(r.id)).update(r.b);
  return h.digest('hex');
};
const migrations = (db: Database.Database) => db.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY id').all();

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('backup and restore of the SQLite file', function () {
  this.timeout(20000);
  let dir: string;
  let server: Db | undefined;
  let writer: ChildProcessByStdio<Writable, Readable, Readable> | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-backup-'));
  });
  afterEach(() => {
    writer?.kill('SIGKILL');
    writer = undefined;
    if (server?.$client.open) server.$client.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A migrated hotline database, open as the web process has it, with about 16 MB of ballast so a copy takes a while. */
  function liveDatabase(): { file: string; db: Db } {
    const file = path.join(dir, 'data', 'hotline.sqlite');
    const db = openDatabase(file);
    db.$client.exec(PROBE_SCHEMA);
    const ballast = db.$client.prepare('INSERT INTO backup_ballast (b) VALUES (randomblob(4000))');
    db.$client.transaction(() => {
      for (let i = 0; i < 4000; i++) ballast.run();
    })();
    server = db;
    return { file, db };
  }

  it('a backup taken while another process commits is the database at one instant: every transaction committed before it started, none half, none missing below the newest', async () => {
    const { file, db } = liveDatabase();
    const source = db.$client;
    writer = startWriter(file);
    await until('the writer commits', () => counter(source) >= 200);

    // Reading through its own connection, the test sees only committed transactions: `before` were committed before
    // the backup started, and `after` is the newest committed once it finished.
    const before = counter(source);
    const out = path.join(dir, 'backups', 'hotline-under-load.sqlite');
    const result = await backupDatabase(file, out);
    const after = counter(source);
    const written = await stopWriter(writer);
    writer = undefined;
    expect(after, 'the writer committed while the backup ran').to.be.greaterThan(before);
    expect(written).to.be.at.least(after);

    expect(result).to.deep.equal({ file: out, bytes: fs.statSync(out).size });
    expect(fs.existsSync(`${out}.partial`)).to.equal(false);
    expect(fs.readdirSync(path.dirname(out)), 'one self-contained file, no -wal beside it').to.deep.equal([path.basename(out)]);
    let overwrite: unknown;
    await backupDatabase(file, out).catch((err: unknown) => (overwrite = err));
    expect(overwrite).to.be.instanceOf(BackupError).with.property('message', `${out} already exists; choose another --out`);

    // Restore it over the live database: refused while the web process (this connection) has it open.
    expect(() => restoreDatabase(out, file)).to.throw(DatabaseInUseError, 'is open in another process');
    expect(counter(source), 'the live database is untouched').to.equal(written);
    const sourceRows = probeRows(source);
    const sourceBallast = ballastDigest(source);
    const sourceMigrations = migrations(source);
    source.close();

    const restoredAt = new Date('2026-11-29T23:10:00Z');
    // The connection's checkpointer thread ends asynchronously after close(): until then the refusal is right.
    const restored = await eventually(() => restoreDatabase(out, file, restoredAt), 2000);
    expect(restored).to.deep.equal({ file, replaced: `${file}.before-restore-20261129-231000Z` });
    expect(counter(new Database(restored.replaced!, { readonly: true })), 'the replaced database is kept whole').to.equal(written);

    // Started again on the restored file, as the web process would be (migrations are already there: nothing to do).
    server = openDatabase(file);
    const back = server.$client;
    expect(back.pragma('integrity_check', { simple: true })).to.equal('ok');
    const k = counter(back);
    expect(k, 'every transaction committed before the backup started').to.be.at.least(before);
    expect(k, 'nothing committed after the backup finished').to.be.at.most(after);

    // Exactly transactions 1..k, each with both of its rows, as the live database had them (same ids, same content).
    const rows = probeRows(back);
    expect(rows).to.have.length(2 * k);
    rows.forEach((r, i) => expect(r, `row ${i + 1}`).to.deep.include({ tx: Math.floor(i / 2) + 1, part: i % 2, payload: payload(Math.floor(i / 2) + 1) }));
    expect(rows).to.deep.equal(sourceRows.filter((r) => r.tx <= k));
    expect(ballastDigest(back)).to.equal(sourceBallast);
    expect(migrations(back)).to.deep.equal(sourceMigrations);
  });

  it('npm run backup writes a checked file and prints its path and size; --restore refuses while the database is open', async () => {
    const { file } = liveDatabase();
    const out = path.join(dir, 'cli-backup.sqlite');
    const backup = await runScript(['--out', out], { DATABASE_FILE: file });
    expect(backup.stderr).to.equal('');
    expect(backup.code).to.equal(0);
    const bytes = fs.statSync(out).size;
    expect(backup.stdout).to.match(new RegExp(`^backup written: ${escape(out)} \\(\\d+\\.\\d MB, ${bytes} bytes, integrity ok, \\d+ ms\\)\\n$`));
    expect(bytes).to.be.greaterThan(16_000_000);

    const restore = await runScript(['--restore', out], { DATABASE_FILE: file });
    expect(restore).to.deep.equal({ code: 1, stdout: '', stderr: `${file} is open in another process (web, worker or migrate): stop them, then restore\n` });
  });

  it('names default backups after the database and the UTC time', () => {
    expect(defaultBackupFile('data/hotline.sqlite', new Date('2026-11-29T22:30:05.123Z'))).to.equal(path.join('backups', 'hotline-20261129-223005Z.sqlite'));
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function runScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
