// Measures the staff WebSocket under load in this one process: the real hotline server, the carrier simulator with
// calls flowing, hundreds of WebSocket clients of every role, and slow clients that never read; reports how long a
// state change takes to reach every client and whether the server's memory stays flat.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createLogger } from '../src/logging/logger';
import { agentDesks, agentPresence, authTokens, staff, teams, type Role } from '../src/db/schema/index';
import { tokenHash } from '../src/auth/auth.service';
import { installProcessGuards } from '../src/process-guards';
import type { DomainEvent } from '../src/events/domain-events';
import type { CallerStep, SimCall } from '../src/sim/index';
import { prng } from './bench/seeded';
import { LoopLag, Spread, benchArgs, num, runBench, sleep } from './bench/harness';
import { softphonesAndHeartbeats, startInProcessHotline } from './bench/in-process';

const USAGE = `Usage: npm run bench:realtime -- [options]

Runs, in this one process and on 127.0.0.1 only, the real hotline server (createHotline on a fresh temporary
SQLite file, the demo data, the hotline open) and the carrier simulator, then:
  - seeds --agents agents on the front desk in ten teams, available, each with a simulated softphone (answers after
    2 s, talks an exponential time of mean --talk seconds, then wrap-up 30 s);
  - opens --clients WebSocket clients of mixed roles (60% agents, 20% team leads, 12% dispatchers, 8% supervisors)
    and --slow more dispatcher clients that stop reading their socket right after the first snapshot;
  - places callers at --rate calls/s (Poisson) for --duration seconds (1 then 0 in the IVR, to front-general; they
    hang up after an exponential patience of mean 60 s if nobody answered).
Every domain event is stamped when published (performance.now()); every client stamps each event message it
receives: the difference is the event's delay to that client. Floor updates and alerts carry \`changedAt\` (the
server's wall clock at the first change they include): arrival minus changedAt is their delay. Memory (RSS, heap,
bytes queued in ws for all sockets) is sampled every second.

Options:
  --clients <n>      WebSocket clients that read (default 500)
  --slow <n>         dispatcher clients that never read (default 50)
  --agents <n>       agents with softphones; the agent clients are the first of them (default 400)
  --rate <n>         calls per second (default 6)
  --duration <s>     seconds of arrivals (default 60)
  --talk <s>         mean talk time (default 30)
  --time-scale <ms>  real milliseconds per simulated second (default 1000: real time)
  --seed <n>         seed of the arrivals and talk times (default 1)
  -h, --help         print this help

Exit code: 0 when nothing crashed and the event p99 is under 100 ms; 1 otherwise; 2 for bad usage.`;

interface Options {
  clients: number;
  slow: number;
  agents: number;
  rate: number;
  duration: number;
  talk: number;
  timeScale: number;
  seed: number;
}

function parseOptions(argv: string[]): Options {
  const values = benchArgs(argv, USAGE, {
    clients: { type: 'string', default: '500' },
    slow: { type: 'string', default: '50' },
    agents: { type: 'string', default: '400' },
    rate: { type: 'string', default: '6' },
    duration: { type: 'string', default: '60' },
    talk: { type: 'string', default: '30' },
    'time-scale': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  });
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  return {
    clients: num('clients', values.clients, (n) => whole(n) && n >= 10, 'a whole number >= 10'),
    slow: num('slow', values.slow, whole, 'a whole number >= 0'),
    agents: num('agents', values.agents, (n) => whole(n) && n >= 1, 'a whole number >= 1'),
    rate: num('rate', values.rate, (n) => n > 0, 'a positive number'),
    duration: num('duration', values.duration, (n) => n > 0, 'a positive number of seconds'),
    talk: num('talk', values.talk, (n) => n > 0, 'a positive number of seconds'),
    timeScale: num('time-scale', values['time-scale'], (n) => n > 0, 'positive milliseconds'),
    seed: num('seed', values.seed, whole, 'a whole number >= 0'),
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const summary = (xs: number[]) => {
  const s = new Spread(xs);
  return `n ${s.n}  p50 ${s.at(50).toFixed(1)}  p99 ${s.at(99).toFixed(1)}  max ${s.max.toFixed(1)} ms`;
};

/** The identity of an event message, the same on the server (before JSON) and on the client (after). */
function eventKey(e: { type: string; callSid?: unknown; agentId?: unknown; at?: unknown }): string {
  const at = e.at instanceof Date ? e.at.toISOString() : String(e.at);
  return `${e.type}|${String(e.callSid ?? '')}|${String(e.agentId ?? '')}|${at}`;
}

/** A client's text frame (clients must mask), for payloads under 126 bytes. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x81;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i] ^ mask[i % 4];
  return out;
}

async function main(o: Options): Promise<number> {
  const rng = prng(o.seed);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-realtime-'));
  const cpus = os.cpus();
  console.log(`Realtime benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'} (server, simulator and clients share one process)`);
  console.log(`  ${o.clients} clients + ${o.slow} slow, ${o.agents} agents, ${o.rate} calls/s for ${o.duration} s, time scale ${o.timeScale} ms per simulated s`);

  const crashes: string[] = [];
  const log = createLogger('warn', true);
  const onRejection = (r: unknown) => crashes.push(`unhandled rejection: ${String(r)}`);
  process.on('unhandledRejection', onRejection);
  const removeGuards = installProcessGuards(log, (err) => crashes.push(`uncaught: ${String(err)}`));

  // The ping check would drop the slow clients within a minute (they never answer): it is off here so that they
  // stay, stuck, for the whole run and the bound on their buffers is what keeps memory flat.
  const h = await startInProcessHotline({ tmp, log, logLevel: 'warn', timeScale: o.timeScale, maxCallSeconds: 3600, hotline: { realtime: { pingIntervalMs: 24 * 3600_000 } } });
  const { config, sim, clock, db, hotline, transact } = h;

  // How long each recomputation of the floor takes (it runs on the same event loop as everything else).
  const flushTimes: number[] = [];
  const flush = hotline.floorFeed.flush.bind(hotline.floorFeed);
  hotline.floorFeed.flush = () => {
    const t = performance.now();
    flush();
    flushTimes.push(performance.now() - t);
  };

  // Every published domain event, stamped before any listener (realtime/) sees it.
  const stamps = new Map<string, number>();
  const publish = hotline.events.publish.bind(hotline.events);
  hotline.events.publish = (e: DomainEvent) => {
    stamps.set(eventKey(e), performance.now());
    publish(e);
  };

  // Staff: ten teams of agents (with softphones), then leads, dispatchers and supervisors for the clients.
  const now = clock.now();
  const teamIds = transact(() => Array.from({ length: 10 }, (_, i) => db.insert(teams).values({ name: `bench team ${i + 1}` }).returning().get().id));
  const agentClients = Math.min(o.agents, Math.round(o.clients * 0.6));
  const leads = Math.round(o.clients * 0.2);
  const dispatchers = Math.round(o.clients * 0.12);
  const supervisors = o.clients - agentClients - leads - dispatchers;
  const accounts: { id: number; role: Role; token: string; slow: boolean }[] = [];
  const agentIds: number[] = [];
  transact(() => {
    let id = h.nextStaffId();
    const add = (role: Role, teamId: number | null, i: number) => {
      db.insert(staff).values({ id, username: `rt-${role}-${i}`, displayName: `${role} ${i}`, role, teamId, passwordHash: 'bench$not-a-password', active: true, createdAt: now }).run();
      return id++;
    };
    for (let i = 0; i < o.agents; i++) {
      const sid = add('agent', teamIds[i % 10], i);
      agentIds.push(sid);
      db.insert(agentDesks).values({ staffId: sid, desk: 'front', skill: 3 }).run();
      // The agents with a client are the longest idle: they are offered calls first.
      db.insert(agentPresence).values({ staffId: sid, state: 'available', since: now, lastHeartbeat: now, idleSince: new Date(now.getTime() - (o.agents - i)) }).run();
    }
    const token = (staffId: number, role: Role, slow: boolean) => {
      const t = randomBytes(24).toString('base64url');
      db.insert(authTokens).values({ tokenHash: tokenHash(t), staffId, createdAt: now, expiresAt: new Date(now.getTime() + 7 * 86_400_000) }).run();
      accounts.push({ id: staffId, role, token: t, slow });
    };
    for (let i = 0; i < agentClients; i++) token(agentIds[i], 'agent', false);
    for (let i = 0; i < leads; i++) token(add('team_lead', teamIds[i % 10], i), 'team_lead', false);
    for (let i = 0; i < dispatchers; i++) token(add('dispatcher', null, i), 'dispatcher', false);
    for (let i = 0; i < supervisors; i++) token(add('supervisor', null, i), 'supervisor', false);
    for (let i = 0; i < o.slow; i++) token(add('dispatcher', null, 1000 + i), 'dispatcher', true);
  });
  const talk = () => Math.max(5, rng.exponential(o.talk));
  const stopBeats = softphonesAndHeartbeats(
    h,
    agentIds.map((id, i) => ({ id, username: `rt-agent-${i}` })),
    { answerAfter: 2, timeScale: o.timeScale, talkOf: () => talk },
  );

  // The clients: every message is timed on arrival.
  const eventDelays: number[] = [];
  const floorDelays: number[] = [];
  const alertDelays: number[] = [];
  const perRole = new Map<string, { events: number; updates: number; snapshots: number }>();
  let unmatched = 0;
  let measuring = false;
  const sockets: WebSocket[] = [];
  const base = `ws://127.0.0.1:${config.port}/ws`;
  const connect = (a: (typeof accounts)[number]) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(base, ['bearer', a.token]);
      const role = a.slow ? 'dispatcher (slow)' : a.role;
      const counts = perRole.get(role) ?? { events: 0, updates: 0, snapshots: 0 };
      perRole.set(role, counts);
      ws.once('error', reject);
      ws.on('message', (data) => {
        const at = performance.now();
        const wall = Date.now();
        const m = JSON.parse(String(data)) as { type: string; changedAt?: number };
        if (m.type === 'floorSnapshot') {
          counts.snapshots++;
          return;
        }
        if (!measuring || m.type === 'hello' || m.type === 'heartbeat' || m.type === 'screenPop') return;
        if (m.type === 'floorUpdate') {
          counts.updates++;
          floorDelays.push(wall - m.changedAt!);
        } else if (m.type === 'alertRaised' || m.type === 'alertCleared') alertDelays.push(wall - m.changedAt!);
        else {
          const stamped = stamps.get(eventKey(m));
          counts.events++;
          if (stamped === undefined) unmatched++;
          else eventDelays.push(at - stamped);
        }
      });
      ws.once('open', () => {
        sockets.push(ws);
        resolve();
      });
    });
  // A slow client is a raw TCP socket that does the WebSocket handshake, then never reads again; like a buggy
  // wallboard it keeps asking for the whole floor as often as it may (every 500 ms), so its buffers fill in a minute.
  const slowSockets: net.Socket[] = [];
  const slowAsks: NodeJS.Timeout[] = [];
  const connectSlow = (a: (typeof accounts)[number]) =>
    new Promise<void>((resolve, reject) => {
      const sock = net.connect(config.port, '127.0.0.1');
      sock.once('error', reject);
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: bearer, ${a.token}\r\n\r\n`,
      );
      sock.once('data', (head) => {
        sock.pause();
        if (!head.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`slow client refused: ${head.toString('latin1').split('\r\n')[0]}`));
        sock.on('error', () => {});
        slowSockets.push(sock);
        slowAsks.push(setInterval(() => sock.writable && sock.write(maskedTextFrame('{"type":"floorSnapshot"}')), 500));
        resolve();
      });
    });
  const t0 = performance.now();
  for (let i = 0; i < accounts.length; i += 50) await Promise.all(accounts.slice(i, i + 50).map((a) => (a.slow ? connectSlow(a) : connect(a))));
  console.log(`  ${sockets.length} clients and ${slowSockets.length} slow clients connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await sleep(1000);

  // Memory, sampled every second from here (all clients connected, before the calls).
  if (global.gc) global.gc();
  const samples: { t: number; rss: number; heap: number; buffered: number }[] = [];
  const loadStart = performance.now();
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ t: (performance.now() - loadStart) / 1000, rss: m.rss, heap: m.heapUsed, buffered: hotline.realtime.bufferedBytes() });
  };
  sample();
  const sampler = setInterval(sample, 1000);
  const lag = new LoopLag();
  const pruner = setInterval(() => {
    const old = performance.now() - 30_000;
    for (const [k, v] of stamps) if (v < old) stamps.delete(k);
  }, 5000);

  // Calls: Poisson arrivals through the IVR to front-general.
  measuring = true;
  const live = new Set<SimCall>();
  let placed = 0;
  let nextAt = 0;
  const windowMs = o.duration * o.timeScale;
  while (performance.now() - loadStart < windowMs) {
    const elapsed = performance.now() - loadStart;
    while (nextAt <= elapsed) {
      placed++;
      const patience = Math.max(10, rng.exponential(60));
      const script: CallerStep[] = [{ press: '1' }, { press: '0' }, { wait: patience }, { hangup: true }];
      const call = sim.placeCall({ from: `+86139${String(20_000_000 + placed).slice(-8)}`, to: config.hotlineNumber, script });
      live.add(call);
      void call.done.then(() => live.delete(call));
      nextAt += rng.exponential(1000 / o.rate) * (o.timeScale / 1000);
    }
    if (Math.floor(elapsed / 10_000) !== Math.floor((elapsed - 50) / 10_000)) {
      const s = samples.at(-1)!;
      console.log(`  t=${String(Math.round(elapsed / 1000)).padStart(3)} s  placed ${placed}  event deliveries ${eventDelays.length}  floor updates ${floorDelays.length}  RSS ${mb(s.rss)}  heap ${mb(s.heap)}  ws queued ${mb(s.buffered)}`);
    }
    await sleep(Math.max(1, Math.min(50, nextAt - (performance.now() - loadStart))));
  }
  measuring = false;
  sample();
  clearInterval(sampler);
  lag.stop();
  clearInterval(pruner);
  const delivery = hotline.realtime.floorDelivery();
  const bufferedAtEnd = hotline.realtime.bufferedBytes();

  for (const c of live) c.hangup();
  await sleep(Math.min(5000, 5 * o.timeScale));
  stopBeats();
  for (const t of slowAsks) clearInterval(t);
  const slowStillOpen = slowSockets.filter((s) => !s.destroyed).length;
  for (const ws of sockets) ws.terminate();
  for (const s of slowSockets) s.destroy();
  await h.close();
  removeGuards();
  process.off('unhandledRejection', onRejection);
  fs.rmSync(tmp, { recursive: true, force: true });

  // ------------------------------------------------------------------------------------------ report
  console.log(`\nAfter ${o.duration} s of arrivals: ${placed} calls placed (${(placed / o.duration).toFixed(1)}/s)`);
  console.log('Messages received per client, by role (events, floor updates, snapshots):');
  for (const [role, c] of perRole) {
    const n = accounts.filter((a) => (a.slow ? 'dispatcher (slow)' : a.role) === role).length;
    console.log(`  ${role.padEnd(18)} ${String(n).padStart(4)} clients  ${(c.events / n).toFixed(0).padStart(6)} events  ${(c.updates / n).toFixed(0).padStart(5)} updates  ${(c.snapshots / n).toFixed(1).padStart(4)} snapshots`);
  }
  console.log('\nDelay from the state change to its arrival at each client:');
  console.log(`  domain events (published → received):      ${summary(eventDelays)}${unmatched ? ` (${unmatched} not matched to a stamp)` : ''}`);
  console.log(`  floor updates (first change → received):   ${summary(floorDelays)}`);
  if (alertDelays.length) console.log(`  alerts (raised/cleared → received):          ${summary(alertDelays)}`);
  console.log(`Floor recomputations (board, alerts, fan-out):   ${summary(flushTimes)}`);
  console.log(lag.describe());
  console.log(
    `\nSlow clients: ${delivery.fellBehind} fell behind, ${delivery.discarded} floor messages discarded for them, ${delivery.resynced} resynced, ` +
      `${delivery.staleNow} still behind at the end; ${slowStillOpen} of ${slowSockets.length} still connected (the bench turns off the ping check that would drop them within a minute)`,
  );
  console.log(`  bytes queued in ws for every socket at the end: ${mb(bufferedAtEnd)} (bound: 256 KiB per slow client, ${mb(o.slow * (256 << 10))} for ${o.slow})`);
  console.log('Memory (RSS / heap used / ws queued), every 10 s of the run:');
  for (const s of samples.filter((_, i) => i % 10 === 0 || i === samples.length - 1)) console.log(`  t=${s.t.toFixed(0).padStart(3)} s  ${mb(s.rss).padStart(9)}  ${mb(s.heap).padStart(9)}  ${mb(s.buffered).padStart(8)}`);
  const half = samples.slice(Math.floor(samples.length / 2));
  const slope = (key: 'rss' | 'heap') => {
    const n = half.length;
    const mt = half.reduce((a, s) => a + s.t, 0) / n;
    const mv = half.reduce((a, s) => a + s[key], 0) / n;
    const num = half.reduce((a, s) => a + (s.t - mt) * (s[key] - mv), 0);
    const den = half.reduce((a, s) => a + (s.t - mt) ** 2, 0);
    return den ? num / den : 0;
  };
  console.log(`  trend over the second half: RSS ${(slope('rss') / 1e3).toFixed(0)} kB/s, heap ${(slope('heap') / 1e3).toFixed(0)} kB/s; peak RSS ${mb(Math.max(...samples.map((s) => s.rss)))}`);
  const p99 = new Spread(eventDelays).at(99);
  console.log(`\nTarget p99 < 100 ms for events: ${p99 < 100 ? 'met' : 'NOT met'} (${p99.toFixed(1)} ms). Crashes: ${crashes.length}`);
  for (const c of crashes.slice(0, 5)) console.log(`  ${c}`);
  return crashes.length || !(p99 < 100) ? 1 : 0;
}

await runBench(USAGE, parseOptions, main);
