// bench:reports: seeds a month of a center's event logs (calls, queue entries, interactions, agent states, work
// orders, callbacks, evaluations) into a temp SQLite file, rolls the month up as the bull job does, and times a month's
// contact-center report (p50/p99) by group and interval, with the open interval computed live.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../src/db/client';
import { mulberry32 } from '../src/db/seed/mulberry32';
import { ContactCenterRepo } from '../src/reports/contact-center.repo';
import { ContactCenterReports } from '../src/reports/contact-center-report.service';
import { ReportRollup } from '../src/reports/report-rollup';
import type { ReportDimension } from '../src/db/schema/reports';
import type { ReportInterval } from '../src/reports/report-intervals';
import { percentile } from './bench/harness';

const HELP = `npm run bench:reports -- [--days 30] [--agents 40] [--runs 40] [--keep]

Seeds --days of events for --agents agents (each works a 9-hour shift a day, answering calls back to back with short
gaps; about 8% of callers abandon, half of them within 5 s), rolls them up, and times a month's report through the
report service (JSON included) for each group at day and hour grain, and 15-minute grain by queue.
Prints the seeding and rollup times, then p50/p99 per report. --keep leaves the database file for a look.`;

const TZ = 'Asia/Shanghai';
const QUEUES = ['front-general', 'front-vip', 'front-complaints', 'front-returns'] as const;

async function main() {
  const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, agents: { type: 'string', default: '40' }, runs: { type: 'string', default: '40' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) return void console.log(HELP);
  const days = Number(values.days);
  const agents = Number(values.agents);
  const runs = Number(values.runs);
  if (![days, agents, runs].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--days, --agents and --runs must be positive whole numbers');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
  const db = openDatabase(path.join(dir, 'hotline.db'));
  const sqlite = db.$client;
  const random = mulberry32(20261101);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const firstDay = Date.parse('2026-11-01T00:00:00+08:00');

  const seedStarted = performance.now();
  const counts = { calls: 0, states: 0, workOrders: 0, callbacks: 0, evaluations: 0 };
  sqlite.transaction(() => {
    const now = Date.now();
    for (let t = 0; t < Math.ceil(agents / 10); t++) sqlite.prepare('insert into teams (name) values (?)').run(`team ${t + 1}`);
    const addStaff = sqlite.prepare("insert into staff (username, display_name, role, team_id, password_hash, created_at) values (?, ?, ?, ?, 'x', ?)");
    for (let a = 1; a <= agents; a++) addStaff.run(`agent${a}`, `Agent ${a}`, 'agent', Math.ceil(a / 10), now);
    addStaff.run('qc', 'QC', 'quality_controller', null, now);
    for (const q of QUEUES) sqlite.prepare("insert into queue_settings (name, desk) values (?, 'front')").run(q);
    sqlite.prepare("insert into scorecards (name, created_at) values ('bench', ?)").run(now);
    sqlite.prepare("insert into scorecard_versions (scorecard_id, version, definition, created_at) values (1, 1, '{}', ?)").run(now);
  })();
  const qc = agents + 1;

  const call = sqlite.prepare("insert into calls (sid, direction, from_number, to_number, status, started_at, answered_at, ended_at) values (?, 'inbound', ?, '+864001234567', 'completed', ?, ?, ?)");
  const entry = sqlite.prepare("insert into queue_entries (call_sid, queue, desk, priority, status, enqueued_at, ended_at, wait_seconds) values (?, ?, 'front', 10, ?, ?, ?, ?)");
  const interaction = sqlite.prepare("insert into interactions (call_sid, queue_entry_id, agent_id, status, conference, offered_at, answered_at, ended_at) values (?, ?, ?, 'ended', ?, ?, ?, ?)");
  const state = sqlite.prepare('insert into agent_state_log (staff_id, from_state, to_state, at) values (?, ?, ?, ?)');
  const workOrder = sqlite.prepare("insert into work_orders (number, call_sid, agent_id, category, description, status, created_at, updated_at) values (?, ?, ?, ?, 'bench', 'open', ?, ?)");
  const callback = sqlite.prepare("insert into callback_requests (call_sid, phone, desk, reason, requested_at, status, outcome, closed_at) values (?, ?, 'front', 'queue', ?, ?, ?, ?)");
  const attempt = sqlite.prepare("insert into callback_attempts (callback_id, agent_id, state, result, created_at, dialed_at) values (?, ?, 'ended', ?, ?, ?)");
  const recording = sqlite.prepare("insert into recordings (recording_sid, call_sid, interaction_id, agent_id, team_id, desk, direction, started_at, status) values (?, ?, ?, ?, ?, 'front', 'inbound', ?, 'stored')");
  const evaluation = sqlite.prepare("insert into evaluations (recording_id, scorecard_version_id, evaluator_id, agent_id, status, score, created_at, submitted_at) values (?, 1, ?, ?, 'submitted', ?, ?, ?)");

  let n = 0;
  const sid = () => `CA${String(++n).padStart(32, '0')}`;
  const caller = () => `+86138${String(between(0, 19_999)).padStart(8, '0')}`;
  for (let d = 0; d < days; d++) {
    sqlite.transaction(() => {
      const day = firstDay + d * 86_400_000;
      for (let a = 1; a <= agents; a++) {
        // Shifts start between 08:00 and 12:00, last 9 hours with a 30-minute break in the middle.
        const start = day + (8 + (a % 5)) * 3_600_000;
        const end = start + 9 * 3_600_000;
        const breakAt = start + 4 * 3_600_000;
        let t = start;
        let prev = 'offline';
        const to = (s: string, at: number) => {
          state.run(a, prev, s, at);
          prev = s;
          counts.states++;
        };
        to('available', t);
        let tookBreak = false;
        while (t < end - 600_000) {
          if (!tookBreak && t >= breakAt) {
            to('break', t);
            t += 1_800_000;
            to('available', t);
            tookBreak = true;
          }
          const answeredAt = t + between(0, 90) * 1000;
          const wait = between(0, 40) * 1000;
          const endedAt = answeredAt + between(60, 420) * 1000;
          const wrapEnd = endedAt + between(10, 60) * 1000;
          const s = sid();
          const queue = QUEUES[between(0, 3)];
          call.run(s, caller(), answeredAt - wait - 5000, answeredAt, endedAt);
          const e = entry.run(s, queue, 'bridged', answeredAt - wait, answeredAt, wait / 1000).lastInsertRowid;
          const ix = interaction.run(s, e, a, `conf-${s}`, answeredAt - 2000, answeredAt, endedAt).lastInsertRowid;
          to('on_call', answeredAt);
          to('wrap_up', endedAt);
          to('available', wrapEnd);
          counts.calls++;
          if (random() < 0.03) {
            workOrder.run(`WO-${n}`, s, a, 'complaint', endedAt - 30_000, endedAt - 30_000);
            counts.workOrders++;
          }
          if (random() < 0.02) {
            const rec = recording.run(`RE${String(n).padStart(32, '0')}`, s, ix, a, Math.ceil(a / 10), answeredAt).lastInsertRowid;
            evaluation.run(rec, qc, a, between(50, 100), endedAt + 86_400_000, endedAt + 86_400_000);
            counts.evaluations++;
          }
          // Abandoned callers beside this one (about 8%), half of them within 5 s; some take a callback instead.
          if (random() < 0.08) {
            const ab = sid();
            const enq = answeredAt - between(0, 60) * 1000;
            const waited = (random() < 0.5 ? between(1, 4) : between(5, 120)) * 1000;
            call.run(ab, caller(), enq - 5000, null, enq + waited);
            entry.run(ab, queue, 'abandoned', enq, enq + waited, waited / 1000);
            counts.calls++;
          } else if (random() < 0.03) {
            const cb = sid();
            const enq = answeredAt - between(0, 60) * 1000;
            call.run(cb, caller(), enq - 5000, null, enq + 90_000);
            entry.run(cb, queue, 'callback', enq, enq + 90_000, 90);
            const reached = random() < 0.8;
            const id = callback.run(cb, caller(), enq + 90_000, reached ? 'done' : 'failed', reached ? 'reached' : 'max_attempts', enq + 3_600_000).lastInsertRowid;
            attempt.run(id, a, reached ? 'answered' : 'no-answer', enq + 1_800_000, enq + 1_800_000);
            counts.calls++;
            counts.callbacks++;
          }
          t = wrapEnd;
        }
        to('offline', end);
      }
    })();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // The month is over; the clock stands 7 minutes into the next day's first interval (computed live).
  const monthEnd = firstDay + days * 86_400_000;
  const clock = { now: () => new Date(monthEnd + 7 * 60_000) };
  const repo = new ContactCenterRepo(db);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const rollStarted = performance.now();
  await new ReportRollup({ repo, clock, timeZone: TZ }).run();
  const rollupSeconds = (performance.now() - rollStarted) / 1000;
  lag.disable();
  // The job's steady state: 15 minutes later it rolls the new interval and recomputes the last 73 hours.
  const later = { now: () => new Date(monthEnd + 22 * 60_000) };
  const steadyStarted = performance.now();
  await new ReportRollup({ repo, clock: later, timeZone: TZ }).run();
  const steadySeconds = (performance.now() - steadyStarted) / 1000;
  const rollupRows = (sqlite.prepare('select count(*) as n from report_rollups').get() as { n: number }).n;

  // The server's background checkpointer keeps the WAL short; after a bulk seed it is not, so fold it in first.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const reports = new ContactCenterReports({ repo, clock, timeZone: TZ });
  const supervisor = { role: 'supervisor' as const, teamId: null };
  const range = { from: new Date(firstDay), to: new Date(monthEnd + 15 * 60_000) };
  const cases: [ReportDimension, ReportInterval][] = [
    ['queue', 'day'],
    ['desk', 'day'],
    ['team', 'day'],
    ['agent', 'day'],
    ['queue', 'hour'],
    ['agent', 'hour'],
    ['queue', '15m'],
  ];
  console.log(`seeded ${days} days, ${agents} agents: ${counts.calls} calls, ${counts.states} agent states, ${counts.workOrders} complaints, ${counts.callbacks} callbacks, ${counts.evaluations} evaluations in ${seedSeconds.toFixed(1)} s`);
  console.log(`rollup of the month: ${rollupSeconds.toFixed(2)} s, ${rollupRows} rollup rows; longest event-loop block ${(lag.max / 1e6).toFixed(0)} ms (p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms)`);
  console.log(`a later run (the new interval + the last 73 hours again): ${steadySeconds.toFixed(2)} s`);
  console.log('report (the month + the open interval live)   rows     p50 ms   p99 ms');
  for (const [groupBy, interval] of cases) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const r = reports.report(supervisor, { ...range, groupBy, interval });
      JSON.stringify(r);
      if (i >= 3) times.push(performance.now() - t0);
      rows = r.rows.length;
    }
    times.sort((a, b) => a - b);
    console.log(`${`${groupBy} by ${interval}`.padEnd(46)} ${String(rows).padStart(6)} ${percentile(times, 50).toFixed(1).padStart(9)} ${percentile(times, 99).toFixed(1).padStart(8)}`);
  }
  // For comparison: one day computed live from the event logs, without the rollup.
  const liveTimes: number[] = [];
  for (let i = 0; i < Math.min(runs, 10); i++) {
    const t0 = performance.now();
    reports.report(supervisor, { from: new Date(firstDay), to: new Date(firstDay + 86_400_000), groupBy: 'agent', interval: 'hour' }, { live: true });
    liveTimes.push(performance.now() - t0);
  }
  liveTimes.sort((a, b) => a - b);
  console.log(`${'one day, agent by hour, all live (no rollup)'.padEnd(46)} ${''.padStart(6)} ${percentile(liveTimes, 50).toFixed(1).padStart(9)} ${percentile(liveTimes, 99).toFixed(1).padStart(8)}`);
  db.$client.close();
  if (values.keep) console.log(`database kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
