// A busy day, measured from outside: the real server (`src/main.ts`) and the carrier simulator (`npm run sim`) as two
// child processes on 127.0.0.1, agents and callers driven from the simulator's process; reports outcomes, webhook
// latency as the carrier sees it, fallbacks, and the server's CPU, memory and event-loop lag over time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/config';
import { openDatabase } from '../src/db/client';
import { seedDemoData } from '../src/db/seed/demo-data';
import { seedDemoStaff } from '../src/db/seed/demo-staff';
import { agentDesks, agentPresence, staff } from '../src/db/schema/index';
import { VoiceTokenIssuer, agentIdentity } from '../src/telephony/voice-token';
import { freePort } from '../test/support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../test/support/password-cost';
import type { DayLoadPlan, DayLoadResult } from './bench/day-load';
import { summarizeProfile } from './bench/cpu-profile';
import type { LoadReport } from '../src/telephony/load-shedding';

const USAGE = `Usage: npm run bench:day -- [options]

Runs a whole center through the real server for a while, from outside, on 127.0.0.1 only:
  - the server is \`node --import tsx src/main.ts\` (what the Procfile runs) as a child process, on a fresh SQLite
    file in a temporary directory with the demo data, the hotline open whatever the hour, its job workers inside
    it as in simulator mode, Redis keys under a prefix of its own;
  - the job worker is \`node --import tsx src/worker.ts\` (the Procfile's \`worker\`) as a third child process, and
    the server runs with WEB_RUNS_JOBS=false (--jobs-in-web: the workers inside the server instead);
  - the carrier simulator is \`npm run sim\` (\`node --import tsx scripts/sim.ts\`, with the same flags) as another
    child process (SIMULATOR_SECRET shared, the server gets SIMULATOR_URL); the agents' softphones and the callers
    run in the simulator's process (\`--load\`), so they never take the server's event loop;
  - --agents agents are on the front desk, signed in and available (their desktops' heartbeats are not part of the
    load: once the server is up, their last heartbeat is put a day ahead in one write); each softphone answers after --ring s, talks for an exponential time of
    mean --talk s (at least 5 s) and hangs up; the server puts the agent in wrap-up (30 s), then available;
  - callers arrive at --rate calls/s (Poisson) for --duration s, press 1 then 0 in the IVR (a front-desk queue);
    --patient share of them never hang up while waiting, the others hang up after an exponential patience of mean
    --patience s (at least 10 s); --burst <factor> multiplies the rate from --burst-at for --burst-seconds.
After the arrivals, calls finish for --drain s and whoever is still on the line is hung up.

Every 5 s it samples the server process (CPU% and RSS from /proc/<pid>/stat) and GET /health/load (event-loop lag,
webhooks in flight, load shedding). The report: calls answered, abandoned and lost (an error, a fallback, or an end
nowhere sane), answer time and queue wait p50/p95, webhook latency p50/p99/max as the simulator measured it, fallbacks
served, callers shed, CPU and memory over time, event-loop lag p99. --cpu-prof writes a V8 CPU profile of the server.

Options:
  --agents <n>          agents with softphones (default 1000)
  --rate <n>            calls per second (default 35)
  --duration <s>        seconds of arrivals (default 600)
  --burst <factor>      multiply the rate by this during the burst (default 1: none)
  --burst-at <s>        when the burst starts, seconds after the first arrival (default 60)
  --burst-seconds <s>   how long it lasts (default 30)
  --talk <s>            mean talk time (default 20)
  --ring <s>            seconds a softphone rings before answering (default 2)
  --patience <s>        mean patience of impatient callers (default 60)
  --patient <share>     share of callers who never hang up while waiting (default 0.2)
  --drain <s>           seconds for calls to finish after the arrivals (default 20)
  --time-scale <ms>     real ms per simulated second for the simulator (default 1000; the server runs in real time)
  --seed <n>            seed of arrivals, talk times and patience (default 1)
  --cpu-prof            profile the server and the worker (node --cpu-prof), print where the server's time went (scripts/bench/cpu-profile.ts);
                        the .cpuprofile is kept in the temp directory
  --sim-cpu-prof        profile the simulator's process too (node --cpu-prof --import tsx scripts/sim.ts), kept in the temp directory
  --jobs-in-web         run the job workers (recording downloads and analysis, the dialer, sweeps) inside the web
                        process, as the built-in simulator does, instead of in \`npm run worker\` (WEB_RUNS_JOBS=false,
                        what the Procfile's web + worker run)
  --shed-lag <ms>       the server's load-shedding bound on event-loop lag p99 (default: the server's, 150)
  --shed-in-flight <n>  the server's bound on webhooks in flight (default: the server's, 150)
  --keep                keep the temporary directory, with webhooks.csv: every measured webhook (when sent, ms
                        after the load began; its latency; its path and CallSid), to see how the slow ones cluster
  --json <file>         also write the figures as JSON
  -h, --help            print this help`;

interface Options {
  agents: number;
  rate: number;
  duration: number;
  burst: number;
  burstAt: number;
  burstSeconds: number;
  talk: number;
  ring: number;
  patience: number;
  patient: number;
  drain: number;
  timeScale: number;
  seed: number;
  cpuProf: boolean;
  simCpuProf: boolean;
  jobsInWeb: boolean;
  shedLag?: number;
  shedInFlight?: number;
  keep: boolean;
  json?: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '35' },
      duration: { type: 'string', default: '600' },
      burst: { type: 'string', default: '1' },
      'burst-at': { type: 'string', default: '60' },
      'burst-seconds': { type: 'string', default: '30' },
      talk: { type: 'string', default: '20' },
      ring: { type: 'string', default: '2' },
      patience: { type: 'string', default: '60' },
      patient: { type: 'string', default: '0.2' },
      drain: { type: 'string', default: '20' },
      'time-scale': { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      'cpu-prof': { type: 'boolean', default: false },
      'sim-cpu-prof': { type: 'boolean', default: false },
      'jobs-in-web': { type: 'boolean', default: false },
      'shed-lag': { type: 'string' },
      'shed-in-flight': { type: 'string' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string, ok: (n: number) => boolean, what: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || !ok(n)) {
      console.error(`--${name} must be ${what}, got ${JSON.stringify(v)}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const pos = (n: number) => n > 0;
  const nonNeg = (n: number) => n >= 0;
  return {
    agents: num('agents', values.agents, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1'),
    rate: num('rate', values.rate, pos, 'a positive number'),
    duration: num('duration', values.duration, pos, 'a positive number of seconds'),
    burst: num('burst', values.burst, (n) => n >= 1, 'a factor >= 1'),
    burstAt: num('burst-at', values['burst-at'], nonNeg, 'seconds >= 0'),
    burstSeconds: num('burst-seconds', values['burst-seconds'], pos, 'a positive number of seconds'),
    talk: num('talk', values.talk, pos, 'a positive number of seconds'),
    ring: num('ring', values.ring, nonNeg, 'seconds >= 0'),
    patience: num('patience', values.patience, pos, 'a positive number of seconds'),
    patient: num('patient', values.patient, (n) => n >= 0 && n <= 1, 'a share from 0 to 1'),
    drain: num('drain', values.drain, nonNeg, 'seconds >= 0'),
    timeScale: num('time-scale', values['time-scale'], pos, 'positive milliseconds'),
    seed: num('seed', values.seed, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    cpuProf: values['cpu-prof'],
    simCpuProf: values['sim-cpu-prof'],
    jobsInWeb: values['jobs-in-web'],
    shedLag: values['shed-lag'] === undefined ? undefined : num('shed-lag', values['shed-lag'], pos, 'positive milliseconds'),
    shedInFlight: values['shed-in-flight'] === undefined ? undefined : num('shed-in-flight', values['shed-in-flight'], pos, 'a positive number'),
    keep: values.keep,
    json: values.json,
  };
}

const ROOT = path.resolve(import.meta.dirname, '..');
/** The node flags the Procfile's `web` runs with (`web: node <flags> --import tsx src/main.ts`), read from it. */
const PROCFILE_NODE_FLAGS = (() => {
  const web = fs.readFileSync(path.join(ROOT, 'Procfile'), 'utf8').split('\n').find((l) => l.startsWith('web:'));
  const words = web?.split(/\s+/) ?? [];
  return words.slice(words.indexOf('node') + 1, words.indexOf('--import'));
})();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100;
const PAGE = 4096;

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** utime + stime (ticks), RSS (bytes) and process group of a process, from /proc/<pid>/stat. */
function procStat(pid: number): { ticks: number; rss: number; pgrp: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields after the name start at 3 (state): pgrp is 5, utime 14, stime 15, rss 24 (pages).
    return { ticks: Number(f[11]) + Number(f[12]), rss: Number(f[21]) * PAGE, pgrp: Number(f[2]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of every process in a process group (the simulator: npm, tsx and node). */
function groupTicks(pgid: number): number {
  let ticks = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s?.pgrp === pgid) ticks += s.ticks;
  }
  return ticks;
}

/** Every child's process group, stopped when this process exits however it exits (an error before the end included). */
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

function child(name: string, cmd: string, args: string[], env: Record<string, string>, echo: (line: string) => boolean): { proc: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const proc = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Kept after the leader exits: npm may go first and leave the simulator's node in its group.
  if (proc.pid) groups.add(proc.pid);
  const lines: string[] = [];
  const onData = (buf: Buffer) => {
    for (const line of String(buf).split('\n').filter(Boolean)) {
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, 1000);
      if (echo(line)) console.log(`  [${name}] ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

async function waitForLine(lines: string[], re: RegExp, exited: Promise<unknown>, timeoutMs: number, what: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const t0 = Date.now();
  while (!lines.some((l) => re.test(l))) {
    if (gone) throw new Error(`${what} exited before logging ${re}:\n${lines.slice(-20).join('\n')}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} never logged ${re}:\n${lines.slice(-20).join('\n')}`);
    await sleep(100);
  }
}

interface Sample {
  t: number;
  cpu: number;
  simCpu: number;
  /** The job worker's CPU % (0 with --jobs-in-web). */
  workerCpu: number;
  rss: number;
  lagP99: number;
  lagMax: number;
  inFlight: number;
  shedding: boolean;
  shedCalls: number;
  load1: number;
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-day-'));
  const cpus = os.cpus();
  console.log(`Busy-day benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(
    `  ${o.agents} agents, ${o.rate} calls/s for ${o.duration} s${o.burst > 1 ? ` (×${o.burst} from ${o.burstAt} s for ${o.burstSeconds} s)` : ''}, talk mean ${o.talk} s, ` +
      `patience mean ${o.patience} s (${Math.round(o.patient * 100)}% patient), time scale ${o.timeScale}; temp dir ${tmp}`,
  );

  // The database: migrated, demo data, the agents on the front desk, signed in and available.
  const port = await freePort();
  const simPort = await freePort();
  const secret = randomBytes(24).toString('hex');
  const dbFile = path.join(tmp, 'hotline.sqlite');
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    SIMULATOR_SECRET: secret,
    SIMULATOR_PORT: String(simPort),
    DATABASE_FILE: dbFile,
    HOTLINE_HOURS: 'open',
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    REDIS_PREFIX: `bench-day-${process.pid}`,
    SIMULATOR_TIME_SCALE: String(o.timeScale),
    ENV_FILE: '',
  };
  const config = loadConfig({ ...env, SIMULATOR_URL: `http://127.0.0.1:${simPort}` });
  const db = openDatabase(dbFile);
  seedDemoData(db);
  seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
  const firstId = (db.$client.prepare('SELECT coalesce(max(id), 0) + 1 AS id FROM staff').get() as { id: number }).id;
  const usernames = Array.from({ length: o.agents }, (_, i) => `day${String(i + 1).padStart(5, '0')}`);
  const now = new Date();
  db.$client.transaction(() => {
    usernames.forEach((username, i) => {
      const id = firstId + i;
      db.insert(staff).values({ id, username, displayName: `Day agent ${i + 1}`, role: 'agent', passwordHash: 'bench$not-a-password', active: true, createdAt: now }).run();
      db.insert(agentDesks).values({ staffId: id, desk: 'front', skill: 3 }).run();
      db.insert(agentPresence).values({ staffId: id, state: 'available', since: now, lastHeartbeat: now, idleSince: new Date(now.getTime() - i) }).run();
    });
  })();
  db.$client.close();
  const issuer = VoiceTokenIssuer.fromConfig(config.twilio)!;
  const resultFile = path.join(tmp, 'load-result.json');
  const plan: DayLoadPlan = {
    serverUrl: `http://127.0.0.1:${port}`,
    hotlineNumber: config.hotlineNumber,
    agents: usernames.map((username, i) => ({ identity: agentIdentity({ username }), token: issuer.issue({ id: firstId + i, username }).token })),
    rate: o.rate,
    durationSeconds: o.duration,
    burst: o.burst > 1 ? { factor: o.burst, at: o.burstAt, seconds: o.burstSeconds } : undefined,
    talkMeanSeconds: o.talk,
    ringSeconds: o.ring,
    patienceMeanSeconds: o.patience,
    patientShare: o.patient,
    drainSeconds: o.drain,
    seed: o.seed,
    resultFile,
    webhookTraceFile: o.keep ? path.join(tmp, 'webhooks.csv') : undefined,
  };
  const planFile = path.join(tmp, 'load-plan.json');
  fs.writeFileSync(planFile, JSON.stringify(plan));

  // The simulator first (the server reconciles with it at start), then the server.
  // `npm run sim` runs node with the web process's flags: run the same way here, so --sim-cpu-prof can be passed on.
  const simArgs = ['--port', String(simPort), '--load', planFile];
  // Each process profiled (node --cpu-prof) into a directory of its own in the temp directory.
  const profDirs = { server: path.join(tmp, 'cpu-prof'), sim: path.join(tmp, 'sim-cpu-prof'), worker: path.join(tmp, 'worker-cpu-prof') };
  const profiled = (on: boolean, dir: string) => (on ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);
  const sim = child('sim', process.execPath, [...profiled(o.simCpuProf, profDirs.sim), ...PROCFILE_NODE_FLAGS, '--import', 'tsx', 'scripts/sim.ts', ...simArgs], env, (l) => !l.startsWith('{'));
  await waitForLine(sim.lines, /simulator listening at/, sim.exited, 60_000, 'the simulator');
  // The Procfile's flags (a larger young generation: fewer objects promoted, fewer and shorter old-generation pauses).
  const nodeArgs = [...profiled(o.cpuProf, profDirs.server), ...PROCFILE_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'];
  const serverEnv: Record<string, string> = { ...env, SIMULATOR_URL: `http://127.0.0.1:${simPort}` };
  if (o.shedLag !== undefined) serverEnv.LOAD_SHED_MAX_LAG_MS = String(o.shedLag);
  if (o.shedInFlight !== undefined) serverEnv.LOAD_SHED_MAX_IN_FLIGHT = String(o.shedInFlight);
  if (!o.jobsInWeb) serverEnv.WEB_RUNS_JOBS = 'false';
  const errorLines: string[] = [];
  const server = child('server', process.execPath, nodeArgs, serverEnv, (l) => {
    if (/"level":"error"/.test(l)) errorLines.push(l);
    return !l.startsWith('{') || (/"level":"error"/.test(l) && errorLines.length <= 5);
  });
  const pid = server.proc.pid!;
  // The job worker, as the Procfile's `worker` (its own SQLite connection on the same file, the same Redis prefix).
  const worker = o.jobsInWeb
    ? undefined
    : child('worker', process.execPath, [...profiled(o.cpuProf, profDirs.worker), ...PROCFILE_NODE_FLAGS, '--import', 'tsx', 'src/worker.ts'], serverEnv, (l) => {
        if (/"level":"error"/.test(l)) errorLines.push(`[worker] ${l}`);
        return !l.startsWith('{') || (/"level":"error"/.test(l) && errorLines.length <= 5);
      });
  // Ten steps nicer than the server, as deploy/systemd/hotline-worker.service runs it: the jobs yield to the webhooks.
  if (worker?.proc.pid) os.setPriority(worker.proc.pid, Math.min(19, os.getPriority() + 10));
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/health/load`).then((r) => r.ok, () => false);
    if (up) break;
    if (i > 600) throw new Error(`the server never answered /health/load:\n${server.lines.slice(-20).join('\n')}`);
    await sleep(100);
  }
  // The desktops' heartbeats are not part of this load (bench:realtime measures the WebSockets): once the server has
  // started (it gives signed-in agents the heartbeat timeout from its start), their last heartbeat is put a day ahead,
  // in one write before the first call. A writer in another process during the run would make the server's deferred
  // transactions fail with SQLITE_BUSY (a snapshot that is no longer the latest), which is not what is measured here.
  const hb = new Database(dbFile);
  hb.pragma('busy_timeout = 5000');
  hb.prepare('UPDATE agent_presence SET last_heartbeat = ? WHERE staff_id >= ?').run(Date.now() + 86_400_000, firstId);
  hb.close();
  console.log(`  server pid ${pid} on http://127.0.0.1:${port}, simulator pid ${sim.proc.pid} on http://127.0.0.1:${simPort}`);


  // Every 5 s: the server's CPU and RSS, and its load gauge.
  const samples: Sample[] = [];
  const t0 = Date.now();
  let prev = procStat(pid);
  let prevSim = groupTicks(sim.proc.pid!);
  let prevWorker = worker ? (procStat(worker.proc.pid!)?.ticks ?? 0) : 0;
  let prevAt = Date.now();
  const sample = async () => {
    const s = procStat(pid);
    const simTicks = groupTicks(sim.proc.pid!);
    const workerTicks = worker ? (procStat(worker.proc.pid!)?.ticks ?? prevWorker) : 0;
    const at = Date.now();
    let load: LoadReport | undefined;
    try {
      load = (await (await fetch(`http://127.0.0.1:${port}/health/load`, { signal: AbortSignal.timeout(4000) })).json()) as LoadReport;
    } catch {
      // the server is too busy to answer within 4 s: the sample says so (lag unknown)
    }
    if (!s || !prev) return;
    const cpu = ((s.ticks - prev.ticks) / CLK_TCK / ((at - prevAt) / 1000)) * 100;
    const simCpu = ((simTicks - prevSim) / CLK_TCK / ((at - prevAt) / 1000)) * 100;
    const workerCpu = ((workerTicks - prevWorker) / CLK_TCK / ((at - prevAt) / 1000)) * 100;
    prevWorker = workerTicks;
    prev = s;
    prevSim = simTicks;
    prevAt = at;
    samples.push({
      t: Math.round((at - t0) / 1000),
      cpu,
      simCpu,
      workerCpu,
      rss: s.rss,
      lagP99: load?.lastWindowLagMs.p99 ?? NaN,
      lagMax: load?.lastWindowLagMs.max ?? NaN,
      inFlight: load?.maxInFlightWebhooks ?? NaN,
      shedding: load?.shedding ?? false,
      shedCalls: load?.shedCalls ?? NaN,
      load1: os.loadavg()[0],
    });
  };
  const sampler = setInterval(() => void sample(), 5000);

  // The server's own figures as the arrivals end (the drain's burst of hang-ups is not the load).
  await waitForLine(sim.lines, /arrivals over/, sim.exited, o.duration * o.timeScale + 300_000, 'the simulator');
  let atArrivalsEnd: LoadReport | undefined;
  try {
    atArrivalsEnd = (await (await fetch(`http://127.0.0.1:${port}/health/load`, { signal: AbortSignal.timeout(10_000) })).json()) as LoadReport;
  } catch {
    // reported as unknown
  }
  await waitForLine(sim.lines, /load done/, sim.exited, o.drain * o.timeScale + 300_000, 'the simulator');
  clearInterval(sampler);
  let finalLoad: LoadReport | undefined;
  try {
    finalLoad = (await (await fetch(`http://127.0.0.1:${port}/health/load`)).json()) as LoadReport;
  } catch {
    // reported as unknown
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as DayLoadResult;

  // Stop the server gracefully (the CPU profile is written at exit), then the simulator.
  server.proc.kill('SIGTERM');
  worker?.proc.kill('SIGTERM');
  await Promise.all([Promise.race([server.exited, sleep(15_000)]), worker && Promise.race([worker.exited, sleep(15_000)])]);
  // npm does not pass signals on: stop its whole process group (npm, tsx and the simulator).
  process.kill(-sim.proc.pid!, 'SIGTERM');
  await Promise.race([sim.exited, sleep(5_000)]);

  // What the server stored.
  const sdb = new Database(dbFile, { readonly: true });
  const count = (sql: string) => (sdb.prepare(sql).get() as { n: number }).n;
  const stored = {
    entries: sdb.prepare('SELECT status, count(*) AS n FROM queue_entries GROUP BY status ORDER BY n DESC').all() as { status: string; n: number }[],
    shedEntries: count("SELECT count(*) AS n FROM queue_entries WHERE reason = 'shed'"),
    openCalls: count("SELECT count(*) AS n FROM calls WHERE ended_at IS NULL AND direction = 'inbound'"),
  };
  sdb.close();

  // ------------------------------------------------------------------ report
  const ans = [...result.answerSeconds].sort((a, b) => a - b);
  const wait = [...result.queueWaitSeconds].sort((a, b) => a - b);
  const cpuS = samples.map((s) => s.cpu).filter(Number.isFinite);
  const rssS = samples.map((s) => s.rss);
  const lagS = samples.map((s) => s.lagP99).filter(Number.isFinite);
  console.log(`\nCalls (${o.duration} s of arrivals at ${o.rate}/s${o.burst > 1 ? ` with a ×${o.burst} burst` : ''}):`);
  console.log(
    `  placed ${result.placed}, answered ${result.answered}, abandoned ${result.abandoned}, lost ${result.lost}, still on the line at the end ${result.cutAtEnd}; ` +
      `left the wait with a callback request (pressed 1, or the carrier's queue was full) ${result.calledBack}; shed at the door ${result.shedCallers}`,
  );
  for (const ex of result.lostExamples) console.log(`    lost: ${ex}`);
  console.log(`  answer time (call start to agent) p50 ${pct(ans, 50)} s, p95 ${pct(ans, 95)} s; queue wait p50 ${pct(wait, 50)} s, p95 ${pct(wait, 95)} s`);
  console.log(`  fallbacks: the fallback URL asked ${result.fallbackUrlRequests} times, the fallback TwiML served ${result.fallbackTwimlServed} times; webhook errors (timeouts, 5xx) ${result.webhook.errors}`);
  console.log(`\nWebhook latency as the simulator measured it (POST sent to answer read, ms): ${result.webhook.count} webhooks, p50 ${result.webhook.p50}, p99 ${result.webhook.p99}, max ${result.webhook.max}`);
  console.log(
    `  the same webhooks inside the server (body read to answer written, until the arrivals ended): p50 ${atArrivalsEnd?.webhookMs.p50 ?? '?'}, p99 ${atArrivalsEnd?.webhookMs.p99 ?? '?'}, max ${atArrivalsEnd?.webhookMs.max ?? '?'} ms; ` +
      `the simulator's own event-loop lag p50 ${result.simLag.p50}, p99 ${result.simLag.p99}, max ${result.simLag.max} ms`,
  );
  for (const [route, r] of Object.entries(result.webhook.byRoute)) console.log(`  ${route.padEnd(30)} ${String(r.count).padStart(8)}  p50 ${String(r.p50).padStart(7)}  p99 ${String(r.p99).padStart(7)}  max ${String(r.max).padStart(8)}`);
  console.log(`\nServer process every 5 s (t s: CPU %, RSS MB, [the simulator's CPU %, the worker's], event-loop lag p99/max ms over 5 s, max webhooks in flight so far, shedding, load average):`);
  for (const s of samples) {
    console.log(
      `  ${String(s.t).padStart(4)}: ${s.cpu.toFixed(0).padStart(3)}%  ${(s.rss / 1e6).toFixed(0).padStart(4)} MB  [sim ${s.simCpu.toFixed(0).padStart(3)}%${worker ? `, worker ${s.workerCpu.toFixed(0).padStart(3)}%` : ''}]  lag ${s.lagP99.toFixed(1).padStart(6)}/${s.lagMax.toFixed(0).padStart(5)}  in flight ${String(s.inFlight).padStart(4)}  ${s.shedding ? 'SHEDDING' : '        '}  load ${s.load1.toFixed(2)}`,
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    `  simulator CPU mean ${mean(samples.map((s) => s.simCpu)).toFixed(0)}%${worker ? `; worker CPU mean ${mean(samples.map((s) => s.workerCpu)).toFixed(0)}%` : ''}; server CPU mean ${mean(cpuS).toFixed(0)}%, max ${Math.max(...cpuS).toFixed(0)}%; RSS start ${((rssS[0] ?? 0) / 1e6).toFixed(0)} MB, max ${(Math.max(...rssS) / 1e6).toFixed(0)} MB, end ${((rssS[rssS.length - 1] ?? 0) / 1e6).toFixed(0)} MB`,
  );
  console.log(
    `  event-loop lag (server's monitorEventLoopDelay, start to the arrivals' end): p50 ${atArrivalsEnd?.eventLoopLagMs.p50 ?? '?'} ms, p99 ${atArrivalsEnd?.eventLoopLagMs.p99 ?? '?'} ms, max ${atArrivalsEnd?.eventLoopLagMs.max ?? '?'} ms; worst 5-s window p99 ${lagS.length ? Math.max(...lagS).toFixed(1) : '?'} ms`,
  );
  console.log(
    `  load shedding: ${atArrivalsEnd?.shedCalls ?? '?'} callers shed in ${atArrivalsEnd?.shedEpisodes ?? '?'} episodes during the arrivals (${finalLoad?.shedEpisodes ?? '?'} with the drain); ` +
      `max webhooks in flight ${atArrivalsEnd?.maxInFlightWebhooks ?? '?'} (${finalLoad?.maxInFlightWebhooks ?? '?'} with the drain's hang-ups)`,
  );
  console.log(`\nStored: queue entries ${stored.entries.map((e) => `${e.status} ${e.n}`).join(', ')}; shed entries ${stored.shedEntries}; inbound calls never closed ${stored.openCalls}`);
  console.log(`Server errors logged: ${errorLines.length}${errorLines.length ? ` (first: ${errorLines[0].slice(0, 300)})` : ''}`);
  console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const prof = Object.values(profDirs).filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)));
  if (prof.length) console.log(`CPU profile: ${prof.join(', ')}`);
  // The main thread's profile is the largest file of the server's (the others are worker threads).
  const main = o.cpuProf && fs.existsSync(profDirs.server) ? fs.readdirSync(profDirs.server).map((f) => path.join(profDirs.server, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0] : undefined;
  if (main) console.log(`\nThe server's main thread:\n${summarizeProfile(main).join('\n')}`);
  const target = result.lost === 0 && result.fallbackUrlRequests + result.fallbackTwimlServed === 0 && result.webhook.p99 < 50;
  console.log(`\nTarget (nothing lost, no fallback served, webhook p99 under 50 ms): ${target ? 'MET' : 'NOT MET'}`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ options: o, result: { ...result, answerSeconds: undefined, queueWaitSeconds: undefined }, answer: { p50: pct(ans, 50), p95: pct(ans, 95) }, wait: { p50: pct(wait, 50), p95: pct(wait, 95) }, samples, atArrivalsEnd, finalLoad, stored, errors: errorLines.length }, null, 1));
  if (o.keep || prof.length) console.log(`Kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  return target ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(err);
  return 2;
});
