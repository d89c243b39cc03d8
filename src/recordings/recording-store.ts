// Where recordings' audio is kept: a small interface (local disk now; an S3-compatible store can implement it later).
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredObject {
  sizeBytes: number;
}

export interface RecordingStore {
  /** Stores the bytes under `key` atomically (never a half file under the real key); replaces nothing that exists. */
  put(key: string, bytes: Uint8Array): Promise<StoredObject>;
  /** Size of the object, or undefined when there is none. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Reads bytes [start, end] inclusive (the whole object without a range). */
  read(key: string, range?: { start: number; end: number }): Readable;
  delete(key: string): Promise<void>;
}

/** Keys are relative paths like `2026/11/30/CA…-RE….wav`; anything that could climb out of the root is refused. */
export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9._/-]+$/.test(key) || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`recording key ${JSON.stringify(key)} is not a safe relative path`);
  }
}

export class LocalRecordingStore implements RecordingStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, bytes: Uint8Array): Promise<StoredObject> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.part`;
    try {
      await fs.writeFile(partial, bytes);
      await fs.rename(partial, file);
    } catch (err) {
      await fs.rm(partial, { force: true });
      throw err;
    }
    return { sizeBytes: bytes.byteLength };
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      return { sizeBytes: (await fs.stat(this.file(key))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.file(key), range);
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }
}
