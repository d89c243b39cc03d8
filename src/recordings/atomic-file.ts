// Writes a downloaded file aside and renames it into place, so a crash mid-write never leaves a half file under its name.
import fs from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomically(dir: string, file: string, data: Buffer): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const partial = path.join(dir, `.${file}.${process.pid}.part`);
  try {
    await fs.writeFile(partial, data);
    await fs.rename(partial, path.join(dir, file));
  } catch (err) {
    await fs.rm(partial, { force: true });
    throw err;
  }
}
