// The web process's last line: a stray rejected promise is logged with its context and the process keeps serving.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('process guards (in a child process: they are process-wide)', () => {
  it('logs an unhandled rejection with its stack and keeps running; an uncaught exception goes to the fatal handler', () => {
    const script = `
      import { installProcessGuards } from './src/process-guards.ts';
      import { createLogger } from './src/logging/logger.ts';
      installProcessGuards(createLogger('error'), (err) => { console.log('FATAL ' + err.message); process.exit(3); });
      Promise.reject(new Error('carrier REST timed out'));
      setTimeout(() => { console.log('STILL SERVING'); throw new Error('sync bug'); }, 50);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 15000 });
    const out = r.stdout + r.stderr;
    expect(out).to.match(/"message":"unhandled promise rejection; still serving"/);
    expect(out).to.match(/carrier REST timed out/);
    expect(out).to.include('STILL SERVING');
    expect(out).to.match(/uncaught exception; shutting down for a clean restart/);
    expect(out).to.include('FATAL sync bug');
    expect(r.status).to.equal(3);
  });
});
