// Benchmarks the carrier's webhooks: the real server and a bare node:http yardstick run as child processes, and
// autocannon (in this process) drives both with correctly signed Twilio payloads; prints a figures table and targets.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import twilio from 'twilio';
import { Spread, UsageError, benchArgs, num, runBench, sleep } from './bench/harness';

const USAGE = `Usage: npm run bench:webhooks -- [options]

Starts the real server (node --import tsx src/main.ts, live Twilio mode, fresh SQLite file with demo data)
and a bare node:http server as child processes, checks one signed call end to end, then drives both with
autocannon: each connection plays incoming call (POST /twilio/voice) then menu selection
(POST /twilio/ivr?s=1, Digits=1) for a fresh CallSid, every request signed with X-Twilio-Signature.

Options:
  --duration <s>       seconds per measured run (default 10)
  --connections <list> comma-separated connection counts (default 50,200)
  --warmup <s>         unmeasured warm-up per server before the runs, 0 for none (default 2)
  --profile            run the real server under node --cpu-prof and print its top self-time functions
                       (samples taken during the measured runs against it only)
  --top <n>            how many profile entries to print (default 15)
  --base-url <url>     PUBLIC_BASE_URL the server believes the carrier reaches it at; requests are signed
                       for it (default https://hotline-bench.example.com, like production: no port)
  --redis-url <url>    REDIS_URL for the server's background jobs (default redis://127.0.0.1:6379/15,
                       a separate Redis database so the bench never touches a dev server's queues)
  --server-dir <dir>   run the server from this directory (a worktree or patched copy with its own src/,
                       ivr-flows/ and node_modules/) instead of this repository
  --keep               keep the temporary directory (database, profiles)
  -h, --help           print this help

Targets (real server, at 50 connections): requests/s >= 15% of bare node:http, p99 latency < 25 ms.
Exit code: 0 whether targets pass or fail; 1 if any request failed (non-2xx, socket error, timeout,
fallback answer) or a check failed; 2 for bad usage.`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOTLINE_NUMBER = '+864008008888';
/** Demo callers the database must know; the rest of DEMO_CUSTOMERS (src/db/seed/demo-data.ts) join them when it loads. */
const KNOWN_CALLERS = ['+8613700001111'];
const TARGET_CONNECTIONS = 50;
const TARGET_RATIO = 0.15;
const TARGET_P99_MS = 25;

// ---------------------------------------------------------------------------------------------- options

interface Options {
  duration: number;
  connections: number[];
  warmup: number;
  profile: boolean;
  top: number;
  baseUrl: string;
  redisUrl: string;
  serverDir: string;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = benchArgs(argv, USAGE, {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50,200' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
    'base-url': { type: 'string', default: 'https://hotline-bench.example.com' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/15' },
    'server-dir': { type: 'string', default: ROOT },
    keep: { type: 'boolean', default: false },
  });
  const atLeast = (name: string, v: string, min: number) => num(name, v, (n) => n >= min, `a number >= ${min}`);
  const connections = values.connections.split(',').map((c) => atLeast('connections', c.trim(), 1));
  if (!connections.every(Number.isInteger)) throw new UsageError('--connections takes whole numbers, e.g. 50,200');
  const baseUrl = values['base-url'].replace(/\/$/, '');
  if (!/^https?:\/\/[^/?#]+$/.test(baseUrl)) throw new UsageError(`--base-url must be like https://host[:port], got ${JSON.stringify(baseUrl)}`);
  return {
    duration: atLeast('duration', values.duration, 1),
    connections,
    warmup: atLeast('warmup', values.warmup, 0),
    profile: values.profile,
    top: Math.floor(atLeast('top', values.top, 1)),
    baseUrl,
    redisUrl: values['redis-url'],
    serverDir: path.resolve(values['server-dir']),
    keep: values.keep,
  };
}

class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------- children

interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines the child wrote (stdout and stderr), for error reports. */
  tail: string[];
  lines: number;
  exited: Promise<number | null>;
}

const children: Child[] = [];

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Child {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = {
    name,
    proc,
    tail: [],
    lines: 0,
    exited: new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? null : 0)))),
  };
  // Always drain the pipes: a child blocked on a full pipe would look like a slow server.
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      const parts = (partial + s).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        child.lines++;
        child.tail.push(line);
        if (child.tail.length > 40) child.tail.shift();
      }
    });
  }
  children.push(child);
  return child;
}

async function stopChild(c: Child, graceMs = 15_000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

function killAllNow(): void {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(c: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void c.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const why = exited ? `exited with code ${c.proc.exitCode ?? c.proc.signalCode}` : `did not answer ${url} within ${timeoutMs / 1000} s`;
  const tail = c.tail.join('\n');
  const hint = /ERR_MODULE_NOT_FOUND|Cannot find module/.test(tail)
    ? '\n(a module it imports is missing; if a colleague is still writing it, e.g. src/db/seed/demo-data.ts, retry in a few minutes)'
    : '';
  throw new BenchError(`${c.name} ${why}. Its last output:\n${indent(tail || '(nothing)')}${hint}`);
}

// ---------------------------------------------------------------------------------------------- the carrier's requests

interface Account {
  accountSid: string;
  authToken: string;
  baseUrl: string;
}

type Params = Record<string, string>;

class CarrierRequests {
  private readonly sidPrefix = crypto.randomBytes(8).toString('hex');
  private seq = 0;

  private taken = new Set<string>();

  constructor(
    private readonly account: Account,
    private known: string[],
  ) {}

  /** `known`: demo callers to use; `taken`: every number in the customer book, which "unknown" callers must avoid. */
  setCallers(known: string[], taken: Set<string>): void {
    if (known.length) this.known = known;
    this.taken = taken;
  }

  /** A fresh call: distinct CallSid; every other caller is a known demo customer, the rest unknown +86150 numbers. */
  incomingCall(from?: string): Params {
    const n = this.seq++;
    const caller = from ?? (n % 2 === 0 ? this.known[(n >>> 1) % this.known.length] : this.unknownNumber());
    return {
      CallSid: `CA${this.sidPrefix}${n.toString(16).padStart(16, '0')}`,
      AccountSid: this.account.accountSid,
      From: caller,
      To: HOTLINE_NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
  }

  private unknownNumber(): string {
    for (;;) {
      const number = `+86150${String(crypto.randomInt(1e8)).padStart(8, '0')}`;
      if (!this.taken.has(number)) return number;
    }
  }

  menuSelection(call: Params, digits = '1'): Params {
    return { ...call, CallStatus: 'in-progress', Digits: digits, FinishedOnKey: '' };
  }

  /** Body and headers of a POST signed as the carrier signs it: for PUBLIC_BASE_URL + path + query. */
  signed(pathAndQuery: string, params: Params): { body: string; headers: Record<string, string> } {
    return {
      body: new URLSearchParams(params).toString(),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(this.account.authToken, this.account.baseUrl + pathAndQuery, params),
      },
    };
  }
}

const VOICE = '/twilio/voice';
const MENU = '/twilio/ivr?s=1';

interface Tally {
  voiceOk: number;
  menuOk: number;
}

/** Per connection: incoming call, then the menu selection for the same CallSid; then again with a fresh call. */
function callScript(carrier: CarrierRequests, tally: Tally): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: VOICE,
      setupRequest(req, context) {
        const call = carrier.incomingCall();
        context.call = call;
        return { ...req, method: 'POST', path: VOICE, ...carrier.signed(VOICE, call) };
      },
      onResponse(status) {
        if (status >= 200 && status < 300) tally.voiceOk++;
      },
    },
    {
      method: 'POST',
      path: MENU,
      setupRequest(req, context) {
        const call = context.call as Params;
        return { ...req, method: 'POST', path: MENU, ...carrier.signed(MENU, carrier.menuSelection(call)) };
      },
      onResponse(status) {
        if (status >= 200 && status < 300) tally.menuOk++;
      },
    },
  ];
}

async function post(target: string, carrier: CarrierRequests, pathAndQuery: string, params: Params, signature?: string) {
  const { body, headers } = carrier.signed(pathAndQuery, params);
  if (signature !== undefined) headers['X-Twilio-Signature'] = signature;
  const res = await fetch(target + pathAndQuery, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

// ---------------------------------------------------------------------------------------------- database checks

/** A read-only look at the server's SQLite file (WAL lets us read while it writes). */
class DbProbe {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
  }

  counts(): { calls: number; pastMenu: number; fallbacks: number } {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      calls: one('SELECT count(*) AS n FROM calls'),
      pastMenu: one('SELECT count(*) AS n FROM calls WHERE step >= 2'),
      fallbacks: one("SELECT count(*) AS n FROM queue_entries WHERE reason = 'fallback'"),
    };
  }

  call(sid: string): { step: number; customerId: number | null } | undefined {
    return this.db.prepare('SELECT step, customer_id AS customerId FROM calls WHERE sid = ?').get(sid) as never;
  }

  knownPhones(): string[] {
    return (this.db.prepare('SELECT DISTINCT phone FROM customer_phones ORDER BY phone').all() as { phone: string }[]).map((r) => r.phone);
  }

  close(): void {
    this.db.close();
  }
}

// ---------------------------------------------------------------------------------------------- preflight

/** The demo callers' numbers from src/db/seed/demo-data.ts (DEMO_CUSTOMERS), with KNOWN_CALLERS always among them. */
async function demoCallers(): Promise<string[]> {
  const numbers = new Set(KNOWN_CALLERS);
  try {
    const seed = (await import('../src/db/seed/demo-data')) as { DEMO_CUSTOMERS?: readonly { phone?: unknown }[] };
    for (const c of seed.DEMO_CUSTOMERS ?? []) if (typeof c.phone === 'string') numbers.add(c.phone);
  } catch (err) {
    console.log(`  (could not read DEMO_CUSTOMERS, using ${KNOWN_CALLERS.join(' ')} only: ${(err as Error).message.split('\n')[0]})`);
  }
  return [...numbers];
}

const tags = (twiml: string) => [...new Set(twiml.match(/<[A-Z][A-Za-z]*/g) ?? [])].map((t) => t.slice(1)).join(',');

/** One call by hand through the real server; returns the documents the bare server should imitate and the fallback. */
async function preflight(target: string, carrier: CarrierRequests, db: DbProbe, baseUrl: string) {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) problems.push(what);
  };

  // The fallback route always fails on purpose: it hands us the exact fallback document, so answers can be checked against it.
  const fb = await post(target, carrier, '/twilio/voice/fallback', carrier.incomingCall());
  check(fb.status === 200 && fb.body.includes('<Response'), `fallback document learned (${fb.body.length} bytes): answers equal to it count as failures`);
  const fallback = fb.body;

  const forged = await post(target, carrier, VOICE, carrier.incomingCall(), 'bm90IGEgc2lnbmF0dXJl');
  check(forged.status === 403, `forged signature refused with 403 (got ${forged.status})`);
  const unsigned = await fetch(target + VOICE, { method: 'POST', body: new URLSearchParams(carrier.incomingCall()).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  await unsigned.text();
  check(unsigned.status === 403, `unsigned request refused with 403 (got ${unsigned.status})`);

  const book = new Set(db.knownPhones());
  const demo = await demoCallers();
  const missing = demo.filter((p) => !book.has(p));
  check(missing.length === 0, `demo callers seeded: ${demo.length} (${demo.join(' ')}) of ${book.size} numbers in customer_phones${missing.length ? `; MISSING ${missing.join(' ')}` : ''}`);
  carrier.setCallers(demo.filter((p) => book.has(p)), book);

  let voiceDoc = '';
  let menuDoc = '';
  for (const [label, from] of [
    ['known', KNOWN_CALLERS[0]],
    ['unknown', '+8615000000001'],
  ] as const) {
    const before = db.counts().calls;
    const call = carrier.incomingCall(from);
    const voice = await post(target, carrier, VOICE, call);
    const row = db.call(call.CallSid);
    check(
      voice.status === 200 && voice.body !== fallback && voice.body.includes('<Gather') && voice.body.includes(`action="${baseUrl}${MENU}"`),
      `${label} caller ${from}: incoming call → ${voice.status}, ${voice.body.length} bytes, <${tags(voice.body)}>${voice.body === fallback ? ' = THE FALLBACK' : ''}, Gather action ${baseUrl}${MENU}`,
    );
    check(db.counts().calls === before + 1 && row?.step === 1, `  calls table +1 row, step 1 (rows ${before} → ${db.counts().calls}, step ${row?.step})`);
    if (label === 'known') check(row?.customerId != null, `  caller recognized (customer_id ${row?.customerId})`);
    const menu = await post(target, carrier, MENU, carrier.menuSelection(call));
    check(
      menu.status === 200 && menu.body !== fallback && menu.body.includes('<Response'),
      `${label} caller: menu selection Digits=1 → ${menu.status}, ${menu.body.length} bytes, <${tags(menu.body)}>${menu.body === fallback ? ' = THE FALLBACK' : ''}`,
    );
    check(db.call(call.CallSid)?.step === 2, `  call advanced to step 2 (step ${db.call(call.CallSid)?.step})`);
    voiceDoc ||= voice.body;
    menuDoc ||= menu.body;
  }

  if (problems.length) throw new BenchError(`preflight failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { voiceDoc, menuDoc, fallback };
}

// ---------------------------------------------------------------------------------------------- load

interface Target {
  name: 'bare' | 'real';
  url: string;
  pid: number;
  db?: DbProbe;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return undefined;
  }
}

interface RunResult {
  target: Target['name'];
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** "3× ECONNRESET at +4.2s": what the socket errors were, and when in the run. */
  errorKinds: string[];
  /** Connections that got at least one answer, and how long into the run the last of them got its first. */
  answeredConnections: number;
  lastFirstAnswer: number;
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, { count: number }>;
  dbProblems: string[];
  window: [number, number];
  /** CPU used during the run, in % of one core: the server child and this process (the load generator). */
  serverCpu?: number;
  generatorCpu: number;
}

let current: autocannon.Instance | undefined;
let interrupted = false;

const monoMicros = () => Number(process.hrtime.bigint() / 1000n);

async function load(target: Target, connections: number, duration: number, carrier: CarrierRequests, fallback: string): Promise<RunResult> {
  const tally: Tally = { voiceOk: 0, menuOk: 0 };
  const latencies: number[] = [];
  const errorKinds = new Map<string, number>();
  // Per connection: when did it get its first answer? A busy server can leave new connections unaccepted for seconds.
  let answeredConnections = 0;
  let lastFirstAnswer = 0;
  const before = target.db?.counts();
  const serverCpu0 = cpuSeconds(target.pid);
  const genCpu0 = process.cpuUsage();
  const start = monoMicros();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    current = autocannon(
      {
        url: target.url,
        connections,
        duration,
        timeout: 10,
        requests: callScript(carrier, tally),
        // A 200 that is the fallback means the server failed inside: as bad as a 5xx.
        verifyBody: (body) => body !== fallback && body.includes('<Response'),
        setupClient: (client) =>
          client.once('response', () => {
            answeredConnections++;
            lastFirstAnswer = Math.max(lastFirstAnswer, (monoMicros() - start) / 1e6);
          }),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    current.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
    current.on('reqError', (err: Error) => {
      const key = `${(err as NodeJS.ErrnoException).code ?? err.message} at +${((monoMicros() - start) / 1e6).toFixed(1)}s`;
      errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
    });
  });
  const end = monoMicros();
  const genCpu = process.cpuUsage(genCpu0);
  const serverCpu1 = cpuSeconds(target.pid);
  const wall = (end - start) / 1e6;
  current = undefined;

  const dbProblems: string[] = [];
  if (target.db && before) {
    await sleep(300); // let requests still in flight when autocannon stopped land
    const after = target.db.counts();
    const rows = after.calls - before.calls;
    const pastMenu = after.pastMenu - before.pastMenu;
    if (rows < tally.voiceOk || rows > tally.voiceOk + connections)
      dbProblems.push(`calls rows grew by ${rows}, expected ${tally.voiceOk}..${tally.voiceOk + connections} (answered incoming calls)`);
    if (pastMenu < tally.menuOk || pastMenu > tally.menuOk + connections)
      dbProblems.push(`calls past the menu grew by ${pastMenu}, expected ${tally.menuOk}..${tally.menuOk + connections} (answered menu selections)`);
    if (after.fallbacks !== before.fallbacks) dbProblems.push(`${after.fallbacks - before.fallbacks} callers were put in the fallback queue`);
  }

  const spread = new Spread(latencies);
  return {
    target: target.name,
    connections,
    rps: result.requests.average,
    p50: spread.at(50),
    p99: spread.at(99),
    max: spread.max,
    errorKinds: [...errorKinds].map(([k, n]) => `${n}× ${k}`),
    answeredConnections,
    lastFirstAnswer,
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: result.statusCodeStats,
    dbProblems,
    window: [start, end],
    serverCpu: serverCpu0 !== undefined && serverCpu1 !== undefined ? (100 * (serverCpu1 - serverCpu0)) / wall : undefined,
    generatorCpu: (genCpu.user + genCpu.system) / 1e4 / wall,
  };
}

// ---------------------------------------------------------------------------------------------- report

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function report(results: RunResult[], warmups: RunResult[]): { failed: boolean } {
  const find = (t: Target['name'], c: number) => results.find((r) => r.target === t && r.connections === c);
  const rows = [['target', 'conns', 'req/s avg', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'bad body', 'real/bare', 'server cpu', 'µs cpu/req', 'loadgen cpu']];
  for (const r of results) {
    const bare = find('bare', r.connections);
    const ratio = r.target === 'real' && bare ? `${((100 * r.rps) / bare.rps).toFixed(1)}%` : '';
    rows.push([
      r.target === 'real' ? 'real server' : 'bare node:http',
      String(r.connections),
      r.rps.toFixed(0),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      r.max.toFixed(0),
      String(r.non2xx),
      r.timeouts ? `${r.errors} (${r.timeouts} t/o)` : String(r.errors),
      String(r.mismatches),
      ratio,
      r.serverCpu === undefined ? '-' : `${r.serverCpu.toFixed(0)}%`,
      r.serverCpu === undefined ? '-' : ((r.serverCpu * 1e4) / r.rps).toFixed(0),
      `${r.generatorCpu.toFixed(0)}%`,
    ]);
  }
  console.log(`\n${table(rows)}`);
  console.log(
    [
      '',
      'latency: per response, from request written to response read, measured by the load generator',
      'errors: socket errors; t/o: of which timeouts (no answer within 10 s)',
      'bad body: a 200 whose body is not TwiML or is the exact fallback document',
      'server cpu / loadgen cpu: % of one core during the run (node is single-threaded: ~100% is saturated);',
      '  a saturated load generator caps the bare figure and so flatters the ratio',
      'µs cpu/req: server CPU time per answered request (steadier than req/s on a shared machine)',
    ].join('\n'),
  );

  console.log(`\nTargets (real server at ${TARGET_CONNECTIONS} connections):`);
  const real = find('real', TARGET_CONNECTIONS);
  const bare = find('bare', TARGET_CONNECTIONS);
  if (!real || !bare) console.log(`  not evaluated: --connections does not include ${TARGET_CONNECTIONS}`);
  else {
    const ratio = real.rps / bare.rps;
    console.log(`  ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}  requests/s ratio ${(100 * ratio).toFixed(1)}% (target >= ${100 * TARGET_RATIO}%)`);
    console.log(`  ${real.p99 < TARGET_P99_MS ? 'PASS' : 'FAIL'}  p99 latency ${real.p99.toFixed(2)} ms (target < ${TARGET_P99_MS} ms)`);
    if (bare.generatorCpu >= 90 && bare.serverCpu && real.serverCpu) {
      const cpuRatio = (bare.serverCpu / bare.rps) / (real.serverCpu / real.rps);
      console.log(
        `  note: the load generator was saturated during the bare run (${bare.generatorCpu.toFixed(0)}% of a core) while bare node:http used ` +
          `${bare.serverCpu.toFixed(0)}%,\n        so the bare figure is a floor and the ratio flattering; by server CPU per request the ratio is ${(100 * cpuRatio).toFixed(1)}%`,
      );
    }
  }

  let failed = false;
  for (const r of [...warmups, ...results]) {
    const bad = r.non2xx + r.errors + r.mismatches;
    const run = `${r.target} at ${r.connections} connections${warmups.includes(r) ? ' (warm-up)' : ''}`;
    if (bad) {
      failed = true;
      const codes = Object.entries(r.statusCodes)
        .map(([code, { count }]) => `${code}×${count}`)
        .join(' ');
      console.log(`\nFAILED REQUESTS: ${run}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} of them timeouts), ${r.mismatches} bad bodies (status codes: ${codes})`);
      if (r.errorKinds.length) console.log(indent(r.errorKinds.slice(0, 10).join('\n')));
    }
    if (r.answeredConnections < r.connections || r.lastFirstAnswer > 1) {
      console.log(
        `\nSLOW ACCEPT: ${run}: ${r.answeredConnections < r.connections ? `${r.connections - r.answeredConnections} connections never got an answer, and ` : ''}` +
          `the last connection to be answered got its first answer ${r.lastFirstAnswer.toFixed(1)} s into the run.\n  A saturated node process accepts about one new connection per ` +
          'event-loop turn, so connections opened while it is busy wait in the kernel accept queue;\n  timeouts at +10 s are these connections.',
      );
    }
    for (const p of r.dbProblems) {
      failed = true;
      console.log(`\nDATABASE CHECK FAILED: ${run}: ${p}`);
    }
  }
  if (!failed) console.log('\nAll requests answered 2xx with valid, non-fallback TwiML; database rows match the answered requests.');
  return { failed };
}

// ---------------------------------------------------------------------------------------------- cpu profile

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const sourceRoots = [ROOT];

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  for (const root of sourceRoots) if (u.startsWith(root + '/')) return u.slice(root.length + 1);
  return u;
}

const isProjectFrame = (f: CallFrame) => f.url !== '' && !f.url.includes('/node_modules/') && shortUrl(f.url).startsWith('src/');

/** functionName + url:line; tsx puts each project module on one line, so project frames get the column instead. */
function frameKey(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name.startsWith('(') ? name : `${name}  (native)`;
  if (isProjectFrame(f)) return `${name}  ${shortUrl(f.url)}${f.functionName ? '' : ` col ${f.columnNumber + 1}`}`;
  return `${name}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

function moduleOf(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const u = shortUrl(f.url);
  const nm = u.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const parts = u.slice(nm + 'node_modules/'.length).split('/');
    return `node_modules/${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (u.startsWith('node:')) return u.split('/').slice(0, 3).join('/');
  return u;
}

function analyzeProfile(dir: string, pid: number, windows: [number, number][], top: number): void {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const main = files.find((f) => f.includes(`.${pid}.0.`)) ?? files.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
  if (!main) {
    console.log(`\nNo .cpuprofile was written in ${dir} (did the server exit cleanly?)`);
    return;
  }
  const file = path.join(dir, main);
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Sample i lasts until sample i+1 (as DevTools counts it); keep only samples inside the measured runs.
  const inside = (t: number) => windows.some(([a, b]) => t >= a && t <= b);
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  const pass = (filter: boolean) => {
    const self = new Map<string, number>();
    const byModule = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const calls = new Map<string, number>();
    let total = 0;
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i];
      const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
      if (filter && !inside(t)) continue;
      const leaf = nodes.get(p.samples[i]);
      if (!leaf) continue;
      total += dt;
      add(self, frameKey(leaf.callFrame), dt);
      add(byModule, moduleOf(leaf.callFrame), dt);
      // Inclusive: each project function on the stack once; and each library call made straight from project code.
      const seen = new Set<string>();
      for (let id: number | undefined = leaf.id, below: CallFrame | undefined; id !== undefined; id = parent.get(id)) {
        const f = nodes.get(id)!.callFrame;
        if (isProjectFrame(f)) {
          const k = frameKey(f);
          if (!seen.has(k)) (seen.add(k), add(inclusive, k, dt));
          if (below && !isProjectFrame(below)) {
            const c = `${f.functionName || '(anonymous)'} (${shortUrl(f.url)}) → ${below.functionName || '(anonymous)'} [${moduleOf(below)}]`;
            if (!seen.has(c)) (seen.add(c), add(calls, c, dt));
          }
        }
        below = f;
      }
    }
    return { self, byModule, inclusive, calls, total };
  };
  let r = pass(true);
  let scope = 'samples taken during the measured runs against the real server';
  if (r.total === 0) {
    r = pass(false);
    scope = 'WHOLE process lifetime (no sample fell inside the measured runs), startup included';
  }
  const idle = r.self.get('(idle)') ?? 0;
  const busy = r.total - idle || 1;
  const ms = (us: number) => (us / 1000).toFixed(0);
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    const ranked = [...m.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, n);
    const rows = [['ms', '%busy', 'function  location'], ...ranked.map(([k, us]) => [ms(us), ((100 * us) / busy).toFixed(1), k])];
    const w0 = Math.max(...rows.map((x) => x[0].length));
    const w1 = Math.max(...rows.map((x) => x[1].length));
    for (const row of rows) console.log(`  ${row[0].padStart(w0)}  ${row[1].padStart(w1)}  ${row[2]}`);
  };
  console.log(`\nCPU profile of the real server: ${file}`);
  console.log(`  ${scope}: ${ms(r.total)} ms sampled, ${ms(busy)} ms busy (${((100 * busy) / r.total).toFixed(1)}%), ${ms(idle)} ms idle`);
  print(`Top ${top} self-time functions (summed per callFrame):`, r.self, top);
  print('Self time by package / module:', r.byModule, 12);
  print('Inclusive time of project functions (src/; tsx puts a module on one line, so no line numbers):', r.inclusive, 15);
  print('Inclusive time of library calls made straight from project code (caller → callee [package]):', r.calls, 15);
}

// ---------------------------------------------------------------------------------------------- main

const indent = (s: string) => s.replace(/^/gm, '    ');

async function main(o: Options): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-'));
  const profileDir = path.join(tmp, 'cpuprofile');
  const hex = (n: number) => crypto.randomBytes(n).toString('hex');
  const account: Account = { accountSid: `AC${hex(16)}`, authToken: hex(16), baseUrl: o.baseUrl };
  const carrier = new CarrierRequests(account, KNOWN_CALLERS);
  const dbFile = path.join(tmp, 'hotline.sqlite');
  let db: DbProbe | undefined;
  let server: Child | undefined;

  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\nSIGINT: stopping the load and the servers…');
    current?.stop();
    void Promise.all(children.map((c) => stopChild(c, 3000))).finally(() => {
      if (!o.keep && !o.profile) fs.rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
  });
  process.once('exit', killAllNow);

  const cpus = os.cpus();
  console.log(`Webhook benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (load generator and servers share them)`);
  console.log(`  ${o.duration} s per run, connections ${o.connections.join(', ')}, warm-up ${o.warmup} s${o.profile ? ', server under --cpu-prof' : ''}; temp dir ${tmp}`);

  try {
    const serverPort = await freePort();
    const serverArgs = [...(o.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', 'src/main.ts'];
    if (o.serverDir !== ROOT) sourceRoots.unshift(o.serverDir, fs.realpathSync(o.serverDir));
    console.log(`\nStarting the real server: node ${serverArgs.join(' ')} (port ${serverPort}, PUBLIC_BASE_URL ${o.baseUrl})`);
    if (o.serverDir !== ROOT) console.log(`  from ${o.serverDir}, NOT this repository`);
    server = startChild('real server', serverArgs, {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(serverPort),
      DATABASE_FILE: dbFile,
      PUBLIC_BASE_URL: o.baseUrl,
      TWILIO_ACCOUNT_SID: account.accountSid,
      TWILIO_AUTH_TOKEN: account.authToken,
      HOTLINE_NUMBER,
      REDIS_URL: o.redisUrl,
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'true',
    }, o.serverDir);
    const realUrl = `http://127.0.0.1:${serverPort}`;
    const t0 = Date.now();
    await waitUntilUp(server, `${realUrl}/health`);
    console.log(`  up after ${((Date.now() - t0) / 1000).toFixed(1)} s (GET /health answered)`);

    db = new DbProbe(dbFile);
    console.log('\nPreflight (one signed call by hand):');
    const docs = await preflight(realUrl, carrier, db, o.baseUrl);
    const preflightLines = server.lines; // the deliberate forged, unsigned and fallback requests log too

    const barePort = await freePort();
    const bare = startChild('bare server', ['--import', 'tsx', 'scripts/bench/bare-server.ts'], {
      ...process.env,
      PORT: String(barePort),
      BARE_BODY: docs.voiceDoc,
      BARE_BODY_IVR: docs.menuDoc,
    });
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitUntilUp(bare, `${bareUrl}/health`);
    console.log(
      `\nBare node:http server up on port ${barePort}, answering the real server's documents as fixed strings ` +
        `(${Buffer.byteLength(docs.voiceDoc)} bytes for /twilio/voice, ${Buffer.byteLength(docs.menuDoc)} for /twilio/ivr)`,
    );

    const targets: Target[] = [
      { name: 'bare', url: bareUrl, pid: bare.proc.pid! },
      { name: 'real', url: realUrl, pid: server.proc.pid!, db },
    ];
    const warmups: RunResult[] = [];
    if (o.warmup > 0) {
      process.stdout.write(`\nWarming up (${o.warmup} s each, ${o.connections[0]} connections)…`);
      for (const t of targets) warmups.push(await load(t, o.connections[0], o.warmup, carrier, docs.fallback));
      console.log(' done');
    }

    const results: RunResult[] = [];
    for (const c of o.connections) {
      for (const t of targets) {
        if (interrupted) return 130;
        process.stdout.write(`Running ${t.name === 'real' ? 'real server   ' : 'bare node:http'} at ${String(c).padStart(4)} connections for ${o.duration} s… `);
        const r = await load(t, c, o.duration, carrier, docs.fallback);
        results.push(r);
        console.log(`${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms`);
        await sleep(500);
      }
    }

    const { failed } = report(results, warmups);
    const loadLines = server.lines - preflightLines;
    if (loadLines > 0) {
      console.log(`\nThe real server wrote ${loadLines} log lines (LOG_LEVEL=warn) under load; the last ones:`);
      console.log(indent(server.tail.slice(-Math.min(loadLines, 10)).join('\n')));
    }

    db.close();
    db = undefined;
    await Promise.all(children.map((c) => stopChild(c)));
    if (o.profile) {
      analyzeProfile(
        profileDir,
        server.proc.pid!,
        results.filter((r) => r.target === 'real').map((r) => r.window),
        o.top,
      );
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof BenchError) console.error(`\nBENCH FAILED: ${err.message}`);
    else console.error('\nBENCH FAILED:', err);
    if (server?.lines) console.error(`\nThe real server's last output:\n${indent(server.tail.slice(-15).join('\n'))}`);
    return 1;
  } finally {
    db?.close();
    await Promise.all(children.map((c) => stopChild(c, 5000)));
    if (o.keep || o.profile) console.log(`\nKept ${tmp}${o.profile ? ' (the .cpuprofile opens in Chrome DevTools → Performance)' : ''}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await runBench(USAGE, parseOptions, main);
