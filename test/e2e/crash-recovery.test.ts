// Recovery after a crash: kill -9 the web process while callers wait, an agent rings and others talk; the carrier
// (a simulator that outlives the server) keeps the calls; the restarted server reconciles and picks them up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { CarrierSimulator, type SimCall } from '../../src/sim/index';
import type { CallSession } from '../../src/sim/call-session';
import { simulatorAccount } from '../../src/sim/embedded';
import { freePort } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { openHoursTimeZone, startServerProcess, type ServerProcess } from '../support/server-process';

/** Language 1 (普通话), then 0 (an agent), then stay on the line. */
const TO_AGENT = [{ press: '1' }, { press: '0' }, { wait: 100000 }];
/** When the carrier ended the call (what its REST API reports as end_time). */
const endTime = (c: SimCall) => (c as CallSession).endTime!.getTime();
const caller = (n: number) => `+86150000001${String(n).padStart(2, '0')}`;

interface Row {
  [k: string]: unknown;
}

describe('crash recovery: kill -9 of the web process, restart on the same database, the carrier kept the calls', function () {
  this.timeout(60000);
  let dir: string;
  let sim: CarrierSimulator;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;
  let base: string;
  let db: Database.Database;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-crash-'));
    const port = await freePort();
    env = {
      PORT: String(port),
      DATABASE_FILE: path.join(dir, 'hotline.sqlite'),
      SIMULATOR_SECRET: randomBytes(16).toString('hex'),
      TZ: openHoursTimeZone(),
      // 150 real ms per simulated second: an agent's softphone rings 2.25 s, the wait music loops every 1.5 s.
      SIMULATOR_TIME_SCALE: '150',
    };
    // The carrier outlives the server: here a simulator in the test process (`npm run sim` runs the same thing alone).
    const config = loadConfig({ ...env });
    sim = new CarrierSimulator({
      ...simulatorAccount(config),
      timeScale: 150,
      maxCallSeconds: 100000,
    });
    env.SIMULATOR_URL = await sim.listen(0, '127.0.0.1');
    base = config.publicBaseUrl;
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await sim?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function api(method: string, p: string, token?: string, body?: unknown) {
    const res = await fetch(base + p, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  }

  /** Signs the agent in, registers their softphone with the carrier and makes them available. */
  async function agent(username: string, phone: { answerAfter: number | 'never' }) {
    const login = await api('POST', '/api/auth/login', undefined, { username, password: 'hotline-demo' });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    const token = login.body.token as string;
    const voice = await api('GET', '/api/voice/token', token);
    sim.registerSoftphone({ identity: voice.body.identity, token: voice.body.token, answerAfter: phone.answerAfter, script: [{ wait: 100000 }] as never });
    expect((await api('PUT', '/api/agents/me/state', token, { state: 'available' })).status).to.equal(200);
    return { id: login.body.staff.id as number, token };
  }

  const one = (sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as Row | undefined;
  const all = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as Row[];
  const entry = (sid: string) => one('select * from queue_entries where call_sid = ?', sid);
  const state = (id: number) => one('select state from agent_presence where staff_id = ?', id)?.state;
  const liveIx = (sid: string) => one("select * from interactions where call_sid = ? and status in ('offered', 'connected')", sid);

  it('waiting callers keep their places, the ringing offer goes back, the live conversation stays, ended calls close with their true end time', async () => {
    server = startServerProcess(env);
    await server.waitFor(/reconciled with the carrier/);
    db = new Database(env.DATABASE_FILE, { readonly: true });

    // Two agents take two calls: both conversations run.
    const a1 = await agent('agent1', { answerAfter: 1 });
    const a3 = await agent('agent3', { answerAfter: 1 });
    const talking: SimCall = sim.placeCall({ from: caller(1), to: '+864008008888', script: TO_AGENT as never });
    const endsInOutage: SimCall = sim.placeCall({ from: caller(2), to: '+864008008888', script: TO_AGENT as never });
    await eventually(() => {
      expect(liveIx(talking.sid)?.status).to.equal('connected');
      expect(liveIx(endsInOutage.sid)?.status).to.equal('connected');
    }, 20000);

    // Three more wait (nobody is free); then agent2 comes in with a softphone that rings and is never answered.
    const three = [3, 4, 5].map((n) => sim.placeCall({ from: caller(n), to: '+864008008888', script: TO_AGENT as never }));
    await eventually(() => {
      for (const c of three) expect(entry(c.sid)?.status, c.from).to.equal('waiting');
      expect(sim.queues.list().reduce((n, q) => n + q.size, 0), 'callers in the carrier queue').to.equal(3);
    }, 20000);
    const placesBefore = new Map(three.map((c) => [c.sid, entry(c.sid)!]));
    const a2 = await agent('agent2', { answerAfter: 'never' });
    const offer = await eventually(() => {
      const ix = one("select * from interactions where agent_id = ? and status = 'offered'", a2.id);
      expect(ix?.status).to.equal('offered');
      expect(state(a2.id)).to.equal('reserved');
      return ix!;
    }, 5000);
    // The one being rung, one who keeps waiting, one who will hang up while the server is down.
    const rung = three.find((c) => c.sid === offer.call_sid)!;
    const [waits, hangsUpInOutage] = three.filter((c) => c !== rung);

    // kill -9 while the agent's softphone rings.
    server.child.kill('SIGKILL');
    expect((await server.exited).signal).to.equal('SIGKILL');
    const talkingAgent = liveIx(talking.sid)!.agent_id as number;
    const freedAgent = liveIx(endsInOutage.sid)!.agent_id as number;

    // While the server is down: a waiting caller and a talking caller hang up.
    hangsUpInOutage.hangup();
    endsInOutage.hangup();
    await Promise.all([hangsUpInOutage.done, endsInOutage.done]);
    await new Promise((r) => setTimeout(r, 2500)); // the agent's ring times out at the carrier too
    expect(talking.status, 'the carrier kept the conversation').to.equal('in-progress');

    server = startServerProcess(env);
    await server.waitFor(/reconciled with the carrier/);

    // A waiting caller who hung up during the outage: abandoned at the carrier's end time, never offered (no ghost call).
    const gone = entry(hangsUpInOutage.sid)!;
    expect(gone.status).to.equal('abandoned');
    expect(Math.abs((gone.ended_at as number) - endTime(hangsUpInOutage))).to.be.below(1000);
    const goneCall = one('select * from calls where sid = ?', hangsUpInOutage.sid)!;
    expect(Math.abs((goneCall.ended_at as number) - endTime(hangsUpInOutage))).to.be.below(1000);
    expect(all('select * from interactions where call_sid = ?', hangsUpInOutage.sid)).to.deep.equal([]);

    // The conversation that ended during the outage: closed with its true end time; its agent is not left on_call.
    const ended = one('select * from interactions where call_sid = ?', endsInOutage.sid)!;
    expect(ended.status).to.equal('ended');
    expect(Math.abs((ended.ended_at as number) - endTime(endsInOutage))).to.be.below(1000);
    const endedCall = one('select * from calls where sid = ?', endsInOutage.sid)!;
    expect(endedCall.ended_at, 'the call record is closed').to.be.a('number');
    expect(endedCall.status).to.equal('completed');
    expect(state(freedAgent)).to.be.oneOf(['wrap_up', 'available']);

    // The live conversation stays connected to its agent.
    expect(liveIx(talking.sid)).to.include({ status: 'connected', agent_id: talkingAgent });
    expect(state(talkingAgent)).to.equal('on_call');
    expect(one('select ended_at from calls where sid = ?', talking.sid)!.ended_at).to.equal(null);

    // The ringing offer never answered: withdrawn, the call back in its place (same priority, same time queued).
    expect(one('select status from interactions where id = ?', offer.id)!.status).to.equal('withdrawn');
    for (const c of [rung, waits]) {
      const now = entry(c.sid)!;
      expect(now.status, c.from).to.equal('waiting');
      expect(now.enqueued_at).to.equal(placesBefore.get(c.sid)!.enqueued_at);
      expect(now.priority).to.equal(placesBefore.get(c.sid)!.priority);
    }
    // Agent2 is not held by the stale offer: free, or ringing for a new offer.
    const a2Live = one("select * from interactions where agent_id = ? and status in ('offered', 'connected')", a2.id);
    if (a2Live) expect(a2Live.id as number).to.be.greaterThan(offer.id as number);
    else expect(state(a2.id)).to.be.oneOf(['available', 'missed']);

    // Nobody is reserved or on a call without a live interaction behind it.
    const held = all("select p.staff_id, p.state from agent_presence p where p.state in ('reserved', 'on_call') and not exists (select 1 from interactions i where i.agent_id = p.staff_id and i.status in ('offered', 'connected'))");
    expect(held).to.deep.equal([]);
    expect(a1.id + a3.id).to.be.greaterThan(0);

    server.child.kill('SIGTERM');
    await server.exited;
  });
});
