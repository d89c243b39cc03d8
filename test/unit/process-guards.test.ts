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
      Promise.reject(new Error('could not dial +8613911112222'));
      setTimeout(() => { console.log('STILL SERVING'); throw new Error('sync bug for 13800138000'); }, 50);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 15000 });
    const out = r.stdout + r.stderr;
    expect(out).to.match(/"message":"unhandled promise rejection; still serving"/);
    expect(out).to.match(/carrier REST timed out/);
    expect(out).to.include('STILL SERVING');
    expect(out).to.match(/uncaught exception; shutting down for a clean restart/);
    expect(out).to.include('FATAL sync bug');
    const logged = out.split('\n').filter((l) => l.startsWith('{')).join('\n');
    expect(logged, 'numbers in the logged messages and stacks are masked').to.not.match(/13911112222|13800138000/);
    expect(logged).to.match(/sync bug for 138001\*+8000/);
    expect(logged).to.match(/could not dial \+86139\*+2222/);
    expect(r.status).to.equal(3);
  });
});
