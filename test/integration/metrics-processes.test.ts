// The processes as deployed: `npm start` with METRICS_PORT serves /metrics on its internal port (jobs included, in
// simulator mode) and /ready on its own; `npm run worker` with WORKER_METRICS_PORT serves the worker's own metrics.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { eventually } from '../support/eventually';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('metrics of the web and worker processes', function () {
  this.timeout(40_000);
  let dir: string;
  before(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-metrics-processes-'))));
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it('npm start with METRICS_PORT: /metrics there without a token (web and jobs), not on PORT; /ready on PORT', async () => {
    let server: ServerProcess | undefined;
    try {
      server = startServerProcess({ PORT: '0', SIMULATOR_PORT: '0', METRICS_PORT: '0', DATABASE_FILE: path.join(dir, 'web.sqlite'), SEED_DEMO_DATA: 'false', REDIS_URL });
      const listening = await server.waitFor(/hotline listening on/, 20_000);
      const port = /:(\d+) \(/.exec(listening)![1];
      const line = await server.waitFor(/metrics on http:\/\/127\.0\.0\.1:\d+\/metrics \(METRICS_PORT\)/);
      const metricsUrl = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(line)![1];
      const text = await eventually(async () => {
        const t = await (await fetch(metricsUrl)).text();
        expect(t).to.match(/^hotline_redis_up\{process="web"\} 1$/m);
        return t;
      }, 10_000);
      // No queue is configured in an empty database: the floor's gauges are declared, with no series yet.
      expect(text).to.match(/^# TYPE hotline_queue_callers_waiting gauge$/m);
      expect(text).to.match(/^hotline_outbox_pending_jobs\{process="web"\} 0$/m);
      expect(text).to.match(/^nodejs_eventloop_lag_p99_seconds\{process="web"\} /m);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 'no METRICS_TOKEN: not on PORT').to.equal(404);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.include({ ready: true, status: 'ready' });
    } finally {
      server?.child.kill('SIGTERM');
      await server?.exited;
    }
  });

  it('npm run worker with WORKER_METRICS_PORT: the worker\'s jobs, Redis and process metrics, labelled process="worker"', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        TWILIO_ACCOUNT_SID: 'AC' + 'd'.repeat(32),
        TWILIO_AUTH_TOKEN: 'not-a-real-token',
        PUBLIC_BASE_URL: 'https://hotline.example.com',
        DATABASE_FILE: path.join(dir, 'worker.sqlite'),
        REDIS_URL,
        WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += String(b)));
    child.stderr.on('data', (b: Buffer) => (out += String(b)));
    try {
      const url = await eventually(() => {
        const m = /worker metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out);
        expect(m, out).to.not.equal(null);
        return m![1];
      }, 20_000);
      const text = await eventually(async () => {
        const t = await (await fetch(url)).text();
        expect(t).to.match(/^hotline_redis_up\{process="worker"\} 1$/m);
        return t;
      }, 10_000);
      expect(text).to.match(/^hotline_job_queue_jobs\{queue="[\w-]+",state="waiting",process="worker"\} \d+$/m);
      expect(text).to.match(/^process_cpu_seconds_total\{process="worker"\} /m);
      expect(text, 'the floor is the web process\'s').to.not.match(/hotline_queue_callers_waiting/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
