// The front desk end to end: agents sign in, simulated callers queue, the ACD offers, rings, connects and records.
import { expect } from 'chai';
import { CALLBACK_MODES, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk, desksPerTest, type DeskMessage } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import type { SimCall } from '../../src/sim/index';

const VIP = '+8613800138000'; // 王芳
const LI_NA = '+8613911112222'; // returning, open RMA
const ZHANG_WEI = '+8613700001111'; // returning
const stranger = (n: number) => `+86150000000${String(n).padStart(2, '0')}`;

/** Language 1 (普通话), then 0 (an agent) at the main menu, then stay on the line. */
const toAgent = (then: Record<string, unknown>[] = [{ wait: 900 }]) => [{ press: '1' }, { press: '0' }, ...then];
const complaint = [{ press: '1' }, { press: '3' }, { wait: 900 }];

for (const mode of CALLBACK_MODES) describe(`front desk end to end: agents, queues and the ACD through the carrier simulator (${mode.name})`, function () {
  this.timeout(60000);
  let f: SimFixture;
  // 20 real ms per simulated second: ring timeouts (15 s) and wrap-ups (30 s) take a fraction of a second.
  const signIn = desksPerTest(async () => (f = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10, callbackOrder: mode.order })));
  const waiting = (sids: string[]) =>
    eventually(() => {
      for (const sid of sids) expect(f.hotline.repos.queue.forCall(sid)?.status, sid).to.equal('waiting');
    }, 20000);
  const interactions = (sid: string) => f.hotline.acdRepos.interactions.forCall(sid);
  const presence = (d: AgentDesk) => f.hotline.presence.get(d.id);

  it('one caller, one agent: screen pop before the answer, a recorded conference, wrap-up, then available again', async () => {
    const agent = await signIn('agent1', { script: [{ wait: 20 }, { hangup: true }] });
    expect((await agent.setState('available')).status).to.equal(200);
    const call = f.dial(LI_NA, toAgent());
    await call.done;

    const [ix] = interactions(call.sid);
    expect(ix).to.include({ status: 'ended', agentId: agent.id, conference: `interaction-${ix.id}` });
    expect(ix.answeredAt).to.be.an.instanceOf(Date);
    const entry = f.hotline.repos.queue.forCall(call.sid)!;
    expect(entry.status).to.equal('bridged');
    expect(entry.waitSeconds).to.be.a('number');

    // The pop reached the agent's desktop before the softphone answered, with the caller's account, RMA and IVR path.
    const pop = agent.messages.find((m) => m.type === "screenPop") as (DeskMessage & Record<string, any>) | undefined;
    expect(pop, JSON.stringify(agent.messages.map((m) => m.type))).to.not.equal(undefined);
    expect(pop!.callSid).to.equal(call.sid);
    expect(pop!.customer.name).to.equal('李娜');
    expect(pop!.openRmas.map((r: { number: string }) => r.number)).to.include('RMA20261101');
    expect(pop!.ivr.language).to.equal('zh');
    const popIndex = agent.messages.indexOf(pop!);
    const answeredIndex = agent.messages.findIndex((m) => m.type === 'CallAnswered');
    expect(answeredIndex).to.be.greaterThan(popIndex);

    // Both parties met in the interaction's conference; the caller heard the agent's side as a bridge, not an error.
    expect(call.transcript.filter((t) => t.kind === 'error')).to.deep.equal([]);
    expect(call.transcript.some((t) => t.kind === 'dial' && String(t.text).includes(`conference:interaction-${ix.id}`))).to.equal(true);
    const recorded = await eventually(() => {
      const r = f.hotline.acdRepos.interactions.get(ix.id)!;
      expect(r.recordingSid).to.match(/^RE[0-9a-f]{32}$/);
      return r;
    });
    expect(recorded.recordingUrl).to.include(recorded.recordingSid!);

    // Wrap-up after the call, then available again by itself; every transition is in the state log.
    await eventually(() => expect(presence(agent).state).to.equal('available'), 5000);
    const log = f.hotline.acdRepos.presence.stateLog(agent.id).map((r) => `${r.from}>${r.to}`);
    expect(log).to.include.ordered.members(['offline>available', 'available>reserved', 'reserved>on_call', 'on_call>wrap_up', 'wrap_up>available']);

    // The call ends with a disposition the agent sets.
    const disp = await agent.request('POST', `/api/interactions/${ix.id}/disposition`, { code: 'information_given' });
    expect(disp.status, JSON.stringify(disp.body)).to.equal(200);
    expect(f.hotline.acdRepos.interactions.get(ix.id)!.disposition).to.equal('information_given');
  });

  it('ten callers of different tiers at once, three agents: priority order, a missed call back in place, a callback and an abandon', async () => {
    const a1 = await signIn('agent1');
    const a2 = await signIn('agent2');
    const a4 = await signIn('agent4', { answerAfter: 'never' });

    const calls: Record<string, SimCall> = {
      vip: f.dial(VIP, [{ press: '1' }, { wait: 900 }]),
      complaint1: f.dial(stranger(1), complaint),
      complaint2: f.dial(stranger(2), complaint),
      liNa: f.dial(LI_NA, toAgent()),
      zhangWei: f.dial(ZHANG_WEI, toAgent()),
      new1: f.dial(stranger(3), toAgent()),
      new2: f.dial(stranger(4), toAgent()),
      new3: f.dial(stranger(5), toAgent()),
      callback: f.dial(stranger(6), toAgent([{ wait: 15 }, { press: '1' }, { wait: 60 }])),
      hangsUp: f.dial(stranger(7), toAgent([{ wait: 15 }, { hangup: true }])),
    };
    const sid = (k: string) => calls[k].sid;
    await waiting(Object.keys(calls).filter((k) => k !== 'callback' && k !== 'hangsUp').map(sid));

    // The callback caller pressed 1 while waiting: a callback request that keeps their time in the queue.
    await calls.callback.done;
    const cb = f.hotline.repos.callbacks.forCall(sid('callback'))!;
    expect(cb).to.include({ source: 'queue', status: 'open', desk: 'front', phone: stranger(6) });
    expect(cb.queueSeconds).to.be.at.least(10);
    // Its priority is the queue entry's, and its place in line counts the time already waited (an unknown caller: the center's zone).
    expect(cb.priority).to.equal(f.hotline.repos.queue.forCall(sid('callback'))!.priority);
    expect(cb.timeZone).to.equal('Asia/Shanghai');
    expect(cb.dueAt.getTime() - cb.eligibleAt.getTime()).to.equal(cb.queueSeconds * 1000);
    expect(f.hotline.repos.queue.forCall(sid('callback'))!.status).to.equal('callback');
    expect(calls.callback.heard().join(' ')).to.include('我们已记下您的回电请求');
    // The caller who hung up while waiting counts as abandoned, with the time waited.
    await calls.hangsUp.done;
    const gone = await eventually(() => {
      const e = f.hotline.repos.queue.forCall(sid('hangsUp'))!;
      expect(e.status).to.equal('abandoned');
      return e;
    });
    expect(gone.waitSeconds).to.be.at.least(10);

    // The dispatcher's floor: every waiting caller, per queue, in the order they will be offered.
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'dispatcher1', password: 'hotline-demo' }) });
    const floorRes = await fetch(`${f.base}/api/floor`, { headers: { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` } });
    expect(floorRes.status).to.equal(200);
    const floor = (await floorRes.json()) as { queues: { name: string; waiting: number; calls: { callSid: string; priority: number }[] }[]; agents: { front: Record<string, number> } };
    const queue = (name: string) => floor.queues.find((q) => q.name === name)!;
    expect(queue('front-vip').calls.map((c) => c.callSid)).to.deep.equal([sid('vip')]);
    expect(queue('front-complaints').waiting).to.equal(2);
    expect(queue('front-general').calls.map((c) => c.priority)).to.deep.equal([20, 20, 10, 10, 10]);
    expect(floor.agents.front.offline).to.be.at.least(3);

    // agent4 goes first and never answers: the VIP rings there 15 s, then goes back to the head of the line.
    expect((await a4.setState('available')).status).to.equal(200);
    await eventually(() => expect(interactions(sid('vip')).map((i) => i.status)).to.deep.equal(['missed']), 20000);
    expect(presence(a4).state).to.equal('missed');
    expect(f.hotline.repos.queue.forCall(sid('vip'))).to.include({ status: 'waiting', reservedBy: null });

    a4.softphone.answerAfter = 1;
    for (const d of [a1, a2, a4]) expect((await d.setState('available')).status).to.equal(200);
    const answered = ['vip', 'complaint1', 'complaint2', 'liNa', 'zhangWei', 'new1', 'new2', 'new3'];
    await Promise.all(answered.map((k) => calls[k].done));

    const connected = answered
      .flatMap((k) => interactions(sid(k)).filter((i) => i.answeredAt).map((i) => ({ k, id: i.id, agentId: i.agentId })))
      .sort((a, b) => a.id - b.id);
    // Offers (in id order) follow the rules: VIP, then complaints, then returning, then new, each by time queued.
    const byQueueTime = (ks: string[]) => ks.sort((x, y) => f.hotline.repos.queue.forCall(sid(x))!.enqueuedAt.getTime() - f.hotline.repos.queue.forCall(sid(y))!.enqueuedAt.getTime());
    expect(connected.map((c) => c.k)).to.deep.equal([
      'vip',
      ...byQueueTime(['complaint1', 'complaint2']),
      ...byQueueTime(['liNa', 'zhangWei']),
      ...byQueueTime(['new1', 'new2', 'new3']),
    ]);
    expect(new Set(connected.map((c) => c.agentId))).to.deep.equal(new Set([a1.id, a2.id, a4.id]));
    for (const k of answered) expect(f.hotline.repos.queue.forCall(sid(k))!.status, k).to.equal('bridged');

    // Never two live offers for one agent or one call, whatever raced.
    const all = answered.flatMap((k) => interactions(sid(k)));
    for (const agent of [a1, a2, a4]) {
      const mine = all.filter((i) => i.agentId === agent.id).sort((x, y) => x.id - y.id);
      for (let i = 1; i < mine.length; i++) expect(mine[i].offeredAt.getTime()).to.be.at.least((mine[i - 1].endedAt ?? mine[i - 1].offeredAt).getTime());
    }
  });

  it('an agent whose desktop goes silent is put offline, and the call ringing them goes back to the queue', async () => {
    const a1 = await signIn('agent1', { answerAfter: 'never' });
    expect((await a1.setState('available')).status).to.equal(200);
    const call = f.dial(ZHANG_WEI, toAgent([{ wait: 120 }, { hangup: true }]));
    await eventually(() => expect(interactions(call.sid).map((i) => i.status)).to.deep.equal(['offered']), 20000);
    a1.goSilent();
    await eventually(() => expect(presence(a1)).to.include({ state: 'offline', reason: 'no heartbeat' }), 5000);
    expect(interactions(call.sid).map((i) => i.status)).to.deep.equal(['withdrawn']);
    expect(f.hotline.repos.queue.forCall(call.sid)).to.include({ status: 'waiting', reservedBy: null });

    // Another agent takes it from there.
    const a2 = await signIn('agent2');
    expect((await a2.setState('available')).status).to.equal(200);
    await eventually(() => expect(interactions(call.sid).map((i) => i.status)).to.deep.equal(['withdrawn', 'connected']), 20000);
  });

  it('an agent asks for a break during a call and gets it when the call ends; illegal changes are refused with 409', async () => {
    const a1 = await signIn('agent1', { script: [{ wait: 10 }, { hangup: true }] });
    expect((await a1.setState('available')).status).to.equal(200);
    const call = f.dial(ZHANG_WEI, toAgent());
    await eventually(() => expect(presence(a1).state).to.equal('on_call'), 20000);
    const asked = await a1.setState('break', { reason: 'lunch' });
    expect(asked.status).to.equal(200);
    expect(asked.body).to.include({ state: 'on_call', nextState: 'break', nextReason: 'lunch' });
    await call.done;
    await eventually(() => expect(presence(a1).state).to.equal('wrap_up'), 5000);
    const extended = await a1.setState('wrap_up', { extendSeconds: 30 });
    expect(extended.status).to.equal(200);
    await eventually(() => expect(presence(a1)).to.include({ state: 'break', reason: 'lunch' }), 10000);
    const refused = await a1.setState('wrap_up', { extendSeconds: 10 });
    expect(refused.status).to.equal(409);
    expect(refused.body.error).to.equal('conflict');
  });

  it('at the queue\'s maximum wait the caller is offered a callback or voicemail, and leaves a message', async () => {
    const supervisor = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'supervisor1', password: 'hotline-demo' }) });
    const token = ((await supervisor.json()) as { token: string }).token;
    const put = await fetch(`${f.base}/api/queues/front-general`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ desk: 'front', serviceLevelSeconds: 15, maxWaitSeconds: 30, overflowAction: 'callback_or_voicemail' }),
    });
    expect(put.status).to.be.oneOf([200, 201]);
    // Nobody is available: the caller waits past 30 s, hears the offer, presses 2 and records a message.
    const call = f.dial(stranger(9), toAgent([{ wait: 45 }, { press: '2' }, { say: '我的快递还没到，请回电' }, { press: '#' }]));
    await call.done;
    const heard = call.heard().join(' | ');
    expect(heard).to.include('非常抱歉让您久等了。需要我们稍后回电请按1，留言请按2');
    expect(heard).to.include('请在提示音后留言');
    expect(heard).to.include('您的留言已收到');
    const entry = f.hotline.repos.queue.forCall(call.sid)!;
    expect(entry.status).to.equal('voicemail');
    expect(entry.waitSeconds).to.be.at.least(30);
    const vm = await eventually(() => f.hotline.repos.voicemails.forCall(call.sid)!);
    expect(vm.durationSeconds).to.be.greaterThan(0);
  });

  it('a work order opened on a call goes from open to forwarded to answered (a callback on the list) to closed', async () => {
    const agent = await signIn('agent1', { script: [{ wait: 5 }, { hangup: true }] });
    await agent.setState('available');
    const call = f.dial(VIP, [{ press: '1' }, { wait: 900 }]);
    await call.done;

    const opened = await agent.request('POST', '/api/work-orders', {
      callSid: call.sid,
      category: 'complaint',
      complaintType: 'logistics',
      description: '快递三天未更新，客户要求查明原因',
      orderNumber: 'YT202611200001',
    });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const id = opened.body.id as number;
    const forwarded = await agent.request('PATCH', `/api/work-orders/${id}`, { status: 'forwarded', department: 'logistics', note: '请物流部核查顺丰运单' });
    expect(forwarded.status, JSON.stringify(forwarded.body)).to.equal(200);

    const logistics = await AgentDesk.signIn(f, 'logistics1').catch(() => undefined);
    expect(logistics).to.equal(undefined); // a department account has no softphone
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'logistics1', password: 'hotline-demo' }) });
    const deptToken = ((await login.json()) as { token: string }).token;
    const answer = await fetch(`${f.base}/api/work-orders/${id}/answer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${deptToken}` },
      body: JSON.stringify({ answer: '包裹在杭州中转站滞留，今天已重新发出' }),
    });
    expect(answer.status).to.equal(200);
    const callback = f.hotline.repos.callbacks.open().find((c) => c.workOrderId === id);
    expect(callback).to.include({ source: 'work_order', desk: 'front', phone: VIP });

    const closed = await agent.request('POST', `/api/work-orders/${id}/close`, { note: '已电话告知客户' });
    expect(closed.status, JSON.stringify(closed.body)).to.equal(200);
    const wo = await agent.request('GET', `/api/work-orders/${id}`);
    expect(wo.body.status).to.equal('closed');
    const history = (wo.body.history as { toStatus: string }[]).map((h) => h.toStatus);
    expect(history).to.include.ordered.members(['open', 'forwarded', 'answered', 'closed']);
  });
});
