// The hotline the in-process benchmarks run against: the real server (createHotline on a fresh SQLite file in the
// bench's temporary directory, the demo data, the hotline open whatever the hour) and the carrier simulator, in this one
// process on 127.0.0.1, the server's clock on the simulator's time from OPEN_HOURS; and the front-desk agents with
// simulated softphones that the benches answer calls with.
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import type { Logger } from '../../src/logging/logger';
import { openDatabase } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { agentDesks, agentPresence, staff } from '../../src/db/schema/index';
import { createHotline, type HotlineOptions } from '../../src/hotline';
import { CarrierSimulator } from '../../src/sim/index';
import { simulatorAccount } from '../../src/sim/embedded';
import { VoiceTokenIssuer } from '../../src/telephony/voice-token';
import { OPEN_HOURS, freePort } from '../../test/support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../../test/support/password-cost';

export interface InProcessOptions {
  /** The bench's temporary directory: the database goes in it. */
  tmp: string;
  log: Logger;
  /** LOG_LEVEL of the server's config (the level `log` was made with). */
  logLevel: string;
  /** Real milliseconds per simulated second. */
  timeScale: number;
  /** The simulator ends a call longer than this. */
  maxCallSeconds: number;
  /** Where the server reaches the carrier's REST API, given the simulator: its own URL unless this says otherwise (e.g. a faulty proxy). */
  carrierApiBaseUrl?: (sim: CarrierSimulator) => Promise<string> | string;
  /** More of the server's options (its carrier timeout, the WebSocket server's bounds). */
  hotline?: Pick<HotlineOptions, 'carrierTimeoutMs' | 'realtime'>;
}

export type InProcessHotline = Awaited<ReturnType<typeof startInProcessHotline>>;

export async function startInProcessHotline(o: InProcessOptions) {
  const config = loadConfig({ PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_FILE: path.join(o.tmp, 'hotline.sqlite'), LOG_LEVEL: o.logLevel, HOTLINE_HOURS: 'open' });
  const sim = new CarrierSimulator({ ...simulatorAccount(config), timeScale: o.timeScale, maxCallSeconds: o.maxCallSeconds });
  await sim.listen(0, '127.0.0.1');
  const carrierApiBaseUrl = o.carrierApiBaseUrl ? await o.carrierApiBaseUrl(sim) : sim.baseUrl;
  // The server's clock runs on simulated time from a Monday 11:00 (wrap-ups, ring timeouts and heartbeats agree with the simulator).
  const origin = new Date(OPEN_HOURS).getTime();
  const clock = { now: () => new Date(origin + Math.round(sim.clock.now() * 1000)) };
  const db = openDatabase(config.databaseFile);
  seedDemoData(db, { now: clock.now() });
  seedDemoStaff(db, { now: clock.now(), passwordCost: TEST_PASSWORD_COST });
  const hotline = createHotline({ config, log: o.log, clock, db, carrierApiBaseUrl, acdTickMs: Math.max(20, Math.min(1000, o.timeScale)), ...o.hotline });
  await hotline.listen(config.port, '127.0.0.1');
  const transact = transactor(db, hotline.groupCommit);
  return {
    config,
    sim,
    clock,
    db,
    hotline,
    transact,
    /** The id the next staff row gets. */
    nextStaffId: () => (db.$client.prepare('SELECT coalesce(max(id), 0) + 1 AS id FROM staff').get() as { id: number }).id,
    /** Closes the server, the simulator and the database. */
    async close() {
      await hotline.close();
      await sim.close();
      db.$client.close();
    },
  };
}

/**
 * `n` agents as staff on the front desk (skill 3), available, the first the longest idle; `username(i)` names the
 * i-th (from 0). Returns their ids in that order.
 */
export function seedFrontDeskAgents(h: InProcessHotline, n: number, username: (i: number) => string): number[] {
  const firstId = h.nextStaffId();
  const agentIds = Array.from({ length: n }, (_, i) => firstId + i);
  h.transact(() => {
    const now = h.clock.now();
    agentIds.forEach((id, i) => {
      h.db.insert(staff).values({ id, username: username(i), displayName: `Bench agent ${i + 1}`, role: 'agent', passwordHash: 'bench$not-a-password', active: true, createdAt: now }).run();
      h.db.insert(agentDesks).values({ staffId: id, desk: 'front', skill: 3 }).run();
      h.db.insert(agentPresence).values({ staffId: id, state: 'available', since: now, lastHeartbeat: now, idleSince: new Date(now.getTime() - i) }).run();
    });
  });
  return agentIds;
}

/**
 * A softphone for each agent, registered with a real voice token, that answers after `answerAfter` simulated seconds,
 * talks `talk()` seconds and hangs up. `talkOf(i)` gives the i-th agent's draw; it is asked in the agents' order, each
 * just before that agent's phone is registered, and the phone draws its next call's talk time when it starts ringing
 * (the simulator copies the script then). Then the desktops' heartbeats, every 10 simulated seconds (an agent silent
 * for 30 s is put offline): the returned function stops them.
 */
export function softphonesAndHeartbeats(
  h: InProcessHotline,
  agents: { id: number; username: string }[],
  o: { answerAfter: number; timeScale: number; talkOf: (i: number) => () => number },
): () => void {
  const issuer = VoiceTokenIssuer.fromConfig(h.config.twilio)!;
  agents.forEach(({ id, username }, i) => {
    const talk = o.talkOf(i);
    const { token, identity } = issuer.issue({ id, username });
    const phone = h.sim.registerSoftphone({ identity, token, answerAfter: o.answerAfter, script: [{ wait: talk() }, { hangup: true }] });
    phone.on('ringing', () => (phone.script = [{ wait: talk() }, { hangup: true }]));
  });
  const ids = agents.map((a) => a.id);
  const beats = setInterval(() => {
    const at = h.clock.now();
    h.transact(() => ids.forEach((id) => h.hotline.acdRepos.presence.heartbeat(id, at)));
  }, o.timeScale * 10);
  return () => clearInterval(beats);
}
