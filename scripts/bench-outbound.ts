// Benchmarks the outbound half on a large fresh SQLite file: picking the next callback for a freed agent
// (CallbackRequestsRepo.nextFor) with a long, changing list; prints percentiles and the pick statements' query plans.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { CALLBACK_TYPES, agentDesks, doNotCall, staff, type CallbackType } from '../src/db/schema/index';
import { CallbackRequestsRepo, type AttemptResult } from '../src/outbound/callback-requests.repo';
import { prng, weighted } from './bench/seeded';

const USAGE = `Usage: npm run bench:outbound -- [options]

Builds a fresh SQLite file (migrated by openDatabase, WAL like production) holding --items callbacks
(types need_info/middle, rma_status/back, and ivr, queue, work_order/front; priorities 10-40; due
times spread over ±2 days; customers in Asia/Shanghai, Asia/Urumqi, America/Los_Angeles,
Europe/London and Australia/Sydney; a tenth owned by one agent) added through CallbackRequestsRepo.add,
then puts --dnc of the numbers on the do-not-call list (so picks meet them and close them), and
--agents middle/back agents (a third also on the front desk). Then, after a warm-up, times
--picks calls of nextFor(agent, desks, now) for a random freed agent with process.hrtime.bigint();
each picked item is reserved and then reached (closed), retried (busy: backoff) or released,
so the list keeps changing; the clock moves 200 ms per pick. Before the warm-up, 2,000 picks move
the backlog of past-due items whose window has closed since (reported). Prints wall-clock
and process-CPU percentiles, and the EXPLAIN QUERY PLAN of the pick statements.

Options:
  --items <n>      callbacks on the list (default 100000)
  --agents <n>     agents (default 200)
  --picks <n>      measured picks (default 10000)
  --warmup <n>     unmeasured picks first (default 500)
  --dnc <f>        fraction of numbers on the do-not-call list (default 0.01)
  --preview <type> diagnostic: dial this type in preview mode (filtered out of the picks in SQL)
  --typed-index    diagnostic: create the index (status, desk, owner_id, source, priority desc,
                   eligible_at) in the bench file (a migration would), which makes a preview type's
                   filter seeks instead of a walk over its items
  --seed <n>       seed of the pseudo-random data (default 1)
  --file <path>    the database file to create (must not exist; kept); default a temporary one
  --keep           keep the temporary directory
  -h, --help       print this help

Target: nextFor p99 < 1 ms.`;

const TARGET_MS = 1;
const TIME_ZONES = [
  { tz: 'Asia/Shanghai', share: 0.6 },
  { tz: 'Asia/Urumqi', share: 0.1 },
  { tz: 'America/Los_Angeles', share: 0.1 },
  { tz: 'Europe/London', share: 0.1 },
  { tz: 'Australia/Sydney', share: 0.1 },
] as const;
const TYPES: readonly { type: CallbackType; desk: 'front' | 'middle' | 'back'; share: number }[] = [
  { type: 'need_info', desk: 'middle', share: 0.35 },
  { type: 'rma_status', desk: 'back', share: 0.35 },
  { type: 'ivr', desk: 'front', share: 0.1 },
  { type: 'queue', desk: 'front', share: 0.1 },
  { type: 'work_order', desk: 'front', share: 0.1 },
];
const PRIORITY = [
  { p: 10, share: 0.5 },
  { p: 20, share: 0.3 },
  { p: 30, share: 0.12 },
  { p: 40, share: 0.08 },
];

function main(): void {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '100000' },
      agents: { type: 'string', default: '200' },
      picks: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '500' },
      dnc: { type: 'string', default: '0.01' },
      preview: { type: 'string' },
      'typed-index': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      file: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const items = Number(values.items);
  const agentCount = Number(values.agents);
  const picks = Number(values.picks);
  const warmup = Number(values.warmup);
  const dncShare = Number(values.dnc);
  const preview = values.preview as CallbackType | undefined;
  if (preview && !CALLBACK_TYPES.includes(preview)) throw new Error(`--preview must be one of ${CALLBACK_TYPES.join(', ')}`);
  for (const [name, v] of Object.entries({ items, agentCount, picks, warmup, dncShare })) if (!Number.isFinite(v) || v < 0) throw new Error(`bad --${name}`);

  const tmp = values.file ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-outbound-'));
  const file = values.file ?? path.join(tmp!, 'bench.sqlite');
  if (fs.existsSync(file)) throw new Error(`${file} exists: give a new file`);
  const db = openDatabase(file);
  const rng = prng(Number(values.seed));
  const repo = new CallbackRequestsRepo(db, { timeZone: 'Asia/Shanghai' });
  const transact = transactor(db);
  // 14:00 in Shanghai, 12:00 in Urumqi, 17:00 in Sydney; 06:00 in London and 22:00 in Los Angeles (outside 09-21).
  let now = new Date('2026-11-30T06:00:00Z');

  try {
    console.log(`building: ${agentCount} agents, ${items} callbacks, ${(dncShare * 100).toFixed(1)}% of numbers do-not-call → ${file}`);
    const built = process.hrtime.bigint();
    const agents = transact(() =>
      Array.from({ length: agentCount }, (_, i) => {
        const id = db
          .insert(staff)
          .values({ username: `bench-agent-${i}`, displayName: `Agent ${i}`, role: 'agent', passwordHash: 'x', createdAt: now })
          .returning({ id: staff.id })
          .get().id;
        const desks: ('front' | 'middle' | 'back')[] = i % 2 === 0 ? ['middle'] : ['back'];
        if (i % 5 === 0) desks.push(i % 2 === 0 ? 'back' : 'middle');
        if (i % 3 === 0) desks.push('front');
        db.insert(agentDesks)
          .values(desks.map((desk) => ({ staffId: id, desk, skill: 3 })))
          .run();
        return { id, desks };
      }),
    );
    const phones: string[] = [];
    transact(() => {
      for (let i = 0; i < items; i++) {
        const t = weighted(rng, TYPES, (x) => x.share);
        const phone = `+86139${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
        phones.push(phone);
        const owners = agents.filter((a) => a.desks.includes(t.desk));
        const due = new Date(now.getTime() + rng.int(-2 * 86_400, 2 * 86_400) * 1000);
        repo.add({
          phone,
          desk: t.desk,
          source: t.type,
          reason: `bench ${t.type}`,
          priority: weighted(rng, PRIORITY, (x) => x.share).p,
          requestedAt: due.getTime() < now.getTime() ? due : now,
          dueAt: due,
          timeZone: weighted(rng, TIME_ZONES, (x) => x.share).tz,
          queueSeconds: t.type === 'queue' ? rng.int(30, 900) : 0,
          ownerId: rng.next() < 0.1 && owners.length ? rng.pick(owners).id : null,
        });
      }
      const blocked = new Set<string>();
      while (blocked.size < Math.round(phones.length * dncShare)) blocked.add(rng.pick(phones));
      for (const phone of blocked) db.insert(doNotCall).values({ phone, reason: 'bench', addedAt: now }).onConflictDoNothing().run();
    });
    if (preview) repo.saveSetting(preview, { mode: 'preview' }, now);
    if (values['typed-index']) db.$client.exec('CREATE INDEX callback_requests_typed ON callback_requests (status, desk, owner_id, source, priority DESC, eligible_at)');
    db.$client.exec('ANALYZE');
    console.log(`built in ${(Number(process.hrtime.bigint() - built) / 1e9).toFixed(1)} s${preview ? `; ${preview} in preview mode` : ''}\n`);

    const outcomes: AttemptResult[] = ['busy', 'no-answer', 'machine'];
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    /** Picks that also wrote (moved items whose window had closed, closed a do-not-call number), and the others. */
    const writing: number[] = [];
    const readOnly: number[] = [];
    const totalChanges = db.$client.prepare('SELECT total_changes()').pluck();
    let found = 0;
    const pickOnce = (measure: boolean): number => {
      const agent = rng.pick(agents);
      const changes = totalChanges.get() as number;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const item = repo.nextFor(agent.id, agent.desks, now);
      const t1 = process.hrtime.bigint();
      const c1 = process.cpuUsage(c0);
      const wrote = (totalChanges.get() as number) - changes;
      if (measure) {
        samples.push(Number(t1 - t0) / 1e6);
        cpuSamples.push((c1.user + c1.system) / 1000);
        (wrote ? writing : readOnly).push(Number(t1 - t0) / 1e6);
      }
      if (item) {
        if (measure) found++;
        if (!repo.reserve(item.id, agent.id, now)) throw new Error(`item ${item.id} could not be reserved`);
        const r = rng.next();
        if (r < 0.5) repo.close(item.id, 'reached', now);
        else if (r < 0.8) repo.attemptFinished(item.id, rng.pick(outcomes), now);
        else repo.release(item.id, now);
      }
      now = new Date(now.getTime() + 200);
      return wrote;
    };
    // The list was built in one go, so every item due in the past whose customer's window has closed since (London and
    // Los Angeles now) is still in line: a live list moves those as each window closes. Catch up first, and say so.
    const caught = process.hrtime.bigint();
    const catchUp = 2000;
    let moved = 0;
    for (let i = 0; i < catchUp; i++) moved += pickOnce(false);
    console.log(`catch-up: ${catchUp} picks moved or closed ${moved} items (windows closed since they were due) in ${(Number(process.hrtime.bigint() - caught) / 1e6).toFixed(0)} ms`);
    for (let i = 0; i < warmup; i++) pickOnce(false);
    for (let i = 0; i < picks; i++) pickOnce(true);

    const quantiles = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
      return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
    };
    const wall = quantiles(samples);
    const cpu = quantiles(cpuSamples);
    const line = (x: ReturnType<typeof quantiles>) => `p50 ${x.p50.toFixed(3)} ms   p95 ${x.p95.toFixed(3)} ms   p99 ${x.p99.toFixed(3)} ms   max ${x.max.toFixed(3)} ms`;
    console.log(`nextFor for a freed agent: ${samples.length} picks (${found} found an item), ${items} items, ${agentCount} agents, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(`  wall clock:   ${line(wall)}`);
    // CPU time of the process during the pick: what the pick costs, without the time other processes held the CPU.
    console.log(`  process CPU:  ${line(cpu)}`);
    console.log(`  the ${readOnly.length} picks that only read: ${line(quantiles(readOnly))}`);
    console.log(`  ${writing.length} of the picks also wrote (an item whose window closed moved on, a do-not-call number closed)${writing.length ? `: ${line(quantiles(writing))}` : ''}`);
    console.log(`  ${wall.p99 < TARGET_MS ? 'PASS' : 'FAIL'}  wall-clock p99 < ${TARGET_MS} ms${wall.p99 >= TARGET_MS && cpu.p99 < TARGET_MS ? ' (CPU p99 is under it: the machine is busy with other work)' : ''}\n`);

    console.log('EXPLAIN QUERY PLAN of the pick statements:');
    for (const e of repo.explainPicks()) console.log(`  ${e.statement}: ${e.plan.join(' | ')}`);

    // IMPORT BENCH: lead merges H1's runImportBench() here (scripts/bench-import.ts), e.g.
    //   const imported = await runImportBench({ rows: 100_000 }); console.log(...rows/s..., target 20,000 rows/s)
  } finally {
    db.$client.close();
    if (tmp && !values.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`\nkept ${file}`);
  }
}

main();
