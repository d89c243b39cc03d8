// The agent's hold of the customer end to end: the API puts the customer's conference leg on hold at the simulator
// (which fetches our signed hold-music TwiML), call_holds rows are written (and an open one closed at the call's end),
// the floor and the agent hear of it, and the analysed recording counts the hold as hold time, not as silence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import Redis from 'ioredis';
import { eq } from 'drizzle-orm';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { interleavedWav } from '../../src/recordings/wav';
import { analyseCallAudio } from '../../src/recordings/audio-signals';
import { callHolds, recordings } from '../../src/db/schema/index';
import { CALLBACK_MODES, startHotlineWithSimulator, startWorker, type SimFixture } from '../support/sim-fixture';
import { AgentDesk, api } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import { deleteKeys } from '../support/redis-suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LI_NA = '+8613911112222';
/** Simulated seconds the customer is held: over the 30 s long-silence flag, were the hold counted as silence. */
const HOLD_SECONDS = 36;

for (const mode of CALLBACK_MODES) describe(`agent hold and resume of the customer, end to end (simulator, real Redis; ${mode.name})`, function () {
  this.timeout(60000);
  const runId = `hotline-test-hold-${process.pid}-${Date.now().toString(36)}-${mode.name.split(' ')[1]}`;
  let testNo = 0;
  let redis: Redis;
  let f: SimFixture;
  let desks: AgentDesk[];
  let stopBackground: (() => Promise<void>) | undefined;
  let dir: string;
  let prefix: string;

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
  });
  after(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    testNo += 1;
    prefix = `${runId}-${testNo}`;
    desks = [];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hold-'));
    // 40 ms per simulated second: REST round trips and the event loop shared with the worker move the server's stamps
    // by a few real milliseconds, which must stay well under the half second of simulated time the checks allow.
    f = await startHotlineWithSimulator({}, { timeScale: 40, simulatedServerClock: true, acdTickMs: 10, callbackOrder: mode.order });
    const bg = startWorker(f, { prefix, recordingStore: new LocalRecordingStore(dir) });
    stopBackground = () => bg.stop();
  });
  afterEach(async () => {
    for (const d of desks) d.close();
    await stopBackground?.();
    await f.close();
    await deleteKeys(redis, `${prefix}:*`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const simSleep = (simSeconds: number) => new Promise((r) => setTimeout(r, f.sim.clock.ms(simSeconds)));

  /** agent1 answers an inbound call; resolves once the customer is in the conference and recorded. */
  async function connectedCall(script: Record<string, unknown>[]) {
    const agent = await AgentDesk.signIn(f, 'agent1', { script: [{ wait: 300 }, { hangup: true }] });
    desks.push(agent);
    expect((await agent.setState('available')).status).to.equal(200);
    const call = f.dial(LI_NA, [{ press: '1' }, { press: '0' }, ...script]);
    const row = await eventually(() => {
      const r = f.hotline.db.select().from(recordings).where(eq(recordings.callSid, call.sid)).get();
      expect(r, 'recordings row').to.not.equal(undefined);
      return r!;
    }, 20000);
    const participant = () => f.sim.conferences.list().map((c) => c.find(call.sid)).find((p) => p && p.status === 'connected');
    await eventually(() => expect(participant(), 'customer in the conference').to.not.equal(undefined), 5000);
    return { agent, call, row, participant };
  }

  it('hold puts the customer on hold at the carrier with our hold music, resume takes them back; the hold is stored, published, and left out of talk and silence', async () => {
    const { agent, call, row, participant } = await connectedCall([{ wait: 70 }, { hangup: true }]);
    // The dispatcher watching the floor.
    const floor = await AgentDesk.signIn(f, 'dispatcher1');
    desks.push(floor);
    expect((await agent.request('POST', '/api/calls/current/resume', {})).status, 'not on hold yet').to.equal(409);
    await simSleep(10);

    const held = await agent.request('POST', '/api/calls/current/hold', {});
    expect(held.status, JSON.stringify(held.body)).to.equal(200);
    expect(held.body).to.include({ onHold: true, interactionId: row.interactionId });
    expect(participant()!.hold, 'participant on hold at the carrier').to.equal(true);
    expect((await agent.request('POST', '/api/calls/current/hold', {})).status, 'already on hold').to.equal(409);
    // The carrier fetched our signed hold-music TwiML and plays it to the customer.
    await eventually(() => expect(call.transcript.some((e) => e.kind === 'play' && e.detail?.hold === 'true' && e.text === f.config.holdMusicUrl)).to.equal(true), 3000);

    await simSleep(HOLD_SECONDS);
    const resumed = await agent.request('POST', '/api/calls/current/resume', {});
    expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
    expect(resumed.body).to.include({ onHold: false });
    expect(participant()!.hold).to.equal(false);

    const holds = f.hotline.db.select().from(callHolds).where(eq(callHolds.callSid, call.sid)).all();
    expect(holds).to.have.length(1);
    expect(holds[0]).to.include({ interactionId: row.interactionId, startedBy: agent.id });
    const storedSeconds = (holds[0].endedAt!.getTime() - holds[0].startedAt.getTime()) / 1000;
    // Real timers on a loaded machine oversleep: at least the hold asked for (the exact length is compared below).
    expect(storedSeconds).to.be.at.least(HOLD_SECONDS - 0.5);
    // The simulator's own record of the hold (its timeline) agrees with ours.
    const simHold = f.sim.recordings.list({ callSid: call.sid })[0].holds[0];
    expect(simHold.end! - simHold.start).to.be.closeTo(storedSeconds, 0.5);
    // The agent's desktop and the floor heard both changes.
    await eventually(() => expect(agent.messages.filter((m) => m.type === 'CallHoldChanged').map((m) => m.onHold)).to.deep.equal([true, false]), 3000);
    await eventually(() => expect(floor.messages.filter((m) => m.type === 'CallHoldChanged').map((m) => [m.onHold, m.agentId])).to.deep.equal([[true, agent.id], [false, agent.id]]), 3000);

    await call.done;
    const analysed = await eventually(() => {
      const r = f.hotline.db.select().from(recordings).where(eq(recordings.id, row.id)).get()!;
      expect(r.analysedAt, 'analysed').to.be.instanceOf(Date);
      return r;
    }, 20000);
    expect(analysed.holdSeconds).to.be.closeTo(storedSeconds, 0.5);
    expect(analysed.holdSeconds).to.be.closeTo(simHold.end! - simHold.start, 1);
    // Silence during the hold is not counted: the conversation around it has no gap near 30 s.
    expect(analysed.longestSilenceSeconds).to.be.below(15);
    expect(JSON.parse(analysed.flags)).to.not.include('long_silence');
    // …while the same audio analysed without the hold intervals would find the hold as one long silence.
    const audio = interleavedWav(fs.readFileSync(path.join(dir, analysed.storageKey!)));
    const blind = analyseCallAudio(audio, { customerChannel: 0 });
    expect(blind.longestSilence!.seconds).to.be.greaterThan(HOLD_SECONDS - 2);
    expect(blind.flags).to.include('long_silence');

    // The recording in the API carries the hold as a marker, like pauses.
    const qa = await api(f, 'POST', '/api/auth/login', undefined, { username: 'qc1', password: 'hotline-demo' });
    const detail = await api(f, 'GET', `/api/recordings/${row.id}`, qa.body.token as string);
    expect(detail.status, JSON.stringify(detail.body)).to.equal(200);
    const markers = detail.body.holds as { start: number; end: number }[];
    expect(markers).to.have.length(1);
    expect(markers[0].end - markers[0].start).to.be.closeTo(storedSeconds, 0.2);
    expect(markers[0].start).to.be.closeTo(simHold.start, 1);
    expect((detail.body.figures as { holdSeconds: number }).holdSeconds).to.equal(analysed.holdSeconds);
  });

  it('a hold still open when the call ends is closed at the call\'s end', async () => {
    const { agent, call, row } = await connectedCall([{ wait: 30 }, { hangup: true }]);
    await simSleep(5);
    expect((await agent.request('POST', '/api/calls/current/hold', {})).status).to.equal(200);
    await call.done;
    const hold = await eventually(() => {
      const h = f.hotline.db.select().from(callHolds).where(eq(callHolds.interactionId, row.interactionId!)).get()!;
      expect(h.endedAt, 'closed').to.be.instanceOf(Date);
      return h;
    }, 5000);
    const ix = f.hotline.acdRepos.interactions.get(row.interactionId!)!;
    expect(ix.status).to.equal('ended');
    expect(hold.endedAt!.getTime()).to.equal(ix.endedAt!.getTime());
    expect((await agent.request('POST', '/api/calls/current/resume', {})).status, 'no live call any more').to.equal(404);
  });
});
