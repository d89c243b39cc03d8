// Benchmarks the ACD's routing decisions on a large fresh SQLite file: the best call for a freed agent, the longest-idle
// agent for a call, one whole offer, and the dispatch of a burst; checks the offers against an in-memory model of the rules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { eq, fillPlaceholders } from 'drizzle-orm';
import { openDatabase, type Db } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { agentDesks, agentPresence, calls, interactions, queueEntries, staff } from '../src/db/schema/index';
import { CallsRepo } from '../src/calls/calls.repo';
import { QueueEntriesRepo, type QueueEntry } from '../src/acd/queue-entries.repo';
import { PresenceRepo, type Desk } from '../src/acd/presence.repo';
import { InteractionsRepo } from '../src/acd/interactions.repo';
import { QueueSettingsRepo, defaultQueueSettings } from '../src/acd/queue-settings.repo';
import { PresenceService } from '../src/acd/agent-presence.service';
import { Dispatcher, type AcdCarrier } from '../src/acd/dispatcher';
import { bestCall, compareIdle, compareWaiting } from '../src/acd/routing-policy';
import { EventBus } from '../src/events/domain-events';
import { createLogger } from '../src/logging/logger';
import { prng, weighted, type Rng } from './bench/seeded';
import { UsageError, benchArgs } from './bench/harness';
import { agentIdentity } from '../src/telephony/voice-token';

const USAGE = `Usage: npm run bench:routing -- [options]

Builds a fresh SQLite file (migrated by openDatabase, WAL like production) holding --agents agents
(desks front/middle/back, some on two desks, skills 1-5; most of them busy, on a break or offline)
and --calls waiting calls over the queues of the three desks (priorities VIP 40, complaint 30,
returning 20, new 10; queued over the last 30 minutes), then times, in this process, with
process.hrtime.bigint() after a warm-up:

  a) the best call for an agent who just became available  Dispatcher.bestCallFor(agentId)
  b) the longest-idle agent for a new call                   PresenceRepo.longestIdleOnDesk(desk)
     b′) its worst case: a desk with no free agent, so it walks every available agent
  c) one whole offer decision                                Dispatcher.dispatch() with exactly one
     available agent (finds the call and the agent, then the offer's transaction: reserve the queue
     entry, insert the interaction, agent to reserved, state logged; then finds nothing more to offer)
  d) the dispatch of a burst: --burst agents made available at once, one Dispatcher.dispatch()

The carrier is a fake whose ringAgent resolves at once: the carrier is not what is measured.
Every answer is checked against an in-memory model of the routing rules (src/acd/routing-policy.ts).

Options:
  --calls <n>       waiting calls (default 5000)
  --agents <n>      agents (default 1000)
  --available <f>   fraction of the agents available during a) and b) (default 0.2)
  --burst <n>       agents made available for the burst d) (default 1000, at most --agents)
  --decisions <n>   measured decisions for each of a), b) and c) (default 2000)
  --warmup <n>      unmeasured decisions before each of a), b) and c) (default 300)
  --seed <n>        seed of the pseudo-random data (default 1)
  --file <path>     the database file to create (must not exist; kept afterwards); default a file
                    in a new temporary directory, removed at the end unless --keep
  --no-autocheckpoint
                    diagnostic: turn the connection's own WAL auto-checkpoint off for the measurements
                    (production checkpoints in a worker thread and keeps the connection's as a safety net
                    at 10,000 pages); shows how much of the tail is checkpoint I/O
  --keep            keep the temporary directory
  -h, --help        print this help

Target: p99 < 1 ms for each of the decisions a), b), b′), c) (and, shown too, µs per offer of the burst).
Slow decisions are put down to a WAL checkpoint, the kernel preempting the process, or a GC pause,
and c) is shown again without those (c′, c″): a diagnostic, not the target.
Exit code: 0 whether targets pass or fail; 1 if a correctness check failed; 2 for bad usage.`;

const TARGET_US = 1000;
const DESKS: Desk[] = ['front', 'middle', 'back'];

// ---------------------------------------------------------------------------------------------- options

interface Options {
  calls: number;
  agents: number;
  available: number;
  burst: number;
  decisions: number;
  warmup: number;
  seed: number;
  file?: string;
  keep: boolean;
  autocheckpoint: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = benchArgs(argv, USAGE, {
    calls: { type: 'string', default: '5000' },
    agents: { type: 'string', default: '1000' },
    available: { type: 'string', default: '0.2' },
    burst: { type: 'string', default: '1000' },
    decisions: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    file: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-autocheckpoint': { type: 'boolean', default: false },
  });
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const available = Number(values.available);
  if (!(available > 0 && available <= 1)) throw new UsageError(`--available must be a fraction in (0, 1], got ${JSON.stringify(values.available)}`);
  const agents = int('agents', values.agents, 10);
  const burst = int('burst', values.burst, 1);
  if (burst > agents) throw new UsageError(`--burst (${burst}) cannot exceed --agents (${agents})`);
  const file = values.file === undefined ? undefined : path.resolve(values.file);
  if (file && fs.existsSync(file)) throw new UsageError(`--file ${file} already exists; the bench builds a fresh database`);
  return {
    calls: int('calls', values.calls, 10),
    agents,
    available,
    burst,
    decisions: int('decisions', values.decisions, 10),
    warmup: int('warmup', values.warmup, 0),
    seed: int('seed', values.seed, 0),
    file,
    keep: values.keep,
    autocheckpoint: !values['no-autocheckpoint'],
  };
}

// ---------------------------------------------------------------------------------------------- data


const QUEUES: Record<Desk, string[]> = {
  front: ['front-vip', 'front-complaints', 'front-returns', 'front-general'],
  middle: ['middle-orders', 'middle-logistics'],
  back: ['back-finance', 'back-technical'],
};
const CALLER_TYPES = [
  { reason: 'vip', priority: 40, share: 0.05 },
  { reason: 'complaint', priority: 30, share: 0.15 },
  { reason: 'returning', priority: 20, share: 0.4 },
  { reason: 'new', priority: 10, share: 0.4 },
] as const;
/** Where the calls go and where agents sit first: the front desk takes most of them. */
const DESK_SHARE: [Desk, number][] = [
  ['front', 0.6],
  ['middle', 0.25],
  ['back', 0.15],
];
/** Of the agents not available: ringing, on a call, in wrap-up, on a break, offline (shares of the rest). */
const BUSY_STATES = [
  { state: 'reserved', share: 0.06 },
  { state: 'on_call', share: 0.56 },
  { state: 'wrap_up', share: 0.13 },
  { state: 'break', share: 0.13 },
  { state: 'offline', share: 0.12 },
] as const;
const BREAK_REASONS = ['lunch', 'rest', 'training', 'meeting'];

interface AgentModel {
  staffId: number;
  username: string;
  desks: Desk[];
  state: string;
  idleSince: Date | null;
}

interface Population {
  agents: AgentModel[];
  counts: Record<string, number>;
}

const chunked = <T>(rows: T[], size = 400) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** Inserts agents, waiting calls, and the live work of the busy agents, in one transaction. */
function populate(db: Db, o: Options, rng: Rng, now: number): Population {
  const minute = 60_000;
  const settings = new QueueSettingsRepo(db);
  return db.$client.transaction(() => {
    for (const d of DESKS) for (const q of QUEUES[d]) settings.upsert({ ...defaultQueueSettings(q), ...(q === 'front-vip' ? { serviceLevelSeconds: 10, maxWaitSeconds: 300 } : {}) });

    // Agents: exact shares of states, desks drawn by the desks' shares, a quarter also on a second desk.
    const nAvailable = Math.max(1, Math.round(o.agents * o.available));
    const states: string[] = Array.from({ length: nAvailable }, () => 'available');
    const rest = o.agents - nAvailable;
    let given = 0;
    BUSY_STATES.forEach((s, i) => {
      const n = i === BUSY_STATES.length - 1 ? rest - given : Math.round(rest * s.share);
      for (let k = 0; k < n; k++) states.push(s.state);
      given += n;
    });
    rng.shuffle(states);

    const agents: AgentModel[] = [];
    const staffRows: (typeof staff.$inferInsert)[] = [];
    for (let i = 0; i < o.agents; i++) {
      const username = `agent${String(i + 1).padStart(4, '0')}`;
      const first = weighted(rng, DESK_SHARE, (d) => d[1])[0];
      const desks: Desk[] = [first];
      if (rng.next() < 0.25) desks.push(first === 'front' ? rng.pick(['middle', 'back'] as Desk[]) : first === 'middle' ? rng.pick(['front', 'back'] as Desk[]) : 'middle');
      const state = states[i];
      // Free agents became free within the last 30 minutes; the others were last free before their current work.
      const idleSince = state === 'available' ? new Date(now - rng.int(0, 30 * minute)) : new Date(now - rng.int(30 * minute, 4 * 60 * minute));
      agents.push({ staffId: i + 1, username, desks, state, idleSince });
      staffRows.push({ id: i + 1, username, displayName: `Agent ${i + 1}`, role: 'agent', passwordHash: 'bench$not-a-password', active: true, createdAt: new Date(now - 90 * 24 * 60 * minute) });
    }
    for (const rows of chunked(staffRows)) db.insert(staff).values(rows).run();
    for (const rows of chunked(
      agents.map((a) => ({
        staffId: a.staffId,
        state: a.state as (typeof agentPresence.$inferInsert)['state'],
        reason: a.state === 'break' ? rng.pick(BREAK_REASONS) : null,
        since: new Date(now - rng.int(0, 20 * minute)),
        lastHeartbeat: a.state === 'offline' ? new Date(now - rng.int(60, 600) * minute) : new Date(now - rng.int(0, 20_000)),
        idleSince: a.idleSince,
        wrapUpUntil: a.state === 'wrap_up' ? new Date(now + rng.int(1, 30) * 1000) : null,
      })),
    ))
      db.insert(agentPresence).values(rows).run();
    for (const rows of chunked(agents.flatMap((a) => a.desks.map((desk) => ({ staffId: a.staffId, desk, skill: rng.int(1, 5) })))))
      db.insert(agentDesks).values(rows).run();

    // Waiting calls: a caller type (its priority), a desk, a queue of that desk; queued over the last 30 minutes.
    const callRows: (typeof calls.$inferInsert)[] = [];
    const entryRows: (typeof queueEntries.$inferInsert)[] = [];
    const phone = () => `+86139${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    for (let i = 0; i < o.calls; i++) {
      const type = weighted(rng, CALLER_TYPES, (t) => t.share);
      const desk = weighted(rng, DESK_SHARE, (d) => d[1])[0];
      const queue =
        desk !== 'front' ? rng.pick(QUEUES[desk]) : type.reason === 'vip' ? 'front-vip' : type.reason === 'complaint' ? 'front-complaints' : rng.pick(['front-returns', 'front-general']);
      const enqueuedAt = now - rng.int(0, 30 * minute);
      const sid = `CAwait${String(i).padStart(26, '0')}`;
      callRows.push({ sid, direction: 'inbound', from: phone(), to: '+864008008888', status: 'in-progress', startedAt: new Date(enqueuedAt - rng.int(10, 60) * 1000), step: 3 });
      entryRows.push({ callSid: sid, queue, desk, priority: type.priority, reason: type.reason, status: 'waiting', enqueuedAt: new Date(enqueuedAt) });
    }

    // The busy agents' work: on a call (connected, entry bridged), in wrap-up (ended), ringing (offered, the entry reserved).
    const ixRows: (typeof interactions.$inferInsert)[] = [];
    let n = 0;
    for (const a of agents) {
      if (a.state !== 'on_call' && a.state !== 'wrap_up') continue;
      const sid = `CAdone${String(n++).padStart(26, '0')}`;
      const answered = now - rng.int(1, 15) * minute;
      const desk = rng.pick(a.desks);
      callRows.push({ sid, direction: 'inbound', from: phone(), to: '+864008008888', status: a.state === 'on_call' ? 'in-progress' : 'completed', startedAt: new Date(answered - 5 * minute), answeredAt: new Date(answered - 4 * minute), step: 3 });
      entryRows.push({ callSid: sid, queue: rng.pick(QUEUES[desk]), desk, priority: 20, reason: 'returning', status: 'bridged', enqueuedAt: new Date(answered - 3 * minute), endedAt: new Date(answered), waitSeconds: 180 });
      ixRows.push({
        callSid: sid,
        agentId: a.staffId,
        status: a.state === 'on_call' ? 'connected' : 'ended',
        conference: `bench-${sid}`,
        agentCallSid: `CAleg${sid.slice(6)}`,
        offeredAt: new Date(answered - 10_000),
        answeredAt: new Date(answered),
        endedAt: a.state === 'on_call' ? null : new Date(now - rng.int(1, 29) * 1000),
      });
    }
    for (const rows of chunked(callRows)) db.insert(calls).values(rows).run();
    for (const rows of chunked(entryRows)) db.insert(queueEntries).values(rows).run();
    const entryId = new Map(db.$client.prepare('SELECT id, call_sid AS sid FROM queue_entries').all().map((r) => [(r as { sid: string }).sid, (r as { id: number }).id]));
    for (const ix of ixRows) ix.queueEntryId = entryId.get(ix.callSid);

    // Ringing agents were offered the head of one of their desks a moment ago: those entries are reserved, as in production.
    const queue = new QueueEntriesRepo(db);
    for (const a of agents) {
      if (a.state !== 'reserved') continue;
      const head = queue.head(rng.pick(a.desks));
      if (!head) {
        // Fewer calls than ringing agents (a small --calls): this one is on a break instead.
        db.update(agentPresence).set({ state: 'break', reason: 'rest' }).where(eq(agentPresence.staffId, a.staffId)).run();
        a.state = 'break';
        continue;
      }
      if (!queue.reserve(head.id, a.staffId)) throw new Error(`could not reserve a call for ${a.username}`);
      ixRows.push({ callSid: head.callSid, queueEntryId: head.id, agentId: a.staffId, status: 'offered', conference: `bench-${head.callSid}`, agentCallSid: `CAleg${head.id}`, offeredAt: new Date(now - rng.int(0, 14_000)) });
    }
    for (const rows of chunked(ixRows)) db.insert(interactions).values(rows).run();

    const counts: Record<string, number> = {};
    for (const a of agents) counts[a.state] = (counts[a.state] ?? 0) + 1;
    return { agents, counts };
  })();
}

// ---------------------------------------------------------------------------------------------- the model

/** The waiting calls nobody is being offered, best first, per desk and overall. */
function waitingModel(queue: QueueEntriesRepo) {
  const free = queue.waiting().filter((e) => e.reservedBy === null);
  const byDesk = new Map(DESKS.map((d) => [d, free.filter((e) => e.desk === d).sort(compareWaiting)]));
  return { all: [...free].sort(compareWaiting), byDesk, reserved: queue.waiting().length - free.length };
}

/** What Dispatcher.dispatch() must do: repeatedly the best desk head that has an available agent, to that desk's longest-idle agent. */
function simulateBurst(byDesk: Map<Desk, QueueEntry[]>, available: AgentModel[]): { entryId: number; agentId: number }[] {
  const pos = new Map(DESKS.map((d) => [d, 0]));
  const idle = [...available].sort(compareIdle);
  const taken = new Set<number>();
  const out: { entryId: number; agentId: number }[] = [];
  for (;;) {
    const heads = DESKS.map((d) => byDesk.get(d)![pos.get(d)!]).filter((h): h is QueueEntry => !!h).sort(compareWaiting);
    let made = false;
    for (const h of heads) {
      const a = idle.find((x) => !taken.has(x.staffId) && x.desks.includes(h.desk));
      if (!a) continue;
      taken.add(a.staffId);
      pos.set(h.desk, pos.get(h.desk)! + 1);
      out.push({ entryId: h.id, agentId: a.staffId });
      made = true;
      break;
    }
    if (!made) return out;
  }
}

// ---------------------------------------------------------------------------------------------- timing

interface Sample {
  us: number;
  /** performance.now() when the decision started, to match it with GC pauses. */
  at: number;
  /** The WAL was restarted during the decision (a checkpoint, by the worker or the connection, completed). */
  checkpoint?: boolean;
  /** The kernel took the CPU away from the process during the decision (an involuntary context switch). */
  preempted?: boolean;
}

interface Stats {
  name: string;
  samples: Sample[];
  median: number;
  p99: number;
  max: number;
  mean: number;
  /** Process CPU time (user + system) per decision, summed over the measured decisions: less sensitive to other load. */
  cpu: number;
  /** A diagnostic row (some samples left out): no target. */
  diagnostic?: boolean;
}

/** The GC pauses of the run (perf_hooks), to tell which slow decisions overlapped one. */
const gcPauses: { start: number; end: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, end: e.startTime + e.duration });
});

const preemptions = () => process.resourceUsage().involuntaryContextSwitches;

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function stats(name: string, samples: Sample[], cpu: number): Stats {
  const s = samples.map((x) => x.us).sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { name, samples, median: q(0.5), p99: q(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length, cpu: cpu / s.length };
}

/** Why the decisions over the target were slow, as far as this process can tell. */
function tail(r: Stats): string {
  const slow = r.samples.filter((x) => x.us >= TARGET_US);
  const label = r.name.split(' ')[0];
  if (!slow.length) return `${label} none over 1 ms`;
  const gc = (x: Sample) => gcPauses.some((g) => g.start < x.at + x.us / 1000 && g.end > x.at);
  const why = new Map<string, number>();
  for (const x of slow) {
    const k = x.checkpoint ? 'WAL checkpoint in their commit' : x.preempted ? 'preempted (an involuntary context switch)' : gc(x) ? 'overlapped a GC pause' : 'none of these';
    why.set(k, (why.get(k) ?? 0) + 1);
  }
  const parts = [...why].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
  return `${label} ${slow.length} of ${r.samples.length} over 1 ms: ${parts.join(', ')}`;
}

const elapsedUs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1000;

/** The WAL header's checkpoint sequence number: it grows each time a writer restarts the WAL after a checkpoint. */
function walResets(file: string): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`${file}-wal`, 'r');
    const b = Buffer.alloc(16);
    return fs.readSync(fd, b, 0, 16, 0) === 16 ? b.readUInt32BE(12) : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** The plan SQLite chose for a repository's prepared statement, with placeholders bound. */
function queryPlan(db: Db, prepared: { getQuery(): { sql: string; params: unknown[] } }, values: Record<string, unknown>): string[] {
  const q = prepared.getQuery();
  const rows = db.$client.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(fillPlaceholders(q.params, values) as unknown[])) as { detail: string }[];
  return rows.map((r) => r.detail);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }

  const tmp = o.file ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-routing-'));
  const file = o.file ?? path.join(tmp!, 'hotline.sqlite');
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) problems.push(what);
  };
  const rng = prng(o.seed);
  let db: Db | undefined;

  try {
    const cpus = os.cpus();
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`Routing benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average ${load} (other work on the machine shows in the tails)`);
    let t = process.hrtime.bigint();
    db = openDatabase(file);
    const sqliteVersion = (db.$client.prepare('select sqlite_version() AS v').get() as { v: string }).v;
    const journal = db.$client.pragma('journal_mode', { simple: true });
    const now = Date.now();
    const pop = populate(db, o, rng, now);
    // No ANALYZE (production databases have no sqlite_stat1 either): the plans below are the ones production gets.
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    if (!o.autocheckpoint) db.$client.pragma('wal_autocheckpoint = 0');
    console.log(
      `  SQLite ${sqliteVersion}, journal_mode ${journal}, synchronous NORMAL, WAL checkpoints ${o.autocheckpoint ? 'as in production (worker thread, connection at 10,000 pages)' : 'connection auto-checkpoint OFF (--no-autocheckpoint)'}; file ${file}`,
    );
    console.log(
      `  setup (not measured) ${(elapsedUs(t) / 1e6).toFixed(1)} s: ${o.agents} agents (${Object.entries(pop.counts).map(([s, n]) => `${n} ${s}`).join(', ')}), ` +
        `${o.calls} waiting calls; seed ${o.seed}`,
    );
    const deskCount = (d: Desk) => pop.agents.filter((a) => a.desks.includes(d)).length;
    const onTwo = pop.agents.filter((a) => a.desks.length > 1).length;
    console.log(`  agents per desk: ${DESKS.map((d) => `${d} ${deskCount(d)}`).join(', ')} (${onTwo} on two desks)`);

    // Wired as src/hotline.ts wires it; the carrier is a fake that answers at once.
    const transact = transactor(db);
    const clock = { now: () => new Date() };
    const log = createLogger('error');
    const events = new EventBus((err, e) => log.error('event listener failed', { event: e.type, err: String(err) }));
    const queue = new QueueEntriesRepo(db);
    const presenceRepo = new PresenceRepo(db);
    const interactionsRepo = new InteractionsRepo(db);
    const presenceService = new PresenceService({ presence: presenceRepo, transact, clock, events });
    const carrier: AcdCarrier = {
      ringAgent: async (r) => `CAbench${String(r.interactionId).padStart(25, '0')}`,
      connectCaller: async () => {},
      endAgentLeg: async () => {},
    };
    const dispatcher = new Dispatcher({
      queue,
      presence: presenceRepo,
      presenceService,
      interactions: interactionsRepo,
      calls: new CallsRepo(db),
      rules: new QueueSettingsRepo(db),
      transact,
      clock,
      events,
      carrier,
      identity: (username) => agentIdentity({ username }),
      log: log.child({ component: 'acd' }),
    });

    const waiting = waitingModel(queue);
    const byId = new Map(pop.agents.map((a) => [a.staffId, a]));
    const headOf = new Map(DESKS.map((d) => [d, waiting.byDesk.get(d)![0]]));
    const available = pop.agents.filter((a) => a.state === 'available');
    const longestOf = new Map(DESKS.map((d) => [d, [...available].sort(compareIdle).find((a) => a.desks.includes(d))]));
    const expectedBest = (agentId: number) => bestCall(byId.get(agentId)!.desks.map((d) => headOf.get(d)));
    console.log(
      `  waiting: ${DESKS.map((d) => `${d} ${waiting.byDesk.get(d)!.length}`).join(', ')} not ringing anyone, ${waiting.reserved} ringing an agent (reserved)`,
    );

    console.log('\nQuery plans of the prepared routing queries (EXPLAIN QUERY PLAN):');
    console.log('  QueueEntriesRepo head(desk):');
    for (const line of queryPlan(db, queue['headQuery'], { desk: 'front' })) console.log(`    ${line}`);
    for (const desk of DESKS) {
      console.log(`  PresenceRepo longestIdleOnDesk('${desk}'):`);
      for (const line of presenceRepo.explainAvailable(desk)) console.log(`    ${line}`);
    }

    const results: Stats[] = [];
    const measure = (name: string, fn: (i: number) => void) => {
      for (let i = 0; i < o.warmup; i++) fn(-1);
      const samples: Sample[] = new Array(o.decisions);
      let cpu = 0;
      for (let i = 0; i < o.decisions; i++) {
        const n0 = preemptions();
        const c0 = cpuUs();
        const at = performance.now();
        const t0 = process.hrtime.bigint();
        fn(i);
        const us = elapsedUs(t0);
        cpu += cpuUs() - c0;
        samples[i] = { us, at, preempted: preemptions() !== n0 };
      }
      results.push(stats(name, samples, cpu));
    };
    gcObserver.observe({ entryTypes: ['gc'] });
    /** In WAL mode only a checkpoint writes the database file itself. */
    const dbWritten = () => fs.statSync(file, { bigint: true }).mtimeNs;

    // a) The best call for an agent who just became available (any agent: their desks decide).
    console.log(`\nMeasuring ${o.decisions} decisions of each kind after ${o.warmup} unmeasured ones…`);
    const allIds = pop.agents.map((a) => a.staffId);
    let wrongBest = 0;
    {
      const picks = Array.from({ length: o.decisions + o.warmup }, () => rng.pick(allIds));
      const got: (number | undefined)[] = new Array(o.decisions);
      let w = 0;
      measure('a) best call for an agent who became available: bestCallFor(agent)', (i) => {
        const r = dispatcher.bestCallFor(picks[i < 0 ? w++ : o.warmup + i]);
        if (i >= 0) got[i] = r?.id;
      });
      got.forEach((id, i) => {
        if (id !== expectedBest(picks[o.warmup + i])?.id) wrongBest++;
      });
    }

    // b) The longest-idle available agent of a desk, for a call just queued there.
    let wrongIdle = 0;
    {
      const picks = Array.from({ length: o.decisions + o.warmup }, () => rng.pick(DESKS));
      const got: (number | undefined)[] = new Array(o.decisions);
      let w = 0;
      measure('b) longest-idle agent for a new call: longestIdleOnDesk(desk)', (i) => {
        const r = presenceRepo.longestIdleOnDesk(picks[i < 0 ? w++ : o.warmup + i]);
        if (i >= 0) got[i] = r?.staffId;
      });
      got.forEach((id, i) => {
        if (id !== longestOf.get(picks[o.warmup + i])?.staffId) wrongIdle++;
      });
    }

    // b′) The worst case of b): a desk none of whose agents is free, so the walk in idle order visits every available agent.
    let wrongNone = 0;
    {
      const desk: Desk = 'back';
      const sql = db.$client;
      const onDesk = available.filter((a) => a.desks.includes(desk)).map((a) => a.staffId);
      const setState = sql.prepare('UPDATE agent_presence SET state = ? WHERE staff_id = ?');
      transact(() => onDesk.forEach((id) => setState.run('break', id)));
      const walked = available.length - onDesk.length;
      measure(`b′) the same for a desk with no free agent (walks all ${walked} available)`, () => {
        if (presenceRepo.longestIdleOnDesk(desk)) wrongNone++;
      });
      transact(() => onDesk.forEach((id) => setState.run('available', id)));
    }

    // c) One whole offer: exactly one agent available, one dispatch(); undone (not measured) before the next.
    let wrongOffer = 0;
    {
      const sql = db.$client;
      const toBreak = sql.prepare("UPDATE agent_presence SET state = 'break', reason = 'bench', since = ? WHERE state = 'available'");
      const makeAvailable = sql.prepare("UPDATE agent_presence SET state = 'available', reason = NULL, since = ?, idle_since = ?, last_heartbeat = ? WHERE staff_id = ?");
      const live = sql.prepare("SELECT id, queue_entry_id AS entryId FROM interactions WHERE agent_id = ? AND status = 'offered'");
      const withdraw = sql.prepare("UPDATE interactions SET status = 'withdrawn', ended_at = ? WHERE id = ?");
      const release = sql.prepare('UPDATE queue_entries SET reserved_by = NULL WHERE id = ?');
      const back = sql.prepare("UPDATE agent_presence SET state = 'break', reason = 'bench' WHERE staff_id = ?");
      toBreak.run(Date.now());
      const pool = available.map((a) => a.staffId);
      const picks = Array.from({ length: o.decisions + o.warmup }, () => rng.pick(pool));
      const samples: Sample[] = [];
      let cpu = 0;
      for (let k = 0; k < picks.length; k++) {
        const agentId = picks[k];
        const now = Date.now();
        makeAvailable.run(now, now, now, agentId);
        const written = dbWritten();
        const n0 = preemptions();
        const c0 = cpuUs();
        const at = performance.now();
        const t0 = process.hrtime.bigint();
        const offers = dispatcher.dispatch();
        const took = elapsedUs(t0);
        const c1 = cpuUs();
        const preempted = preemptions() !== n0;
        const checkpoint = dbWritten() !== written;
        const ix = live.get(agentId) as { id: number; entryId: number } | undefined;
        const expected = expectedBest(agentId);
        if (offers !== (expected ? 1 : 0) || ix?.entryId !== expected?.id) wrongOffer++;
        await dispatcher.idle();
        transact(() => {
          if (ix) {
            withdraw.run(Date.now(), ix.id);
            release.run(ix.entryId);
          }
          back.run(agentId);
        });
        if (k >= o.warmup) {
          samples.push({ us: took, at, checkpoint, preempted });
          cpu += c1 - c0;
        }
      }
      results.push(stats('c) one offer decision: dispatch() with 1 agent available', samples, cpu));
      // Diagnostics (no target): without the decisions whose commit ran a checkpoint, and without those preempted too.
      const noCkpt = samples.filter((x) => !x.checkpoint);
      const own = noCkpt.filter((x) => !x.preempted);
      if (noCkpt.length && noCkpt.length < samples.length)
        results.push({ ...stats(`c′) = c) without the ${samples.length - noCkpt.length} whose commit ran a WAL checkpoint`, noCkpt, 0), cpu: NaN, diagnostic: true });
      if (own.length && own.length < noCkpt.length) results.push({ ...stats(`c″) = c′) without the ${noCkpt.length - own.length} preempted by the kernel`, own, 0), cpu: NaN, diagnostic: true });
    }

    const rows = [['decision', 'samples', 'median µs', 'p99 µs', 'max µs', 'mean µs', 'cpu µs']];
    for (const r of results) rows.push([r.name, String(r.samples.length), r.median.toFixed(1), r.p99.toFixed(1), r.max.toFixed(1), r.mean.toFixed(1), Number.isNaN(r.cpu) ? '' : r.cpu.toFixed(1)]);
    console.log(`\n${table(rows)}`);
    console.log(
      [
        '',
        'each figure: one call timed with process.hrtime.bigint() in this process (no HTTP, no carrier);',
        "cpu µs: this process's CPU time (user + system) per decision, averaged: what the decision costs in CPU",
        '   (wall-clock tails also hold time spent waiting for a CPU on a shared machine, GC pauses, WAL checkpoints)',
        'c) includes the offer transaction (reserve the entry, insert the interaction, agent to reserved, state log),',
        '   publishing its events, starting the fake ring, and the second look that finds nothing more to offer',
        "c′, c″: the same samples as c) with some left out, to show where the tail comes from (no target; the target is c)'s)",
      ].join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // the GC entries arrive asynchronously
    console.log(`\nDecisions over 1 ms (GC pauses seen: ${gcPauses.length}, ${gcPauses.reduce((a, g) => a + g.end - g.start, 0).toFixed(0)} ms in all):`);
    for (const r of results.filter((x) => !x.diagnostic)) console.log(`  ${tail(r)}`);

    // d) The burst: end the busy agents' work, make --burst agents available at once, time one dispatch().
    console.log(`\nBurst: the busy agents' calls ended, ${o.burst} agents made available at once, one dispatch() timed`);
    {
      const sql = db.$client;
      const at = Date.now();
      const burstIds = new Set(rng.shuffle([...allIds]).slice(0, o.burst));
      const burstAgents: AgentModel[] = [];
      transact(() => {
        sql.prepare("UPDATE interactions SET status = 'ended', ended_at = ? WHERE status = 'connected'").run(at);
        sql.prepare("UPDATE interactions SET status = 'withdrawn', ended_at = ? WHERE status = 'offered'").run(at);
        sql.prepare("UPDATE queue_entries SET reserved_by = NULL WHERE status = 'waiting' AND reserved_by IS NOT NULL").run();
        const free = sql.prepare("UPDATE agent_presence SET state = 'available', reason = NULL, next_state = NULL, since = ?, idle_since = ?, wrap_up_until = NULL, last_heartbeat = ? WHERE staff_id = ?");
        const away = sql.prepare("UPDATE agent_presence SET state = 'break', reason = 'bench', next_state = NULL, since = ?, wrap_up_until = NULL WHERE staff_id = ?");
        for (const a of pop.agents) {
          if (!burstIds.has(a.staffId)) {
            away.run(at, a.staffId);
            continue;
          }
          // Idle over the last 30 minutes; a few never idle yet today (null: they count as idle since forever).
          const idleSince = rng.next() < 0.02 ? null : at - rng.int(0, 30 * 60_000);
          free.run(at, idleSince, at, a.staffId);
          burstAgents.push({ ...a, state: 'available', idleSince: idleSince === null ? null : new Date(idleSince) });
        }
      });
      const before = waitingModel(queue);
      const expected = simulateBurst(before.byDesk, burstAgents);
      const firstIx = ((sql.prepare('SELECT max(id) AS id FROM interactions').get() as { id: number | null }).id ?? 0) + 1;

      const resets0 = walResets(file);
      const gcs0 = gcPauses.length;
      const c0 = cpuUs();
      const t0 = process.hrtime.bigint();
      const offers = dispatcher.dispatch();
      const totalUs = elapsedUs(t0);
      const burstCpu = cpuUs() - c0;
      const resets = walResets(file) - resets0;
      const t1 = process.hrtime.bigint();
      await dispatcher.idle();
      const settleUs = elapsedUs(t1);

      const brows = [
        ['burst', 'agents available', 'calls waiting', 'offers', 'total ms', 'µs per offer', 'cpu µs per offer'],
        [
          'd) one dispatch() of a burst',
          String(burstAgents.length),
          String(before.all.length),
          String(offers),
          (totalUs / 1000).toFixed(1),
          (totalUs / Math.max(1, offers)).toFixed(1),
          (burstCpu / Math.max(1, offers)).toFixed(1),
        ],
      ];
      console.log(table(brows));
      console.log(
        [
          '',
          'each offer is its own transaction (reserve the entry, insert the interaction, agent to reserved, state log);',
          `the fake carrier's ringAgent resolves at once (not measured: its ${offers} promises settled ${(settleUs / 1000).toFixed(1)} ms after dispatch() returned)`,
        ].join('\n'),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const burstGc = gcPauses.slice(gcs0);
      console.log(
        `during the burst: about ${resets} WAL auto-checkpoints (the WAL was restarted ${resets} times), ` +
          `${burstGc.length} GC pauses (${burstGc.reduce((a, g) => a + g.end - g.start, 0).toFixed(1)} ms)`,
      );

      console.log('\nChecks:');
      check(wrongBest === 0, `a) bestCallFor matched the model's best call for all ${o.decisions} agents${wrongBest ? ` (${wrongBest} did not)` : ''}`);
      check(wrongIdle === 0, `b) longestIdleOnDesk matched the model's longest-idle agent for all ${o.decisions} desks${wrongIdle ? ` (${wrongIdle} did not)` : ''}`);
      check(wrongNone === 0, `b′) longestIdleOnDesk found nobody on a desk with no free agent${wrongNone ? ` (found someone ${wrongNone} times)` : ''}`);
      check(wrongOffer === 0, `c) each dispatch() offered the agent their best call, and only that (${o.decisions + o.warmup} dispatches${wrongOffer ? `, ${wrongOffer} wrong` : ''})`);

      const made = sql
        .prepare('SELECT i.id, i.agent_id AS agentId, i.call_sid AS callSid, i.queue_entry_id AS entryId, i.status, q.reserved_by AS reservedBy, p.state FROM interactions i JOIN queue_entries q ON q.id = i.queue_entry_id JOIN agent_presence p ON p.staff_id = i.agent_id WHERE i.id >= ? ORDER BY i.id')
        .all(firstIx) as { id: number; agentId: number; callSid: string; entryId: number; status: string; reservedBy: number | null; state: string }[];
      const twoLiveAgents = sql.prepare("SELECT agent_id FROM interactions WHERE status IN ('offered', 'connected') GROUP BY agent_id HAVING count(*) > 1").all().length;
      const twoLiveCalls = sql.prepare("SELECT call_sid FROM interactions WHERE status IN ('offered', 'connected') GROUP BY call_sid HAVING count(*) > 1").all().length;
      const offeredTwice = sql.prepare('SELECT call_sid FROM interactions WHERE id >= ? GROUP BY call_sid HAVING count(*) > 1').all(firstIx).length;
      check(offers === made.length && offers === expected.length, `offers: dispatch() returned ${offers}, the interactions table has ${made.length} new, the model expects ${expected.length}`);
      check(twoLiveAgents === 0, `no agent has two live interactions (${twoLiveAgents} have)`);
      check(offeredTwice === 0 && twoLiveCalls === 0, `no call was offered twice in the burst (${offeredTwice}), none has two live interactions (${twoLiveCalls})`);
      const inconsistent = made.filter((m) => m.status !== 'offered' || m.reservedBy !== m.agentId || m.state !== 'reserved').length;
      check(inconsistent === 0, `every offer: interaction offered, its queue entry reserved by that agent, the agent reserved (${inconsistent} not)`);
      const firstDiff = expected.findIndex((e, i) => made[i]?.entryId !== e.entryId || made[i]?.agentId !== e.agentId);
      check(firstDiff < 0, `every offer in the model's order: best desk head with an agent, to that desk's longest-idle agent${firstDiff < 0 ? '' : ` (first difference at offer ${firstDiff + 1})`}`);
      let inGlobalOrder = 0;
      while (inGlobalOrder < made.length && made[inGlobalOrder].entryId === before.all[inGlobalOrder]?.id) inGlobalOrder++;
      const entryById = new Map(before.all.map((e) => [e.id, e]));
      const ends = (n: number) => made.slice(0, n).map((m) => entryById.get(m.entryId)!);
      const prioCounts = (es: QueueEntry[]) => [40, 30, 20, 10].map((p) => `${p}:${es.filter((e) => e.priority === p).length}`).join(' ');
      check(
        made.length > 0 && inGlobalOrder >= Math.min(10, made.length),
        `the first offers went to the highest-priority, longest-waiting calls: the first ${inGlobalOrder} offers are exactly the ${inGlobalOrder} best waiting calls in order` +
          (inGlobalOrder < made.length && firstDiff < 0 ? ' (after that a desk had no agent left for its head, as the rules allow)' : ''),
      );
      console.log(`       priorities of all ${made.length} offers ${prioCounts(ends(made.length))}; of the calls waiting ${prioCounts(before.all)}`);
      for (const [i, e] of ends(5).entries()) {
        const a = byId.get(made[i].agentId)!;
        const ag = burstAgents.find((b) => b.staffId === a.staffId)!;
        console.log(
          `       offer ${i + 1}: ${e.queue} priority ${e.priority} waiting ${Math.round((at - e.enqueuedAt.getTime()) / 1000)} s → ${a.username} ` +
            `(${a.desks.join('+')}, idle ${ag.idleSince ? `${Math.round((at - ag.idleSince.getTime()) / 1000)} s` : 'since forever'})`,
        );
      }

      console.log('\nTargets:');
      for (const r of results.filter((x) => !x.diagnostic)) console.log(`  ${r.p99 < TARGET_US ? 'PASS' : 'FAIL'}  decision p99 < 1 ms: ${r.name.split(':')[0]} p99 ${r.p99.toFixed(1)} µs`);
      const perOffer = totalUs / Math.max(1, offers);
      console.log(`  ${perOffer < TARGET_US ? 'PASS' : 'FAIL'}  burst per offer < 1 ms: d) ${offers} offers in ${(totalUs / 1000).toFixed(1)} ms, ${perOffer.toFixed(1)} µs per offer`);
    }

    if (problems.length) {
      console.log(`\nCORRECTNESS CHECK FAILED (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error('\nBENCH FAILED:', err);
    return 1;
  } finally {
    db?.$client.close();
    if (tmp && !o.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`\nKept ${file}`);
  }
}

process.exitCode = await main();
