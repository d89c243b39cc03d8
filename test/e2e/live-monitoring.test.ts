// Listen, whisper, barge end to end: a customer talks to an agent through the carrier simulator, and a dispatcher,
// team lead or quality controller joins from their softphone; the simulator says who hears whom at each step.
import { expect } from 'chai';
import { CALLBACK_MODES, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk, desksPerTest } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import type { SimCall } from '../../src/sim/index';
import { flakyCarrier, type FlakyCarrier } from '../support/flaky-carrier';
import type { InteractionRow } from '../../src/acd/interactions.repo';

const LI_NA = '+8613911112222';
const ZHANG_WEI = '+8613700001111';
/** Language 1 (普通话), then 0 (an agent), then stay on the line. */
const toAgent = (then: Record<string, unknown>[] = [{ wait: 900 }]) => [{ press: '1' }, { press: '0' }, ...then];
/** A monitor's softphone answers after a simulated second and stays in the call until told otherwise. */
const MONITOR_PHONE = { answerAfter: 1, script: [{ wait: 900 }] };

interface SessionView {
  id: number;
  agentId: number;
  interactionId: number;
  mode: string;
  status: string;
  endReason: string | null;
}

for (const mode of CALLBACK_MODES) describe(`listen, whisper, barge on a live call, through the server and the carrier simulator (${mode.name})`, function () {
  this.timeout(60000);
  let f: SimFixture;
  const signIn = desksPerTest(async () => (f = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10, callbackOrder: mode.order })));

  /** agent1 answers a customer; resolves once both are talking in the interaction's conference. */
  async function liveCall(agentName = 'agent1', from = LI_NA): Promise<{ agent: AgentDesk; call: SimCall; ix: InteractionRow }> {
    const agent = await signIn(agentName, { script: [{ wait: 900 }] });
    expect((await agent.setState('available')).status).to.equal(200);
    const call = f.dial(from, toAgent());
    const ix = await eventually(() => {
      const [row] = f.hotline.acdRepos.interactions.forCall(call.sid);
      expect(row?.status).to.equal('connected');
      expect(row.agentCallSid).to.match(/^CA/);
      expect(f.sim.audibility(row.conference)?.status).to.equal('in-progress');
      return row;
    }, 20000);
    return { agent, call, ix };
  }

  const monitor = (d: AgentDesk, method: string, agentId: number, body?: unknown) => d.request(method, `/api/calls/live/${agentId}/monitor`, body);
  const hears = (callSid: string) => [...(f.sim.whoHears(callSid) ?? ['(in no conference)'])].sort();
  const sorted = (...sids: string[]) => [...sids].sort();
  const joined = (d: AgentDesk, agentId: number) =>
    eventually(async () => {
      const res = await monitor(d, 'GET', agentId);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.status).to.equal('joined');
      return res.body as unknown as SessionView;
    }, 10000);
  const monitorLeg = (d: AgentDesk) => d.softphone.currentCall!.sid;
  const beeps = (sid: string) => f.sim.call(sid)!.transcript.filter((e) => e.kind === 'play' && e.text === 'beep');

  async function auditOf(interactionId: number) {
    const supervisor = await signIn('supervisor1');
    const res = await supervisor.request('GET', `/api/audit?subjectType=interaction&subjectId=${interactionId}`);
    expect(res.status).to.equal(200);
    return (res.body.entries as { id: number; action: string; actorId: number | null; reason: string | null; ip: string | null; detail: Record<string, unknown> }[]).sort((a, b) => a.id - b.id);
  }

  it('a dispatcher listens unheard, whispers to the agent only, barges in for all, goes back to listening and leaves; each step audited and on the floor', async () => {
    const { agent, call, ix } = await liveCall();
    const dispatcher = await signIn('dispatcher1', MONITOR_PHONE);
    const customer = call.sid;
    const agentLeg = ix.agentCallSid!;

    const started = await monitor(dispatcher, 'POST', agent.id, { mode: 'listen', reason: 'new agent, first week' });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    expect(started.body).to.include({ agentId: agent.id, interactionId: ix.id, mode: 'listen', status: 'ringing' });
    await joined(dispatcher, agent.id);
    const sup = monitorLeg(dispatcher);
    expect(f.sim.call(sup)!.to).to.equal('client:agent-dispatcher1');

    // Listen: the supervisor hears both; neither the customer nor the agent hears the supervisor, and no beep told them.
    await eventually(() => expect(hears(sup)).to.deep.equal(sorted(customer, agentLeg)));
    expect(hears(customer)).to.deep.equal([agentLeg]);
    expect(hears(agentLeg)).to.deep.equal([customer]);
    expect(beeps(customer)).to.deep.equal([]);
    expect(beeps(agentLeg)).to.deep.equal([]);

    // The floor shows who is on the agent's line (the board is recomputed at most every few hundred ms); the agent's
    // own desktop is told nothing.
    await eventually(async () => {
      const floor = await dispatcher.request('GET', '/api/floor');
      expect(floor.body.monitoring).to.deep.include.members([
        { sessionId: started.body.id, agentId: agent.id, monitorId: dispatcher.id, monitorName: '吴涛', mode: 'listen', status: 'joined', since: (floor.body.monitoring as { since: string }[])[0].since },
      ]);
    }, 3000);

    // Whisper: only the agent hears the supervisor.
    const whisper = await monitor(dispatcher, 'PATCH', agent.id, { mode: 'whisper', reason: 'offer the return policy' });
    expect(whisper.status, JSON.stringify(whisper.body)).to.equal(200);
    expect(whisper.body).to.include({ mode: 'whisper', status: 'joined' });
    expect(hears(agentLeg)).to.deep.equal(sorted(customer, sup));
    expect(hears(customer)).to.deep.equal([agentLeg]);
    expect(hears(sup)).to.deep.equal(sorted(customer, agentLeg));

    // Barge: everyone hears the supervisor.
    expect((await monitor(dispatcher, 'PATCH', agent.id, { mode: 'barge' })).body).to.include({ mode: 'barge' });
    expect(hears(customer)).to.deep.equal(sorted(agentLeg, sup));
    expect(hears(agentLeg)).to.deep.equal(sorted(customer, sup));

    // Back to listening: unheard again.
    expect((await monitor(dispatcher, 'PATCH', agent.id, { mode: 'listen' })).body).to.include({ mode: 'listen' });
    expect(hears(customer)).to.deep.equal([agentLeg]);
    expect(hears(agentLeg)).to.deep.equal([customer]);

    // Leaving hangs up the supervisor's leg only: the customer and the agent go on talking.
    const left = await monitor(dispatcher, 'DELETE', agent.id, { reason: 'done' });
    expect(left.status, JSON.stringify(left.body)).to.equal(200);
    expect(left.body).to.include({ status: 'ended', endReason: 'left' });
    await f.sim.call(sup)!.done;
    await eventually(() => expect(f.sim.audibility(ix.conference)!.participants.map((p) => p.callSid).sort()).to.deep.equal(sorted(customer, agentLeg)));
    expect(hears(customer)).to.deep.equal([agentLeg]);
    expect(f.hotline.acdRepos.interactions.get(ix.id)!.status).to.equal('connected');
    expect(beeps(customer)).to.deep.equal([]);
    expect((await monitor(dispatcher, 'GET', agent.id)).status).to.equal(404);
    expect((await dispatcher.request('GET', '/api/floor')).body.monitoring).to.deep.equal([]);

    // Audited: who, what, when, why, from where.
    const audit = (await auditOf(ix.id)).filter((a) => a.action.startsWith('monitor.'));
    expect(audit.map((a) => [a.action, a.detail.mode ?? a.detail.to])).to.deep.equal([
      ['monitor.started', 'listen'],
      ['monitor.mode-changed', 'whisper'],
      ['monitor.mode-changed', 'barge'],
      ['monitor.mode-changed', 'listen'],
      ['monitor.stopped', 'listen'],
    ]);
    for (const a of audit) expect(a).to.include({ actorId: dispatcher.id });
    for (const a of audit) expect(a.ip).to.be.a('string').and.not.equal('');
    expect(audit.map((a) => a.reason)).to.deep.equal(['new agent, first week', 'offer the return policy', null, null, 'done']);
    expect(audit[1].detail).to.include({ from: 'listen', to: 'whisper', agentId: agent.id });

    // The floor feed carried each step to the dispatcher's wallboard; the agent's desktop got none of it.
    const monitorEvents = (d: AgentDesk) => d.messages.filter((m) => m.type.startsWith('Monitor')).map((m) => m.type);
    await eventually(() => expect(monitorEvents(dispatcher)).to.deep.equal(['MonitorStarted', 'MonitorModeChanged', 'MonitorModeChanged', 'MonitorModeChanged', 'MonitorEnded']));
    expect(monitorEvents(agent)).to.deep.equal([]);
  });

  it('a team lead joins only their own team’s calls; nobody monitors themselves, an agent without a call, or twice at once', async () => {
    const { agent } = await liveCall('agent1');
    const lead1 = await signIn('lead1', MONITOR_PHONE);
    const lead2 = await signIn('lead2', MONITOR_PHONE);
    const dispatcher = await signIn('dispatcher1', MONITOR_PHONE);
    const agent2 = f.hotline.db.$client.prepare("select id from staff where username = 'agent2'").get() as { id: number };

    // lead2 runs the middle/back-office team: agent1 (front desk) is not theirs, nor is an account that does not
    // exist, and both answers are the same.
    const other = await monitor(lead2, 'POST', agent.id, { mode: 'listen' });
    const none = await monitor(lead2, 'POST', 999999, { mode: 'listen' });
    expect(other.status).to.equal(403);
    expect(none.status).to.equal(403);
    expect(Object.keys(other.body).sort()).to.deep.equal(['error', 'message']);
    expect(lead2.softphone.ringing).to.equal(undefined);

    // Refusals with a message: no such agent (for others than a lead), no live call, oneself, a mode that does not exist.
    expect(await monitor(dispatcher, 'POST', 999999, { mode: 'listen' })).to.deep.include({ status: 404 });
    const idle = await monitor(dispatcher, 'POST', agent2.id, { mode: 'listen' });
    expect(idle.status).to.equal(409);
    expect(idle.body.message).to.match(/no live call/);
    const self = await monitor(dispatcher, 'POST', dispatcher.id, { mode: 'listen' });
    expect(self.status).to.equal(400);
    expect(self.body.message).to.match(/your own call/);
    const bad = await monitor(dispatcher, 'POST', agent.id, { mode: 'spy' });
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.match(/mode must be one of: listen, whisper, barge/);
    expect(await monitor(dispatcher, 'PATCH', agent.id, { mode: 'barge' })).to.deep.include({ status: 404 });

    // lead1 leads agent1's team: in, whispering; a second join by the same lead is refused while the first lasts.
    const lead = await monitor(lead1, 'POST', agent.id, { mode: 'whisper', reason: 'coaching' });
    expect(lead.status, JSON.stringify(lead.body)).to.equal(201);
    expect((await monitor(lead1, 'POST', agent.id, { mode: 'listen' })).status).to.equal(409);
    await joined(lead1, agent.id);
    const [ix] = f.hotline.acdRepos.interactions.forCall(f.hotline.acdRepos.interactions.get(lead.body.interactionId as number)!.callSid);
    await eventually(() => expect(hears(ix.agentCallSid!)).to.include(monitorLeg(lead1)));
    expect(hears(ix.callSid)).to.deep.equal([ix.agentCallSid]);
    // A dispatcher may listen in on the same call at the same time: unheard by all, and, like the customer, not
    // hearing the lead's whisper (a coach is heard by the coached call only).
    expect((await monitor(dispatcher, 'POST', agent.id, { mode: 'listen' })).status).to.equal(201);
    await joined(dispatcher, agent.id);
    const disp = monitorLeg(dispatcher);
    await eventually(() => expect(hears(disp)).to.deep.equal(sorted(ix.callSid, ix.agentCallSid!)));
    expect(hears(monitorLeg(lead1))).to.deep.equal(sorted(ix.callSid, ix.agentCallSid!));
    expect(hears(ix.agentCallSid!)).to.deep.equal(sorted(ix.callSid, monitorLeg(lead1)));
    expect(hears(ix.callSid)).to.deep.equal([ix.agentCallSid]);
    // The lead switches to barging: now the customer and the listening dispatcher hear the lead too.
    expect((await monitor(lead1, 'PATCH', agent.id, { mode: 'barge' })).body).to.include({ mode: 'barge' });
    expect(hears(ix.callSid)).to.deep.equal(sorted(ix.agentCallSid!, monitorLeg(lead1)));
    expect(hears(disp)).to.deep.equal(sorted(ix.callSid, ix.agentCallSid!, monitorLeg(lead1)));

    // The lead hangs up their softphone: their session ends, the call and the dispatcher's listening go on.
    const leadLeg = monitorLeg(lead1);
    lead1.softphone.hangup();
    await eventually(async () => expect((await monitor(lead1, 'GET', agent.id)).status).to.equal(404), 5000);
    expect(f.hotline.acdRepos.interactions.get(ix.id)!.status).to.equal('connected');
    expect(hears(ix.callSid)).to.deep.equal([ix.agentCallSid]);
    expect(f.hotline.monitoring.onFloor().map((m) => m.monitorId)).to.deep.equal([dispatcher.id]);
    const audit = await auditOf(ix.id);
    expect(audit.filter((a) => a.action === 'monitor.ended').map((a) => [a.reason, a.detail.monitorId])).to.deep.equal([['the monitor hung up', lead1.id]]);
    expect(f.sim.call(leadLeg)!.status).to.equal('completed');
  });

  it('when the call ends every monitor is let go (audited); joining a call that ended is refused with 409', async () => {
    const agent = await signIn('agent1', { script: [{ wait: 900 }] });
    expect((await agent.setState('available')).status).to.equal(200);
    // The customer hangs up 60 simulated seconds after the agent answers (3 real seconds).
    const call = f.dial(ZHANG_WEI, toAgent([{ wait: 60 }, { hangup: true }]));
    const ix = await eventually(() => {
      const [row] = f.hotline.acdRepos.interactions.forCall(call.sid);
      expect(row?.status).to.equal('connected');
      expect(f.sim.audibility(row.conference)?.status).to.equal('in-progress');
      return row;
    }, 20000);
    const qc = await signIn('qc1', MONITOR_PHONE);
    expect((await monitor(qc, 'POST', agent.id, { mode: 'listen', reason: 'QA sample' })).status).to.equal(201);
    const session = await joined(qc, agent.id);
    const sup = monitorLeg(qc);

    await call.done;
    await f.sim.call(sup)!.done;
    await eventually(() => expect(f.hotline.acdRepos.interactions.get(ix.id)!.status).to.equal('ended'), 10000);
    const ended = await eventually(async () => {
      const audit = await auditOf(ix.id);
      const e = audit.find((a) => a.action === 'monitor.ended');
      expect(e).to.not.equal(undefined);
      return e!;
    });
    expect(ended).to.include({ actorId: null, reason: 'the call ended' });
    expect(ended.detail).to.include({ sessionId: session.id, monitorId: qc.id, agentId: agent.id });
    expect((await monitor(qc, 'GET', agent.id)).status).to.equal(404);

    const late = await monitor(qc, 'POST', agent.id, { mode: 'barge' });
    expect(late.status).to.equal(409);
    expect(late.body.message).to.match(/no live call/);
    expect((await monitor(qc, 'DELETE', agent.id)).status).to.equal(404);
  });

  it('a monitor whose softphone does not answer is not left half in: the session ends and the agent’s call goes on', async () => {
    const { agent, call, ix } = await liveCall();
    const dispatcher = await signIn('dispatcher1', { answerAfter: 'never', script: [{ wait: 900 }] });
    expect((await monitor(dispatcher, 'POST', agent.id, { mode: 'barge' })).status).to.equal(201);
    await eventually(() => expect(dispatcher.softphone.ringing).to.not.equal(undefined), 5000);
    // Still ringing: switching waits for the answer.
    const early = await monitor(dispatcher, 'PATCH', agent.id, { mode: 'listen' });
    expect(early.status).to.equal(409);
    dispatcher.softphone.decline();
    await eventually(async () => expect((await monitor(dispatcher, 'GET', agent.id)).status).to.equal(404), 5000);
    const row = f.hotline.monitoring.onFloor();
    expect(row).to.deep.equal([]);
    expect(hears(call.sid)).to.deep.equal([ix.agentCallSid]);
    const audit = await auditOf(ix.id);
    expect(audit.find((a) => a.action === 'monitor.ended')?.reason).to.match(/did not answer|declined/);
  });
});

describe('listen, whisper, barge against a carrier that fails the participant requests', function () {
  this.timeout(60000);
  let f: SimFixture;
  let carrier: FlakyCarrier;
  /** Which participant requests (create, update) the carrier answers with a 500. */
  const failing = { create: false, update: false };

  const signIn = desksPerTest(async () => {
    failing.create = failing.update = false;
    const faulty = async (simulatorUrl: string) => {
      carrier = await flakyCarrier(simulatorUrl, (req) => {
        if (req.method !== 'POST') return undefined;
        const url = req.url ?? '';
        if (failing.create && /\/Participants\.json$/.test(url)) return 'error';
        if (failing.update && /\/Participants\/CA[0-9a-f]{32}\.json$/.test(url)) return 'error';
        return undefined;
      });
      return carrier.url;
    };
    return (f = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10, carrierApiBaseUrl: faulty }));
  });
  afterEach(() => carrier.close());
  const monitor = (d: AgentDesk, method: string, agentId: number, body?: unknown) => d.request(method, `/api/calls/live/${agentId}/monitor`, body);

  it('a refused join answers 503 and leaves no session; a refused switch answers 503 and keeps the mode', async () => {
    const agent = await signIn('agent1', { script: [{ wait: 900 }] });
    expect((await agent.setState('available')).status).to.equal(200);
    const call = f.dial(LI_NA, toAgent());
    const ix = await eventually(() => {
      const [row] = f.hotline.acdRepos.interactions.forCall(call.sid);
      expect(row?.status).to.equal('connected');
      expect(f.sim.audibility(row.conference)?.status).to.equal('in-progress');
      return row;
    }, 20000);
    const dispatcher = await signIn('dispatcher1', MONITOR_PHONE);

    failing.create = true;
    const refused = await monitor(dispatcher, 'POST', agent.id, { mode: 'listen' });
    expect(refused.status).to.equal(503);
    expect(refused.body).to.deep.equal({ error: 'busy', message: 'the carrier could not add you to the call; try again' });
    expect((await monitor(dispatcher, 'GET', agent.id)).status).to.equal(404);
    expect(f.hotline.monitoring.onFloor()).to.deep.equal([]);
    expect(dispatcher.softphone.ringing).to.equal(undefined);

    // The carrier is back: the same request goes through.
    failing.create = false;
    expect((await monitor(dispatcher, 'POST', agent.id, { mode: 'listen' })).status).to.equal(201);
    await eventually(async () => expect((await monitor(dispatcher, 'GET', agent.id)).body.status).to.equal('joined'), 10000);
    const sup = dispatcher.softphone.currentCall!.sid;

    failing.update = true;
    const stuck = await monitor(dispatcher, 'PATCH', agent.id, { mode: 'barge' });
    expect(stuck.status).to.equal(503);
    expect((await monitor(dispatcher, 'GET', agent.id)).body).to.include({ mode: 'listen', status: 'joined' });
    expect(f.sim.whoHears(call.sid)).to.deep.equal([ix.agentCallSid]);
    expect(f.sim.whoHears(sup)!.sort()).to.deep.equal([call.sid, ix.agentCallSid!].sort());

    const supervisor = await signIn('supervisor1');
    const audit = (await supervisor.request('GET', `/api/audit?subjectType=interaction&subjectId=${ix.id}`)).body.entries as { action: string; reason: string | null }[];
    expect(audit.map((a) => a.action).sort()).to.deep.equal(['monitor.ended', 'monitor.started', 'monitor.started']);
    expect(audit.find((a) => a.action === 'monitor.ended')!.reason).to.equal('the carrier could not add the monitor');
  });
});
