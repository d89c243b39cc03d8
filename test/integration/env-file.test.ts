// `.env` is read by the processes and scripts (as .env.example says), and the real environment wins over it.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadEnvFile } from '../../src/config/env-file';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');

describe('.env file', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-env-'))));
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('loads a file into process.env without overriding what is already set, and reads nothing when there is none', async () => {
    const file = path.join(dir, '.env');
    await fs.writeFile(file, 'HOTLINE_TEST_FROM_FILE=file\nHOTLINE_TEST_SET=file\n');
    process.env.HOTLINE_TEST_SET = 'real';
    try {
      expect(loadEnvFile(file)).to.equal(file);
      expect(process.env.HOTLINE_TEST_FROM_FILE).to.equal('file');
      expect(process.env.HOTLINE_TEST_SET).to.equal('real');
      expect(loadEnvFile(path.join(dir, 'missing.env'))).to.equal(undefined);
    } finally {
      delete process.env.HOTLINE_TEST_FROM_FILE;
      delete process.env.HOTLINE_TEST_SET;
    }
  });

  it('is read by `npm run migrate` from the working directory', async function () {
    this.timeout(15_000); // one child process through tsx: about 2.5 s
    await fs.writeFile(path.join(dir, '.env'), '# copied from .env.example\nDATABASE_FILE=from-env-file.sqlite\n');
    const env = { ...process.env };
    delete env.DATABASE_FILE;
    delete env.NODE_ENV; // under NODE_ENV=test no .env is read
    delete env.ENV_FILE;
    const { stdout } = await run(process.execPath, [TSX, path.join(ROOT, 'scripts/migrate.ts')], { cwd: dir, env });
    expect(stdout).to.include('migrated from-env-file.sqlite');
    await fs.access(path.join(dir, 'from-env-file.sqlite'));
  });
});
