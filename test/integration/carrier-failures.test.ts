// Never down because one call failed: the ACD against a carrier whose REST calls time out or fail. Nothing crashes
// (no unhandled rejection), and every caller ends somewhere sane: waiting in place, or ended and recorded as such.
import { expect } from 'chai';
import { CarrierSimulator } from '../../src/sim/index';
import { simulatorAccount } from '../../src/sim/embedded';
import { OPEN_HOURS, startHotline, testConfig, type Fixture } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { flakyCarrier, isCallUpdate, type CarrierFault, type FlakyCarrier } from '../support/flaky-carrier';

const TO_AGENT = (waitSeconds: number) => [{ press: '1' }, { press: '0' }, { wait: waitSeconds }, { hangup: true }];

type Mode = CarrierFault;

/** Between the server and the carrier: creating calls (ringing agents) goes through; `mode` applies to the rest, or to everything. */
const flaky = (target: string, mode: Mode, scope: 'updates' | 'all') => flakyCarrier(target, (req) => (scope === 'all' || isCallUpdate(req) ? mode : undefined));

describe('the ACD against a carrier whose REST calls time out or fail', function () {
  this.timeout(60000);
  let sim: CarrierSimulator;
  let f: Fixture;
  let carrier: FlakyCarrier;
  let rejections: unknown[];
  const onRejection = (reason: unknown) => rejections.push(reason);

  async function start(mode: Mode, scope: 'updates' | 'all') {
    rejections = [];
    process.on('unhandledRejection', onRejection);
    const config = await testConfig();
    sim = new CarrierSimulator({
      ...simulatorAccount(config),
      timeScale: 20,
      maxCallSeconds: 900,
    });
    await sim.listen(0, '127.0.0.1');
    carrier = await flaky(sim.baseUrl, mode, scope);
    const start = new Date(OPEN_HOURS).getTime();
    f = await startHotline({}, { config, carrierApiBaseUrl: carrier.url, carrierTimeoutMs: 200, acdTickMs: 10, now: () => new Date(start + Math.round(sim.clock.now() * 1000)) });
  }

  let beats: NodeJS.Timeout | undefined;
  afterEach(async () => {
    clearInterval(beats);
    await f.hotline.dispatcher.idle();
    process.off('unhandledRejection', onRejection);
    await sim.close();
    await f.close();
    await carrier.close();
  });

  async function signInAgents(usernames: string[]) {
    const h = f.hotline;
    const agents: number[] = [];
    for (const username of usernames) {
      const row = h.db.$client.prepare('select id from staff where username = ?').get(username) as { id: number };
      const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'hotline-demo' }) });
      const token = ((await login.json()) as { token: string }).token;
      const voice = (await (await fetch(`${f.base}/api/voice/token`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { identity: string; token: string };
      sim.registerSoftphone({ identity: voice.identity, token: voice.token, answerAfter: 1, script: [{ wait: 20 }, { hangup: true }] as never });
      h.presence.request(row.id, { state: 'available' });
      agents.push(row.id);
    }
    // The desktops' heartbeats (the server's clock runs on simulated time: 30 s of silence is 0.6 s here).
    beats = setInterval(() => agents.forEach((id) => h.presence.heartbeat(id, f.clock.now())), 50);
    return agents;
  }

  /** After the calls: nobody left ringing or talking on nothing, and each call's entry says how it ended. */
  function expectSaneEnd(sids: string[], agents: number[]) {
    const h = f.hotline;
    for (const sid of sids) {
      const entry = h.repos.queue.forCall(sid);
      expect(entry?.status, sid).to.be.oneOf(['abandoned', 'bridged']);
      expect(h.acdRepos.interactions.liveForCall(sid), `no live interaction for ${sid}`).to.equal(undefined);
      expect(h.repos.calls.get(sid)?.endedAt, `call ${sid} closed`).to.be.an.instanceOf(Date);
    }
    for (const id of agents) expect(h.presence.get(id).state, `agent ${id}`).to.not.be.oneOf(['reserved', 'on_call']);
    expect(rejections.map(String), 'unhandled rejections').to.deep.equal([]);
  }

  for (const mode of ['timeout', 'error'] as const) {
    it(`redirecting the caller and hanging up the agent leg both ${mode === 'timeout' ? 'time out' : 'fail'}: the caller waits again, the agent is freed, no crash`, async () => {
      await start(mode, 'updates');
      const agents = await signInAgents(['agent1', 'agent2']);
      const calls = [1, 2, 3].map((n) => sim.placeCall({ from: `+861500000020${n}`, to: f.config.hotlineNumber, script: TO_AGENT(60) as never }));
      // The first answer's redirect fails: that caller is back in the queue, and no agent is left on a call with nobody.
      await eventually(() => {
        const failed = f.hotline.db.$client.prepare("select count(*) as n from interactions where status = 'withdrawn' and answered_at is not null").get() as { n: number };
        expect(failed.n).to.be.greaterThan(0);
      }, 25000); // simulated time on a shared machine: under load the first answer can take a while
      await Promise.all(calls.map((c) => c.done));
      await eventually(() => expectSaneEnd(calls.map((c) => c.sid), agents), 5000);
      expect(calls.every((c) => c.status === 'completed')).to.equal(true);
    });
  }

  it('every REST call times out (agents cannot even be rung): callers keep waiting until they hang up, agents go to missed, no crash', async () => {
    await start('timeout', 'all');
    const agents = await signInAgents(['agent1']);
    const calls = [1, 2].map((n) => sim.placeCall({ from: `+861500000030${n}`, to: f.config.hotlineNumber, script: TO_AGENT(40) as never }));
    await eventually(() => expect(f.hotline.presence.get(agents[0]).state).to.equal('missed'), 10000);
    await Promise.all(calls.map((c) => c.done));
    await eventually(() => expectSaneEnd(calls.map((c) => c.sid), agents), 5000);
    for (const c of calls) expect(f.hotline.repos.queue.forCall(c.sid)!.status).to.equal('abandoned');
  });
});
