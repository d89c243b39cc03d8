// The Procfile's processes for real: the carrier simulator (`npm run sim`), the web process with WEB_RUNS_JOBS=false
// and the job worker (`npm run worker`), three children sharing a SQLite file, a Redis prefix and the simulator's
// secret. One call is answered by a demo agent: the web process records it and hands the recording's download to
// Redis but downloads nothing itself; the worker, once started, reaches the separate simulator and stores the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config';
import { openDatabase } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { RECORDING_DOWNLOAD } from '../../src/recordings/recording-download';
import { freePort } from '../support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { eventually } from '../support/eventually';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LI_NA = '+8613911112222';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  name: string;
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** Every child's process group: killed when mocha exits however it exits (after() timed out included). */
const groups = new Set<number>();
process.on('exit', () => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A child in its own process group (killed whole in after()), its output kept for error messages. */
function start(name: string, script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (proc.pid) groups.add(proc.pid);
  const lines: string[] = [];
  const onData = (buf: Buffer) => {
    lines.push(...String(buf).split('\n').filter(Boolean));
    if (lines.length > 500) lines.splice(0, 250);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { name, proc, lines, exited };
}

const tail = (c: Child) => `[${c.name}]\n${c.lines.slice(-20).join('\n')}`;

/** SIGTERM to the child's whole group, SIGKILL after 5 s. */
async function stop(c: Child | undefined): Promise<void> {
  if (!c?.proc.pid || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-c.proc.pid!, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  if ((await Promise.race([c.exited.then(() => true), sleep(5000).then(() => false)])) === false) signal('SIGKILL');
  await Promise.race([c.exited, sleep(2000)]);
  groups.delete(c.proc.pid);
}

async function json(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface RecordingRow {
  id: number;
  status: string;
  storage_key: string | null;
  size_bytes: number | null;
  analysed_at: number | null;
  agent_id: number | null;
}

describe('the Procfile for real: npm run sim, the web process with WEB_RUNS_JOBS=false, npm run worker', function () {
  this.timeout(60000);
  const prefix = `hotline-test-sepworker-${process.pid}-${Date.now().toString(36)}`;
  let tmp: string;
  let dbFile: string;
  let env: Record<string, string>;
  let sim: Child | undefined;
  let web: Child | undefined;
  let worker: Child | undefined;
  let simUrl: string;
  let base: string;
  let redis: Redis;
  let ws: WebSocket | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  before(async function () {
    this.timeout(60000);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-sepworker-'));
    dbFile = path.join(tmp, 'hotline.sqlite');
    // The demo center, with a cheap password hash (the web process seeds nothing: SEED_DEMO_DATA=false).
    const db = openDatabase(dbFile);
    seedDemoData(db);
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    db.$client.close();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const shared = { SIMULATOR_SECRET: randomBytes(24).toString('hex'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ENV_FILE: '', HOTLINE_HOURS: 'open' };
    // The carrier's clock four times faster than real time (the IVR's prompts take 17 s in real time), as bench:day's --time-scale.
    sim = start('sim', 'scripts/sim.ts', { ...shared, SIMULATOR_PORT: '0', SIMULATOR_TIME_SCALE: '250' });
    simUrl = await eventually(() => {
      if (sim!.proc.exitCode !== null) throw new Error(`the simulator exited: ${tail(sim!)}`);
      const m = sim!.lines.map((l) => /simulator listening at (http:\/\/\S+)/.exec(l)).find(Boolean);
      if (!m) throw new Error(`the simulator never said where it listens: ${tail(sim!)}`);
      return m[1];
    }, 30000);
    env = { ...shared, SIMULATOR_URL: simUrl, DATABASE_FILE: dbFile, REDIS_PREFIX: prefix, SEED_DEMO_DATA: 'false', WEB_RUNS_JOBS: 'false' };
    web = start('web', 'src/main.ts', env);
    await eventually(async () => {
      if (web!.proc.exitCode !== null) throw new Error(`the web process exited: ${tail(web!)}`);
      const health = await fetch(`${base}/health/load`).then((r) => r.status, () => 0);
      expect(health, `the web process never answered /health/load: ${tail(web!)}`).to.equal(200);
    }, 40000);
  });

  after(async function () {
    this.timeout(30000);
    clearInterval(heartbeat);
    ws?.terminate();
    await Promise.all([stop(worker), stop(web)]);
    await stop(sim);
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 500 })) keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    // The processes run in the checkout (its ivr-flows/): whatever recording they stored went to its recordings/.
    if (dbFile && fs.existsSync(dbFile)) {
      const db = new Database(dbFile, { readonly: true });
      const keys = db.prepare('SELECT storage_key FROM recordings WHERE storage_key IS NOT NULL').pluck().all() as string[];
      db.close();
      for (const key of keys) {
        fs.rmSync(path.join(ROOT, 'recordings', key), { force: true });
        // Its date's folders too, when nothing else is in them.
        for (let dir = path.dirname(key); dir !== '.'; dir = path.dirname(dir)) {
          try {
            fs.rmdirSync(path.join(ROOT, 'recordings', dir));
          } catch {
            break;
          }
        }
      }
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the web process queues the recording's download without running it; the worker, started later, downloads it from the separate simulator and analyses it", async () => {
    const config = loadConfig(env);
    const readonly = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const recordingOf = (callSid: string) => readonly.prepare('SELECT id, status, storage_key, size_bytes, analysed_at, agent_id FROM recordings WHERE call_sid = ?').get(callSid) as RecordingRow | undefined;

      // The web process talks to Redis (it relays its outbox there) though it runs no job: /health says so.
      const health = await eventually(async () => {
        const h = (await json('GET', `${base}/health`)).body as { status: string; components: Record<string, string> };
        expect(h.components.redis, `GET /health: ${JSON.stringify(h)}`).to.equal('up');
        return h;
      }, 10000);
      expect(health.status).to.equal('ok');

      // agent1 signs in, gets a softphone at the separate simulator (answers after a second), keeps a desktop open and goes available.
      const login = await json('POST', `${base}/api/auth/login`, undefined, { username: 'agent1', password: 'hotline-demo' });
      expect(login.status, JSON.stringify(login.body)).to.equal(200);
      const token = login.body.token as string;
      const agentId = (login.body.staff as { id: number }).id;
      const voice = await json('GET', `${base}/api/voice/token`, token);
      expect(voice.status, JSON.stringify(voice.body)).to.equal(200);
      const phone = await json('POST', `${simUrl}/sim/softphones`, undefined, { identity: voice.body.identity, token: voice.body.token, answerAfter: 1, script: [{ wait: 60 }, { hangup: true }] });
      expect(phone.status, JSON.stringify(phone.body)).to.equal(201);
      ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, ['bearer', token]);
      await new Promise<void>((resolve, reject) => ws!.once('open', () => resolve()).once('error', reject));
      ws.on('error', () => undefined);
      heartbeat = setInterval(() => ws!.readyState === WebSocket.OPEN && ws!.send(JSON.stringify({ type: 'heartbeat' })), 5000);
      const available = await json('PUT', `${base}/api/agents/me/state`, token, { state: 'available' });
      expect(available.status, JSON.stringify(available.body)).to.equal(200);

      // A caller presses 1 then 0 (the front desk), talks eight (simulated) seconds with the agent and hangs up; the control API answers once the call is over.
      const placed = await json('POST', `${simUrl}/sim/calls`, undefined, { from: LI_NA, to: config.hotlineNumber, script: [{ press: '1' }, { press: '0' }, { talk: 8 }, { hangup: true }] });
      expect(placed.status, JSON.stringify(placed.body)).to.equal(200);
      const callSid = placed.body.callSid as string;
      const transcript = placed.body.transcript as { kind: string }[];
      expect(transcript.some((t) => t.kind === 'conference'), `the call never reached the agent: ${JSON.stringify(transcript)}`).to.equal(true);

      // The web process saw the recording's completed callback and relayed the download to Redis...
      const queued = await eventually(() => {
        const row = recordingOf(callSid);
        expect(row?.status, `recording of ${callSid}: ${tail(web!)}`).to.equal('awaiting_media');
        return row!;
      }, 15000);
      expect(queued.agent_id).to.equal(agentId);
      const waitKey = `${prefix}:${RECORDING_DOWNLOAD.queue}:wait`;
      await eventually(async () => expect(await redis.llen(waitKey), 'download jobs waiting in Redis').to.equal(1), 10000);
      // ...and runs no job worker: for three seconds the job waits and the recording stays awaiting its media.
      await sleep(3000);
      expect(await redis.llen(waitKey)).to.equal(1);
      expect(await redis.llen(`${prefix}:${RECORDING_DOWNLOAD.queue}:active`)).to.equal(0);
      expect(recordingOf(callSid)!.status).to.equal('awaiting_media');

      // The worker, with the same environment, reaches the separate simulator with the credentials derived from the secret.
      worker = start('worker', 'src/worker.ts', env);
      const stored = await eventually(() => {
        if (worker!.proc.exitCode !== null) throw new Error(`the worker exited: ${tail(worker!)}`);
        const row = recordingOf(callSid)!;
        expect(row.status, `recording of ${callSid}: ${tail(worker!)}`).to.equal('stored');
        expect(row.analysed_at, 'analysed').to.be.a('number');
        return row;
      }, 30000);
      expect(stored.storage_key).to.match(new RegExp(`${callSid}-RE[0-9a-f]{32}\\.wav$`));
      expect(fs.statSync(path.join(ROOT, 'recordings', stored.storage_key!)).size).to.equal(stored.size_bytes);
      expect(await redis.llen(waitKey)).to.equal(0);
      expect(worker.proc.exitCode).to.equal(null);
    } finally {
      readonly.close();
    }
  });
});
