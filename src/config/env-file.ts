// Reads the `.env` file (as .env.example suggests) into the environment before the config is parsed, and remembers
// which variables came from it so that a bad value can be blamed on the file.
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error';

/** Variables the file filled in: name → the file's path and the value it gave. */
const fromFile = new Map<string, { file: string; value: string }>();

/**
 * Which file to read: ENV_FILE when set (empty: none), else `.env` in the working directory, except under
 * NODE_ENV=test (a developer's `.env` must not leak into the tests' processes).
 */
export function envFilePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ENV_FILE !== undefined) return env.ENV_FILE.trim() === '' ? undefined : path.resolve(env.ENV_FILE);
  if (env.NODE_ENV === 'test') return undefined;
  return path.resolve('.env');
}

/**
 * Loads `file` (default: envFilePath()) if it exists; a variable already set in the real environment wins over the
 * file (Node's own rule). Returns the file's path when one was read. A missing ENV_FILE is an error, a missing `.env` not.
 */
export function loadEnvFile(file = envFilePath()): string | undefined {
  if (file === undefined) return undefined;
  const full = path.resolve(file);
  if (!fs.existsSync(full)) {
    if (process.env.ENV_FILE) throw new ConfigError(`Invalid ENV_FILE=${JSON.stringify(process.env.ENV_FILE)}: no such file (${full})`);
    return undefined;
  }
  const parsed = parseEnv(fs.readFileSync(full, 'utf8'));
  for (const [name, value] of Object.entries(parsed)) {
    if (value === undefined || process.env[name] !== undefined) continue;
    process.env[name] = value;
    fromFile.set(name, { file: full, value });
  }
  return full;
}

/** The file a variable's current value came from, if the env file set it (for error messages). */
export function envFileSource(name: string, value: string | undefined): string | undefined {
  const f = fromFile.get(name);
  return f && f.value === value ? f.file : undefined;
}
