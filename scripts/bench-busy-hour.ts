// Replays a busy hour against the real hotline server in this process: the carrier simulator, thousands of agents
// with softphones and callers arriving through the IVR; reports outcomes, webhook latency, memory, crashes and invariants.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logging/logger';
import { installProcessGuards } from '../src/process-guards';
import { formatTranscript, type CallerStep, type SimCall } from '../src/sim/index';
import { flakyCarrier, type CarrierFault, type FlakyCarrier } from '../test/support/flaky-carrier';
import { prng, type Rng } from './bench/seeded';
import { LoopLag, Spread, benchArgs, num, runBench, sleep } from './bench/harness';
import { seedFrontDeskAgents, softphonesAndHeartbeats, startInProcessHotline } from './bench/in-process';

const USAGE = `Usage: npm run bench:busy-hour -- [options]

Runs, in this one process and on 127.0.0.1 only, the real hotline server (createHotline on a fresh temporary
SQLite file with the demo data, the hotline open whatever the hour) and the carrier simulator, then:
  - seeds --agents agents as staff on the front desk, available, each with a simulated softphone that answers
    after --ring seconds and hangs up after a talk time drawn (seeded) from an exponential distribution of mean
    --talk seconds (at least 5 s); after each call the server puts the agent in wrap-up (30 s), then available;
  - places callers at --rate calls/s (Poisson arrivals, seeded) for --duration seconds; each presses 1 then 0 in
    the IVR (to a front-desk queue) and hangs up if no agent has answered --patience seconds (exponential mean,
    at least 10 s) after being queued;
  - with --carrier-faults p, a fraction p of the server's REST requests to the carrier time out (half of them,
    never answered) or fail with a 500 (the other half), through a proxy in front of the simulator.
When the arrivals stop it counts the calls, hangs up every caller still on the line, lets the ACD settle, hangs
up every agent leg still up, lets it settle again, and checks that every call ended somewhere sane. All durations are simulated seconds; --time-scale is the real
milliseconds per simulated second (1000 is real time, as in the issue; smaller runs faster).

Options:
  --rate <n>            calls per second (default 35)
  --duration <s>        seconds of arrivals (default 60)
  --agents <n>          agents with softphones (default 2500)
  --time-scale <ms>     real milliseconds per simulated second (default 1000: real time)
  --talk <s>            mean talk time (default 30)
  --ring <s>            seconds a softphone rings before answering (default 2)
  --patience <s>        mean time a queued caller waits for an agent before hanging up (default 90)
  --carrier-faults <p>  fraction of carrier REST requests that time out or fail (default 0)
  --carrier-timeout <ms> the server's carrier REST timeout, real ms (default 10000, as in production)
  --seed <n>            seed of the talk times, patience and arrivals (default 1)
  --keep                keep the temporary directory (the database)
  -h, --help            print this help

Exit code: 0 if nothing crashed (no uncaught exception, no unhandled rejection) and every invariant holds;
1 otherwise; 2 for bad usage.`;

interface Options {
  rate: number;
  duration: number;
  agents: number;
  timeScale: number;
  talk: number;
  ring: number;
  patience: number;
  carrierFaults: number;
  carrierTimeout: number;
  seed: number;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = benchArgs(argv, USAGE, {
    rate: { type: 'string', default: '35' },
    duration: { type: 'string', default: '60' },
    agents: { type: 'string', default: '2500' },
    'time-scale': { type: 'string', default: '1000' },
    talk: { type: 'string', default: '30' },
    ring: { type: 'string', default: '2' },
    patience: { type: 'string', default: '90' },
    'carrier-faults': { type: 'string', default: '0' },
    'carrier-timeout': { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  });
  const positive = (n: number) => n > 0;
  return {
    rate: num('rate', values.rate, positive, 'a positive number'),
    duration: num('duration', values.duration, positive, 'a positive number of seconds'),
    agents: num('agents', values.agents, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1'),
    timeScale: num('time-scale', values['time-scale'], positive, 'positive milliseconds'),
    talk: num('talk', values.talk, positive, 'a positive number of seconds'),
    ring: num('ring', values.ring, (n) => n >= 0, 'seconds >= 0'),
    patience: num('patience', values.patience, positive, 'a positive number of seconds'),
    carrierFaults: num('carrier-faults', values['carrier-faults'], (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1'),
    carrierTimeout: num('carrier-timeout', values['carrier-timeout'], (n) => Number.isInteger(n) && n >= 1, 'whole milliseconds >= 1'),
    seed: num('seed', values.seed, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    keep: values.keep,
  };
}

// ---------------------------------------------------------------------------------------------- measurements

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** RSS and heap at the start, their peaks (sampled every 250 ms) and at the end. */
class MemoryWatch {
  readonly start = process.memoryUsage();
  peakRss = this.start.rss;
  peakHeap = this.start.heapUsed;
  private readonly timer = setInterval(() => this.sample(), 250);
  sample(): NodeJS.MemoryUsage {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
    return m;
  }
  stop(): NodeJS.MemoryUsage {
    clearInterval(this.timer);
    return this.sample();
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main(o: Options): Promise<number> {
  const rng: Rng = prng(o.seed);
  const memory = new MemoryWatch();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-busy-hour-'));
  const cpus = os.cpus();
  console.log(`Busy-hour benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (server, simulator and load share one process)`);
  console.log(
    `  ${o.rate} calls/s for ${o.duration} s, ${o.agents} agents, time scale ${o.timeScale} ms per simulated s${o.timeScale === 1000 ? ' (real time)' : ''}, ` +
      `talk mean ${o.talk} s, patience mean ${o.patience} s, carrier faults ${o.carrierFaults}; temp dir ${tmp}`,
  );

  // What nobody caught, and what the server logged as an error (the process guards of src/main.ts, counted here).
  const rejections: string[] = [];
  const uncaught: string[] = [];
  const logged = new Map<string, { n: number; example: string }>();
  const log = createLogger('warn', true);
  const write = log.write.bind(log);
  log.write = ((info: { level: string; message: string; err?: unknown }) => {
    const key = `${info.level}: ${info.message}`;
    if (info.level === 'error' || info.level === 'warn') logged.set(key, { n: (logged.get(key)?.n ?? 0) + 1, example: logged.get(key)?.example ?? String(info.err ?? '') });
    return write(info);
  }) as typeof log.write;
  const countRejection = (reason: unknown) => rejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  process.on('unhandledRejection', countRejection);
  const removeGuards = installProcessGuards(log, (err) => uncaught.push(String(err)));

  let carrier: FlakyCarrier | undefined;
  const h = await startInProcessHotline({
    tmp,
    log,
    logLevel: 'warn',
    timeScale: o.timeScale,
    maxCallSeconds: 3600,
    async carrierApiBaseUrl(sim) {
      if (!(o.carrierFaults > 0)) return sim.baseUrl;
      const faults = prng(o.seed + 1);
      carrier = await flakyCarrier(sim.baseUrl, (): CarrierFault | undefined => (faults.next() < o.carrierFaults ? (faults.next() < 0.5 ? 'timeout' : 'error') : undefined));
      return carrier.url;
    },
    hotline: { carrierTimeoutMs: o.carrierTimeout },
  });
  const { config, sim, db, hotline } = h;

  // Webhook answer latency, as the carrier sees it: from sending the request to having the whole answer.
  const latencies = new Map<string, number[]>();
  // The drain's burst of hang-ups is measured apart from the load.
  const drainLatencies: number[] = [];
  let draining = false;
  // Per real second of the arrivals: webhooks sent, their mean and worst latency (are slow answers spread or bunched?).
  const perSecond: { n: number; max: number; sum: number }[] = [];
  let loadStartMs = performance.now();
  const webhooks = sim.webhooks;
  const send = webhooks.send.bind(webhooks);
  webhooks.send = async (url, method, params) => {
    const t0 = performance.now();
    try {
      return await send(url, method, params);
    } finally {
      const route = new URL(url).pathname;
      const list = draining ? drainLatencies : (latencies.get(route) ?? []);
      list.push(performance.now() - t0);
      if (!draining) latencies.set(route, list);
      if (!draining) {
        const second = Math.floor((t0 - loadStartMs) / 1000);
        const b = (perSecond[second] ??= { n: 0, max: 0, sum: 0 });
        b.n++;
        b.sum += performance.now() - t0;
        b.max = Math.max(b.max, performance.now() - t0);
      }
    }
  };

  // Agents: staff on the front desk, available, each with a softphone registered with a real voice token.
  const t0 = performance.now();
  const username = (i: number) => `bench${String(i + 1).padStart(5, '0')}`;
  const agentIds = seedFrontDeskAgents(h, o.agents, username);
  const talk = () => Math.max(5, rng.exponential(o.talk));
  const stopBeats = softphonesAndHeartbeats(
    h,
    agentIds.map((id, i) => ({ id, username: username(i) })),
    { answerAfter: o.ring, timeScale: o.timeScale, talkOf: () => talk },
  );
  console.log(`  ${o.agents} agents seeded and their softphones registered in ${((performance.now() - t0) / 1000).toFixed(1)} s; RSS ${mb(process.memoryUsage().rss)}`);

  // What happens to each call, from the server's domain events.
  const answered = new Set<string>();
  const abandoned = new Set<string>();
  const queued = new Set<string>();
  let offers = 0;
  let missed = 0;
  const patienceTimers = new Map<string, NodeJS.Timeout>();
  const live = new Map<string, SimCall>();
  let hungUpByBench = 0;
  const benchHungUp = new Set<string>();
  // Callers whose call ended during the arrivals before reaching an agent, without the bench hanging up for them.
  let endedEarly = 0;
  const earlyTranscripts: string[] = [];
  hotline.events.on('CallOffered', () => void offers++);
  hotline.events.on('CallMissed', () => void missed++);
  hotline.events.on('CallAnswered', (e) => {
    answered.add(e.callSid);
    clearTimeout(patienceTimers.get(e.callSid));
  });
  hotline.events.on('CallAbandoned', (e) => void abandoned.add(e.callSid));
  hotline.events.on('CallQueued', (e) => {
    if (queued.has(e.callSid)) return; // requeued after a failed connect: the caller's patience keeps running
    queued.add(e.callSid);
    const patience = Math.max(10, rng.exponential(o.patience));
    const timer = setTimeout(() => {
      patienceTimers.delete(e.callSid);
      const call = live.get(e.callSid);
      if (call && !answered.has(e.callSid)) {
        hungUpByBench++;
        benchHungUp.add(e.callSid);
        call.hangup();
      }
    }, sim.clock.ms(patience));
    patienceTimers.set(e.callSid, timer);
  });

  // Callers: Poisson arrivals; 1 then 0 in the IVR leads to a front-desk queue; they wait (the bench hangs up for them).
  const callerScript: CallerStep[] = [{ press: '1' }, { press: '0' }, { wait: 3000 }, { hangup: true }];
  const lag = new LoopLag();
  const loadStart = performance.now();
  loadStartMs = loadStart;
  const windowMs = o.duration * o.timeScale;
  let placed = 0;
  let nextAt = 0;
  let lastReport = 0;
  const progress = () => {
    const m = process.memoryUsage();
    const waiting = (db.$client.prepare("SELECT count(*) AS n FROM queue_entries WHERE status = 'waiting'").get() as { n: number }).n;
    console.log(
      `  t=${String(Math.round((performance.now() - loadStart) / o.timeScale)).padStart(4)} s  placed ${placed}  answered ${answered.size}  abandoned ${abandoned.size}  waiting ${waiting}  ` +
        `offers ${offers}  RSS ${mb(m.rss)}  heap ${mb(m.heapUsed)}`,
    );
  };
  while (true) {
    const elapsed = performance.now() - loadStart;
    if (elapsed >= windowMs) break;
    while (nextAt <= elapsed && nextAt < windowMs) {
      const n = ++placed;
      const call = sim.placeCall({ from: `+86139${String(10_000_000 + n).slice(-8)}`, to: config.hotlineNumber, script: callerScript });
      live.set(call.sid, call);
      void call.done.then((transcript) => {
        if (!draining && !benchHungUp.has(call.sid) && !transcript.some((t) => t.kind === 'conference')) {
          endedEarly++;
          if (earlyTranscripts.length < 2) earlyTranscripts.push(formatTranscript(transcript.slice(-8)));
        }
        live.delete(call.sid);
        clearTimeout(patienceTimers.get(call.sid));
      });
      nextAt += rng.exponential(1000 / o.rate) * (o.timeScale / 1000);
    }
    if (elapsed - lastReport >= 10 * o.timeScale) {
      lastReport = elapsed;
      progress();
    }
    await sleep(Math.max(1, Math.min(50, nextAt - (performance.now() - loadStart))));
  }
  const loadSeconds = (performance.now() - loadStart) / o.timeScale;
  progress();

  // At the end of the arrivals: where every call is.
  const count = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;
  hotline.groupCommit.commitNow();
  const atEnd = {
    placed,
    answered: answered.size,
    abandoned: abandoned.size,
    waiting: count("SELECT count(*) AS n FROM queue_entries WHERE status = 'waiting'"),
    talking: count("SELECT count(*) AS n FROM interactions WHERE status = 'connected'"),
    ringing: count("SELECT count(*) AS n FROM interactions WHERE status = 'offered'"),
    live: live.size,
    offers,
    missed,
  };

  // Drain: every caller still on the line hangs up and the ACD settles (ring legs withdrawn, agents to wrap-up);
  // then every agent still on a leg hangs up too, and the ACD settles again.
  for (const t of patienceTimers.values()) clearTimeout(t);
  const orphanSql = "SELECT count(*) AS n FROM interactions i JOIN calls c ON c.sid = i.call_sid WHERE i.status IN ('offered', 'connected') AND c.ended_at IS NOT NULL";
  const settle = async (limitMs: number) => {
    const t = performance.now();
    do {
      await hotline.dispatcher.idle();
      await sleep(Math.max(50, Math.min(500, o.timeScale / 2)));
      hotline.groupCommit.commitNow();
    } while (count(orphanSql) > 0 && performance.now() - t < limitMs);
  };
  const hangUpAll = async (calls: SimCall[]) => {
    for (const c of calls) c.hangup();
    return Promise.race([Promise.allSettled(calls.map((c) => c.done)).then(() => true), sleep(30_000).then(() => false)]);
  };
  const drainStart = performance.now();
  draining = true;
  const callersGone = await hangUpAll([...live.values()]);
  // Wait long enough for a ring to time out (ring timeout + the server's sweep), with a floor in real time.
  await settle(Math.max(5_000, 40 * o.timeScale));
  const agentsAlone = count(orphanSql);
  const agentLegs = sim.calls().filter((c) => c.to.startsWith('client:') && !['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(c.status));
  const agentsGone = await hangUpAll(agentLegs);
  await settle(Math.max(5_000, 10 * o.timeScale));
  for (let i = 0; i < 3; i++) {
    await hotline.dispatcher.idle();
    await sleep(Math.max(50, Math.min(1000, o.timeScale)));
  }
  hotline.groupCommit.commitNow();
  stopBeats();
  const drainSeconds = (performance.now() - drainStart) / 1000;
  lag.stop();

  // Invariants: nothing left reserved, ringing, talking or waiting for a call that has ended.
  const problems: string[] = [];
  const check = (what: string, sql: string) => {
    const rows = db.$client.prepare(sql).all();
    if (rows.length) problems.push(`${rows.length} ${what}, e.g. ${JSON.stringify(rows.slice(0, 3))}`);
  };
  check(
    "agents reserved or on a call with no live interaction on a live call",
    `SELECT p.staff_id, p.state FROM agent_presence p WHERE p.state IN ('reserved', 'on_call') AND NOT EXISTS (
       SELECT 1 FROM interactions i JOIN calls c ON c.sid = i.call_sid WHERE i.agent_id = p.staff_id AND i.status IN ('offered', 'connected') AND c.ended_at IS NULL)`,
  );
  check('live interactions (offered/connected) for an ended call', "SELECT i.id, i.call_sid, i.status FROM interactions i JOIN calls c ON c.sid = i.call_sid WHERE i.status IN ('offered', 'connected') AND c.ended_at IS NOT NULL");
  check('queue entries waiting for an ended call', "SELECT q.id, q.call_sid, q.reserved_by FROM queue_entries q JOIN calls c ON c.sid = q.call_sid WHERE q.status = 'waiting' AND c.ended_at IS NOT NULL");
  check('calls the carrier ended that the server still thinks are up', `SELECT sid FROM calls WHERE ended_at IS NULL AND direction = 'inbound'`);
  if (!callersGone || !agentsGone) problems.push(`some ${callersGone ? 'agent legs' : 'callers'} were still up 30 s after being hung up`);
  const final = {
    bridged: count("SELECT count(*) AS n FROM queue_entries WHERE status = 'bridged'"),
    abandonedEntries: count("SELECT count(*) AS n FROM queue_entries WHERE status = 'abandoned'"),
    otherEntries: count("SELECT count(*) AS n FROM queue_entries WHERE status NOT IN ('bridged', 'abandoned')"),
    agentStates: db.$client.prepare('SELECT state, count(*) AS n FROM agent_presence GROUP BY state ORDER BY n DESC').all() as { state: string; n: number }[],
  };

  await h.close();
  await carrier?.close();
  const end = memory.stop();
  removeGuards();
  process.off('unhandledRejection', countRejection);

  // ------------------------------------------------------------------------------------------ report
  console.log(`\nAfter ${loadSeconds.toFixed(1)} simulated s of arrivals (${((performance.now() - loadStart) / 1000).toFixed(1)} s real, drain included):`);
  console.log(`  calls placed ${atEnd.placed} (${(atEnd.placed / loadSeconds).toFixed(1)}/s)`);
  console.log(`  answered by an agent ${atEnd.answered}, abandoned ${atEnd.abandoned} (${hungUpByBench} hung up by the bench for lack of patience), still waiting in a queue ${atEnd.waiting}`);
  console.log(`  at that moment: ${atEnd.talking} talking, ${atEnd.ringing} agents ringing, ${atEnd.live} callers on the line (in the IVR, queued or talking)`);
  console.log(`  callers ended during the arrivals before reaching an agent, though nobody hung up: ${endedEarly}`);
  for (const t of earlyTranscripts) console.log(`    the end of one's transcript:\n${t.replace(/^/gm, '      ')}`);
  console.log(`  offers ${atEnd.offers} (${(atEnd.offers / loadSeconds).toFixed(1)}/s), missed offers ${atEnd.missed}`);
  console.log('\nWebhook answer latency during the arrivals, as the simulator measured it (ms, request sent to answer read):');
  const rows = [...latencies.entries()].sort((a, b) => b[1].length - a[1].length);
  const all = rows.flatMap(([, l]) => l);
  const line = (name: string, l: number[]) => {
    const s = new Spread(l);
    return `  ${name.padEnd(34)} ${String(s.n).padStart(7)}  p50 ${s.at(50).toFixed(1).padStart(7)}  p99 ${s.at(99).toFixed(1).padStart(7)}  max ${s.max.toFixed(1).padStart(7)}`;
  };
  console.log(line('all webhooks', all));
  for (const [route, l] of rows) console.log(line(route, l));
  const worst = perSecond.map((b, i) => ({ i, ...b })).filter((b) => b.n).sort((a, b) => b.max - a.max).slice(0, 5);
  console.log(`  slowest seconds of the run (s after the first arrival: webhooks sent, mean, worst ms): ${worst.map((b) => `${b.i}: ${b.n}, ${(b.sum / b.n).toFixed(0)}, ${b.max.toFixed(0)}`).join('; ')}`);
  if (drainLatencies.length) console.log(line('(during the drain, all)', drainLatencies));
  console.log(`\n${lag.describe()}`);
  console.log(`Process memory: RSS start ${mb(memory.start.rss)}, peak ${mb(memory.peakRss)}, end ${mb(end.rss)}; heap used start ${mb(memory.start.heapUsed)}, peak ${mb(memory.peakHeap)}, end ${mb(end.heapUsed)}`);
  if (carrier) console.log(`Carrier proxy: ${carrier.passed} requests passed, ${carrier.faults.timeout} held until the server timed out, ${carrier.faults.error} answered 500`);
  console.log(
    `\nDrain (${drainSeconds.toFixed(1)} s real): ${atEnd.live} callers hung up; ${agentsAlone} agents were then still on a call whose caller had ended ` +
      `(answered, but the caller hung up before joining the conference); ${agentLegs.length} agent legs still up were hung up`,
  );
  console.log(`After the drain: queue entries bridged ${final.bridged}, abandoned ${final.abandonedEntries}, other ${final.otherEntries}; agents ${final.agentStates.map((s) => `${s.state} ${s.n}`).join(', ')}`);
  console.log(`Unhandled rejections: ${rejections.length}; uncaught exceptions: ${uncaught.length}`);
  for (const r of [...new Set([...rejections, ...uncaught])].slice(0, 5)) console.log(`  ${r}`);
  const errors = [...logged.entries()].filter(([k]) => k.startsWith('error')).reduce((n, [, v]) => n + v.n, 0);
  console.log(`Server log: ${errors} errors, ${[...logged.values()].reduce((a, b) => a + b.n, 0) - errors} warnings`);
  for (const [msg, { n, example }] of [...logged.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 8)) console.log(`  ${String(n).padStart(6)} × ${msg}${example ? ` (e.g. ${example})` : ''}`);
  if (problems.length) for (const p of problems) console.log(`INVARIANT FAILED: ${p}`);
  else console.log('Invariants hold: no agent reserved or on a call for an ended call, no live interaction or waiting queue entry for an ended call, every inbound call closed.');

  if (o.keep) console.log(`\nKept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  return rejections.length || uncaught.length || problems.length ? 1 : 0;
}

await runBench(USAGE, parseOptions, main);
