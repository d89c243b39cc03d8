// Whether the database has every committed migration: compares drizzle's journal with its migrations table.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client';

const journalFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations', 'meta', '_journal.json');

/** Committed migrations not yet applied to `db` (by their tag, e.g. `0014_post_call_survey`). */
export function pendingMigrations(db: Db): string[] {
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string; when: number }[] };
  // drizzle's migrator applies every migration newer than the last one recorded (its created_at is the journal's `when`).
  const row = db.$client.prepare('SELECT max(created_at) AS last FROM __drizzle_migrations').get() as { last: number | null } | undefined;
  const last = Number(row?.last ?? 0);
  return journal.entries.filter((e) => e.when > last).map((e) => e.tag);
}
