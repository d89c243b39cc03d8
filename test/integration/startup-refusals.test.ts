// Start-up refusals say what is wrong and what to do in one line: a busy port (exit code 1), the worker in simulator mode.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { expect } from 'chai';
import winston from 'winston';
import { loadConfig } from '../../src/config/config';
import { portProblem, StartupError } from '../../src/config/port-problem';
import { startEmbeddedSimulator } from '../../src/sim/embedded';

function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  return new Promise((resolve, reject) =>
    server.once('error', reject).listen(0, () =>
      resolve({ port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

/** A process as `npm start` (src/main.ts) or `npm run worker` runs it (tsx), in simulator mode, with an in-memory database. */
function start(env: Record<string, string>, entry = 'src/main.ts'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, NODE_ENV: 'development', ENV_FILE: '', DATABASE_FILE: ':memory:', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'error', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

describe('start-up refusals in one line: a busy port, the worker in simulator mode', function () {
  this.timeout(20000);

  it('npm start on a taken PORT says so in one line, naming the setting, and exits with 1 (and npm run worker in simulator mode says why not)', async () => {
    const web = await occupy();
    try {
      const [run, worker] = await Promise.all([start({ PORT: String(web.port), SIMULATOR_PORT: '0' }), start({}, 'src/worker.ts')]);
      expect(run).to.deep.equal({ code: 1, stdout: '', stderr: `Port ${web.port} is already in use: stop the other process or set PORT\n` });
      expect(worker).to.deep.equal({
        code: 1,
        stdout: '',
        stderr:
          'npm run worker needs Twilio credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN), or a separate simulator (SIMULATOR_URL and SIMULATOR_SECRET, as the server has them): with the built-in simulator the carrier lives inside `npm start`, which runs the job workers itself; start only `npm start`.\n',
      });
    } finally {
      await web.close();
    }
  });

  it('a taken SIMULATOR_PORT is explained the same way (the simulator listens first in src/main.ts)', async () => {
    const sim = await occupy();
    try {
      const config = loadConfig({ DATABASE_FILE: ':memory:', SIMULATOR_PORT: String(sim.port) });
      const err = await startEmbeddedSimulator(config, winston.createLogger({ silent: true })).then(
        (s) => s.close().then(() => expect.fail('the simulator started on a taken port')),
        (e: unknown) => portProblem(e, 'SIMULATOR_PORT'),
      );
      expect(err).to.be.instanceOf(StartupError);
      expect((err as Error).message).to.equal(`Port ${sim.port} is already in use: stop the other process or set SIMULATOR_PORT`);
    } finally {
      await sim.close();
    }
    const other = new Error('something else');
    expect(portProblem(other, 'PORT')).to.equal(other);
  });
});
