// Reads a `.env` file (as .env.example suggests) into the environment before the config is parsed.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Loads `file` (default `.env` in the working directory) if it exists; a variable already set in the real
 * environment wins over the file (Node's own rule). Returns the file's path when one was read.
 */
export function loadEnvFile(file = '.env'): string | undefined {
  const full = path.resolve(file);
  if (!fs.existsSync(full)) return undefined;
  process.loadEnvFile(full);
  return full;
}
