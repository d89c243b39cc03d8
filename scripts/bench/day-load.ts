// The load of `npm run bench:day`, run inside the simulator's own process (`npm run sim -- --load <file>`): agents'
// softphones that answer, talk and hang up, and callers arriving at a set rate (with a burst), patient or not. It
// measures what the carrier sees (webhook latency, fallbacks, answer time, queue wait) and writes a JSON result.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CarrierSimulator } from '../../src/sim/index';
import type { SimCall } from '../../src/sim/call-session';
import type { CallerStep } from '../../src/sim/caller-script';
import type { TranscriptEntry } from '../../src/sim/transcript';
import { prng } from './seeded';

export interface DayLoadPlan {
  /** The hotline's /health/load, asked until it answers before the first call. */
  serverUrl: string;
  hotlineNumber: string;
  /** Softphones to register: identity and Voice access token each. */
  agents: { identity: string; token: string }[];
  rate: number;
  durationSeconds: number;
  /** Optional burst: the rate times `factor` from `at` for `seconds` (simulated seconds after the first arrival). */
  burst?: { factor: number; at: number; seconds: number };
  talkMeanSeconds: number;
  ringSeconds: number;
  patienceMeanSeconds: number;
  /** Share of callers who never hang up while waiting. */
  patientShare: number;
  /** After the arrivals: simulated seconds to let calls finish before everyone still on the line is hung up. */
  drainSeconds: number;
  seed: number;
  resultFile: string;
  /** Where to write every measured webhook (sent at, ms after the load began; latency ms; path; CallSid) as CSV, if anywhere. */
  webhookTraceFile?: string;
}

export interface DayLoadResult {
  placed: number;
  answered: number;
  abandoned: number;
  /** Ended before reaching an agent with nobody hanging up, or with a carrier error, or served a fallback. */
  lost: number;
  lostExamples: string[];
  /** Still in the IVR, waiting or talking when the drain ended (hung up by the bench). */
  cutAtEnd: number;
  /** Left the wait with a callback request (pressed 1 in the wait loop, or the carrier's queue was full). */
  calledBack: number;
  /** Shed at the door: heard the short notice instead of the IVR. */
  shedCallers: number;
  answerSeconds: number[];
  queueWaitSeconds: number[];
  webhook: { count: number; errors: number; p50: number; p99: number; max: number; byRoute: Record<string, { count: number; p50: number; p99: number; max: number }> };
  fallbackUrlRequests: number;
  fallbackTwimlServed: number;
  /** Per 5 s of the arrivals: webhooks sent, p99 and max latency (ms), the simulator's own event-loop lag p99 and max (ms). */
  timeline: { t: number; placed: number; webhooks: number; p99: number; max: number; simLagP99: number; simLagMax: number }[];
  /** The simulator process's own event-loop lag during the arrivals (ms): it delays what it measures too. */
  simLag: { p50: number; p99: number; max: number };
}

const FALLBACK_MARK = 'something went wrong';
const SHED_MARK = 'All our agents are busy';

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (n: number) => Math.round(n * 10) / 10;

export async function runDayLoad(sim: CarrierSimulator, plan: DayLoadPlan, say: (line: string) => void): Promise<DayLoadResult> {
  const rng = prng(plan.seed);
  const ts = sim.clock.timeScale;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // Webhook latency as the carrier sees it: from sending the request to having read the answer.
  const latencies: number[] = [];
  const trace: string[] = [];
  const byRoute = new Map<string, number[]>();
  let window: number[] = [];
  let errors = 0;
  let fallbackUrlRequests = 0;
  let fallbackTwimlServed = 0;
  const shedCalls = new Set<string>();
  const fallbackCalls = new Set<string>();
  const send = sim.webhooks.send.bind(sim.webhooks);
  const traceOrigin = performance.now();
  let draining = false;
  sim.webhooks.send = async (url, method, params) => {
    // The drain's hang-ups are not the load: not measured.
    if (draining) return send(url, method, params);
    const t0 = performance.now();
    const path = new URL(url).pathname;
    if (path === '/twilio/voice/fallback') {
      fallbackUrlRequests++;
      if (params.CallSid) fallbackCalls.add(params.CallSid);
    }
    try {
      const r = await send(url, method, params);
      if (r.body.includes(FALLBACK_MARK)) {
        fallbackTwimlServed++;
        if (params.CallSid) fallbackCalls.add(params.CallSid);
      } else if (path === '/twilio/voice' && r.body.includes(SHED_MARK) && params.CallSid) shedCalls.add(params.CallSid);
      return r;
    } catch (err) {
      errors++;
      throw err;
    } finally {
      const ms = performance.now() - t0;
      latencies.push(ms);
      if (plan.webhookTraceFile) trace.push(`${(t0 - traceOrigin).toFixed(2)},${ms.toFixed(2)},${path},${params.CallSid ?? ''}`);
      window.push(ms);
      let l = byRoute.get(path);
      if (!l) byRoute.set(path, (l = []));
      l.push(ms);
    }
  };

  // Agents: each softphone answers after the ring, talks for a drawn time (exponential, at least 5 s), hangs up; the
  // server then puts the agent in wrap-up (the queue's wrap-up time) and back to available.
  const talk = () => Math.max(5, rng.exponential(plan.talkMeanSeconds));
  for (const a of plan.agents) {
    const phone = sim.registerSoftphone({ identity: a.identity, token: a.token, answerAfter: plan.ringSeconds, script: [{ wait: talk() }, { hangup: true }] });
    phone.on('ringing', () => (phone.script = [{ wait: talk() }, { hangup: true }]));
  }
  say(`load: ${plan.agents.length} softphones registered`);

  // Wait for the server.
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${plan.serverUrl}/health/load`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 600) throw new Error(`the server at ${plan.serverUrl} never answered /health/load`);
    await sleep(100);
  }

  // Callers: 1 then 0 in the IVR leads to a front-desk queue; impatient ones hang up if still queued after their patience.
  const inQueue = new Set<string>();
  const patienceTimers = new Map<string, NodeJS.Timeout>();
  const hungUpWaiting = new Set<string>();
  const decided = new Set<string>();
  const live = new Map<string, SimCall>();
  sim.events.on('queue-joined', (e: { callSid: string }) => {
    inQueue.add(e.callSid);
    // Requeued after a failed connect: the caller's patience keeps running from the first time.
    if (decided.has(e.callSid) || !live.has(e.callSid)) return;
    decided.add(e.callSid);
    if (rng.next() < plan.patientShare) return;
    const patience = Math.max(10, rng.exponential(plan.patienceMeanSeconds));
    patienceTimers.set(
      e.callSid,
      setTimeout(() => {
        const call = live.get(e.callSid);
        if (call && inQueue.has(e.callSid)) {
          hungUpWaiting.add(e.callSid);
          call.hangup();
        }
      }, sim.clock.ms(patience)),
    );
  });
  sim.events.on('queue-left', (e: { callSid: string }) => void inQueue.delete(e.callSid));

  const result: DayLoadResult = {
    placed: 0,
    answered: 0,
    abandoned: 0,
    lost: 0,
    lostExamples: [],
    cutAtEnd: 0,
    calledBack: 0,
    shedCallers: 0,
    answerSeconds: [],
    queueWaitSeconds: [],
    webhook: { count: 0, errors: 0, p50: 0, p99: 0, max: 0, byRoute: {} },
    fallbackUrlRequests: 0,
    fallbackTwimlServed: 0,
    timeline: [],
    simLag: { p50: 0, p99: 0, max: 0 },
  };
  const simLagAll = monitorEventLoopDelay({ resolution: 10 });
  const simLagWindow = monitorEventLoopDelay({ resolution: 10 });
  simLagAll.enable();
  simLagWindow.enable();
  const lagMs = (ns: number) => Math.max(0, round(ns / 1e6 - 10));
  const cut = new Set<string>();
  const classify = (call: SimCall, transcript: TranscriptEntry[]) => {
    clearTimeout(patienceTimers.get(call.sid));
    patienceTimers.delete(call.sid);
    live.delete(call.sid);
    inQueue.delete(call.sid);
    decided.delete(call.sid);
    if (shedCalls.has(call.sid)) result.shedCallers++;
    const joined = transcript.find((t) => t.kind === 'conference' && t.detail?.conferenceSid !== undefined) ?? transcript.find((t) => t.kind === 'conference');
    const queued = transcript.find((t) => t.kind === 'enqueue');
    const error = transcript.find((t) => t.kind === 'error');
    if (fallbackCalls.has(call.sid) || error) {
      result.lost++;
      if (result.lostExamples.length < 5) result.lostExamples.push(`${call.sid}: ${error ? `${error.text} ${JSON.stringify(error.detail ?? {})}` : 'served the fallback'}`);
    } else if (joined) {
      result.answered++;
      result.answerSeconds.push(round(joined.t));
      if (queued) result.queueWaitSeconds.push(round(joined.t - queued.t));
    } else if (hungUpWaiting.has(call.sid) || (!cut.has(call.sid) && transcript.some((t) => t.kind === 'hangup' && t.text === 'caller'))) {
      // Hung up by their patience, or a patient caller at the carrier's longest call (600 s in the simulator).
      result.abandoned++;
    }
    else if (transcript.some((t) => t.kind === 'say' && /给您回电|call you back/.test(t.text ?? ''))) result.calledBack++;
    else if (cut.has(call.sid)) result.cutAtEnd++;
    else {
      result.lost++;
      if (result.lostExamples.length < 5) result.lostExamples.push(`${call.sid}: ended before an agent: ${transcript.slice(-3).map((t) => `${t.kind} ${t.text ?? ''}`).join(' | ')}`);
    }
  };

  const script: CallerStep[] = [{ press: '1' }, { press: '0' }];
  const windowMs = plan.durationSeconds * ts;
  const rateAt = (simSeconds: number) => {
    const b = plan.burst;
    return b && simSeconds >= b.at && simSeconds < b.at + b.seconds ? plan.rate * b.factor : plan.rate;
  };
  const start = performance.now();
  let nextAt = 0;
  let lastSlice = 0;
  let sliceStart = 0;
  const slice = (now: number) => {
    const s = [...window].sort((a, b) => a - b);
    const simLagP99 = lagMs(simLagWindow.percentile(99));
    const simLagMax = lagMs(simLagWindow.max);
    simLagWindow.reset();
    result.timeline.push({ t: Math.round(sliceStart / ts), placed: result.placed, webhooks: s.length, p99: round(pct(s, 99)), max: round(s[s.length - 1] ?? 0), simLagP99, simLagMax });
    say(
      `load t=${String(Math.round(now / ts)).padStart(4)} s placed ${result.placed} answered ${result.answered} abandoned ${result.abandoned} lost ${result.lost} ` +
        `shed ${shedCalls.size} live ${live.size} queued ${inQueue.size}; webhooks ${s.length} in 5 s, p99 ${pct(s, 99).toFixed(1)} ms, max ${(s[s.length - 1] ?? 0).toFixed(1)} ms; simulator lag p99 ${simLagP99} ms, max ${simLagMax} ms`,
    );
    window = [];
    sliceStart = now;
  };
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= windowMs) break;
    while (nextAt <= elapsed && nextAt < windowMs) {
      result.placed++;
      const call = sim.placeCall({ from: `+86139${String(10_000_000 + result.placed).slice(-8)}`, to: plan.hotlineNumber, script: [...script] });
      live.set(call.sid, call);
      void call.done.then((t) => classify(call, t));
      nextAt += rng.exponential(1000 / rateAt(nextAt / ts)) * (ts / 1000);
    }
    if (elapsed - lastSlice >= 5 * ts) {
      lastSlice = elapsed;
      slice(elapsed);
    }
    await sleep(Math.max(1, Math.min(20, nextAt - (performance.now() - start))));
  }
  slice(performance.now() - start);
  result.simLag = { p50: lagMs(simLagAll.percentile(50)), p99: lagMs(simLagAll.percentile(99)), max: lagMs(simLagAll.max) };
  simLagAll.disable();
  simLagWindow.disable();

  // Drain: no more arrivals; calls finish for a while, then whoever is still on the line is hung up.
  say(`load: arrivals over; letting calls finish for ${plan.drainSeconds} s`);
  await sleep(plan.drainSeconds * ts);
  draining = true;
  const rest = [...live.values()];
  for (const c of rest) {
    cut.add(c.sid);
    c.hangup();
  }
  await Promise.race([Promise.allSettled(rest.map((c) => c.done)), sleep(30_000)]);
  for (const t of patienceTimers.values()) clearTimeout(t);

  const all = [...latencies].sort((a, b) => a - b);
  result.webhook = {
    count: all.length,
    errors,
    p50: round(pct(all, 50)),
    p99: round(pct(all, 99)),
    max: round(all[all.length - 1] ?? 0),
    byRoute: Object.fromEntries(
      [...byRoute.entries()]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([route, l]) => {
          const s = [...l].sort((a, b) => a - b);
          return [route, { count: s.length, p50: round(pct(s, 50)), p99: round(pct(s, 99)), max: round(s[s.length - 1]) }];
        }),
    ),
  };
  result.fallbackUrlRequests = fallbackUrlRequests;
  result.fallbackTwimlServed = fallbackTwimlServed;
  fs.writeFileSync(plan.resultFile, JSON.stringify(result));
  if (plan.webhookTraceFile) fs.writeFileSync(plan.webhookTraceFile, `sent_ms,latency_ms,path,call_sid\n${trace.join('\n')}\n`);
  say(`load done: results in ${plan.resultFile}`);
  return result;
}
