// Backs up DATABASE_FILE online (the server keeps running), or restores a backup over it with the server stopped.
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { BackupError, backupDatabase, defaultBackupFile, restoreDatabase } from '../src/db/backup';

const USAGE = `Usage:
  npm run backup                       online backup of DATABASE_FILE to backups/<name>-<UTC time>.sqlite
  npm run backup -- --out <file>       ... to <file> (must not exist)
  npm run backup -- --restore <file>   replace DATABASE_FILE by a backup; stop web and worker first (refuses otherwise);
                                       the replaced database is kept as DATABASE_FILE.before-restore-<UTC time>`;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, restore: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.out && values.restore) throw new BackupError('--out and --restore do not go together');
  loadEnvFile();
  const config = loadConfig();
  if (values.restore) {
    const r = restoreDatabase(values.restore, config.databaseFile);
    console.log(`restored ${r.file} from ${values.restore}` + (r.replaced ? `; the previous database is kept as ${r.replaced}` : ''));
    return;
  }
  const started = Date.now();
  const out = values.out ?? defaultBackupFile(config.databaseFile);
  const b = await backupDatabase(config.databaseFile, out);
  console.log(`backup written: ${b.file} (${megabytes(b.bytes)}, ${b.bytes} bytes, integrity ok, ${Date.now() - started} ms)`);
}

run().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof BackupError) console.error(err.message);
  else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n${USAGE}`);
  else console.error(err);
  process.exit(1);
});
