// The dispatcher's floor actions end to end: each takes effect at once through the ACD and the carrier simulator,
// shows on a second client's floor feed, and is audited with who, what, when, why and from where.
import { expect } from 'chai';
import WebSocket from 'ws';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk, api, type DeskMessage } from '../support/agent-desk';
import { eventually } from '../support/eventually';

const toAgent = [{ press: '1' }, { press: '0' }, { wait: 900 }];
const caller = (n: number) => `+86150000001${String(n).padStart(2, '0')}`;

/** A wallboard: signed in, following the floor feed over the WebSocket. */
class Wallboard {
  readonly messages: DeskMessage[] = [];
  private constructor(
    readonly token: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as DeskMessage));
  }
  static async open(f: SimFixture, username: string): Promise<Wallboard> {
    const login = await api(f, 'POST', '/api/auth/login', undefined, { username, password: 'hotline-demo' });
    const token = login.body.token as string;
    const ws = new WebSocket(`${f.base.replace('http', 'ws')}/ws`, ['bearer', token]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Wallboard(token, ws);
  }
  action(action: string): DeskMessage & Record<string, any> {
    const m = this.messages.find((x) => x.type === 'FloorActionTaken' && x.action === action);
    expect(m, `${action} on the wallboard (saw ${this.messages.map((x) => x.type).join(', ')})`).to.not.equal(undefined);
    return m as DeskMessage & Record<string, any>;
  }
  close(): void {
    this.ws.close();
  }
}

describe('floor actions end to end: a dispatcher moves people and calls, a second wallboard sees it, the audit keeps it', function () {
  this.timeout(60000);
  let f: SimFixture;
  let desks: AgentDesk[];
  let boards: Wallboard[];
  let dispatcher: string;

  beforeEach(async () => {
    f = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10 });
    desks = [];
    boards = [];
    dispatcher = (await api(f, 'POST', '/api/auth/login', undefined, { username: 'dispatcher1', password: 'hotline-demo' })).body.token as string;
  });
  afterEach(async () => {
    for (const d of desks) d.close();
    for (const b of boards) b.close();
    await f.close();
  });

  const signIn = async (username: string) => {
    const d = await AgentDesk.signIn(f, username, { script: [{ wait: 30 }, { hangup: true }] });
    desks.push(d);
    return d;
  };
  const wallboard = async (username = 'supervisor1') => {
    const b = await Wallboard.open(f, username);
    boards.push(b);
    return b;
  };
  const act = (path: string, body: Record<string, unknown>) => api(f, 'POST', path, dispatcher, body);
  const waiting = (sid: string) => eventually(() => expect(f.hotline.repos.queue.forCall(sid)?.status, sid).to.equal('waiting'), 20000);
  const audited = (action: string) => f.hotline.db.$client.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC').get(action) as Record<string, any> | undefined;
  const state = (d: AgentDesk) => f.hotline.presence.get(d.id).state;

  it('ending a break makes the agent available at once, and the waiting caller is offered to them', async () => {
    const board = await wallboard();
    const agent = await signIn('agent2');
    expect((await agent.setState('break', { reason: 'lunch' })).status).to.equal(200);
    const call = f.dial(caller(1), toAgent);
    await waiting(call.sid);

    const res = await act(`/api/floor/agents/${agent.id}/end-break`, { reason: 'queue is building up' });
    expect(res.status, JSON.stringify(res.body)).to.equal(204);
    await eventually(() => expect(f.hotline.acdRepos.interactions.forCall(call.sid).map((ix) => ix.agentId)).to.include(agent.id), 10000);
    await eventually(() => board.action('agent.end-break'));
    expect(board.action('agent.end-break')).to.include({ subjectType: 'agent', subjectId: String(agent.id), reason: 'queue is building up' });
    expect(board.messages.some((m) => m.type === 'AgentStateChanged' && m.agentId === agent.id && m.from === 'break' && m.to === 'available')).to.equal(true);
    const row = audited('agent.end-break')!;
    expect(row).to.include({ subject_type: 'agent', subject_id: String(agent.id), reason: 'queue is building up' });
    expect(row.actor_id).to.be.a('number');
    expect(row.ip).to.be.a('string');
    expect(JSON.parse(row.detail)).to.include({ breakReason: 'lunch' });

    // Not on a break: 409 with a message, nothing changes.
    const again = await act(`/api/floor/agents/${agent.id}/end-break`, { reason: 'again' });
    expect(again.status).to.equal(409);
    expect(again.body.message).to.match(/not on a break/);
    // No reason: 400 naming it.
    expect((await act(`/api/floor/agents/${agent.id}/end-break`, {})).status).to.equal(400);
  });

  it('raising a waiting call’s priority puts it first; handing a call to a named agent rings that agent, whatever their desks', async () => {
    const board = await wallboard();
    const first = f.dial(caller(2), toAgent);
    await waiting(first.sid);
    const second = f.dial(caller(3), toAgent);
    await waiting(second.sid);
    const before = f.hotline.repos.queue.forCall(second.sid)!;

    const raised = await act(`/api/floor/calls/${second.sid}/priority`, { priority: 60, reason: 'caller escalated by the store' });
    expect(raised.status, JSON.stringify(raised.body)).to.equal(200);
    expect(raised.body).to.include({ callSid: second.sid, priority: 60 });
    const floor = await api(f, 'GET', '/api/floor', board.token);
    const queue = (floor.body.queues as { name: string; calls: { callSid: string }[] }[]).find((q) => q.calls.some((c) => c.callSid === second.sid))!;
    expect(queue.calls.map((c) => c.callSid).slice(0, 2)).to.deep.equal([second.sid, first.sid]);
    expect(f.hotline.repos.queue.forCall(second.sid)!.enqueuedAt.getTime(), 'time queued kept').to.equal(before.enqueuedAt.getTime());
    await eventually(() => expect(board.action('call.priority').detail).to.include({ from: before.priority, to: 60 }));

    // agent5 answers the middle desk first; handed the first caller by name, their softphone rings for it.
    const agent5 = await signIn('agent5');
    expect((await api(f, 'PUT', `/api/agents/${agent5.id}/desks`, dispatcher, { desks: [{ desk: 'middle', skill: 4 }] })).status).to.equal(200);
    expect((await agent5.setState('available')).status).to.equal(200);
    const handed = await act(`/api/floor/calls/${first.sid}/assign`, { agentId: agent5.id, reason: 'speaks the caller’s dialect' });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(202);
    await eventually(() => expect(f.hotline.acdRepos.interactions.forCall(first.sid).some((ix) => ix.agentId === agent5.id && ix.status === 'connected')).to.equal(true), 10000);
    await eventually(() => expect(board.action('call.assign').detail).to.include({ agentId: agent5.id }));
    expect(audited('call.assign')).to.include({ subject_id: first.sid, reason: 'speaks the caller’s dialect' });
    // The raised caller still waits (no front agent is free) and is now first in line.
    expect(f.hotline.repos.queue.forCall(second.sid)!.status).to.equal('waiting');
    // An agent who is not available cannot be handed a call.
    const busy = await act(`/api/floor/calls/${second.sid}/assign`, { agentId: agent5.id, reason: 'try again' });
    expect(busy.status).to.equal(409);
    expect(busy.body.message).to.match(/not available/);
    // A call that is not waiting: 404.
    expect((await act(`/api/floor/calls/CA${'f'.repeat(32)}/priority`, { priority: 50, reason: 'no such call' })).status).to.equal(404);
  });

  it('moving an agent to the front desk offers them its waiting caller; logging an agent out takes them off the floor', async () => {
    const board = await wallboard('dispatcher1');
    const agent5 = await signIn('agent5');
    expect((await api(f, 'PUT', `/api/agents/${agent5.id}/desks`, dispatcher, { desks: [{ desk: 'middle', skill: 4 }] })).status).to.equal(200);
    expect((await agent5.setState('available')).status).to.equal(200);
    const call = f.dial(caller(4), toAgent);
    await waiting(call.sid);
    await new Promise((r) => setTimeout(r, 200));
    expect(f.hotline.acdRepos.interactions.forCall(call.sid), 'not offered to a middle-desk agent').to.deep.equal([]);

    const moved = await act(`/api/floor/agents/${agent5.id}/move`, { to: 'front', from: 'middle', reason: 'front queue over target' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    expect(moved.body.desks).to.deep.equal([{ desk: 'front', skill: 4 }]);
    await eventually(() => expect(f.hotline.acdRepos.interactions.forCall(call.sid).map((ix) => ix.agentId)).to.include(agent5.id), 10000);
    await eventually(() => board.action('agent.move-desk'));
    expect(board.messages.some((m) => m.type === 'AgentDesksChanged' && m.agentId === agent5.id)).to.equal(true);
    expect(JSON.parse(audited('agent.move-desk')!.detail).to).to.deep.equal([{ desk: 'front', skill: 4 }]);

    const agent4 = await signIn('agent4');
    expect((await agent4.setState('break', { reason: 'training' })).status).to.equal(200);
    const out = await act(`/api/floor/agents/${agent4.id}/log-out`, { reason: 'shift ended, forgot to sign out' });
    expect(out.status, JSON.stringify(out.body)).to.equal(204);
    expect(state(agent4)).to.equal('offline');
    await eventually(() => board.action('agent.log-out'));
    expect(board.messages.some((m) => m.type === 'AgentStateChanged' && m.agentId === agent4.id && m.to === 'offline')).to.equal(true);
    expect(audited('agent.log-out')).to.include({ subject_id: String(agent4.id), reason: 'shift ended, forgot to sign out' });
  });

  it('changing a queue’s overflow applies at once: callers who already waited the new maximum move to the target queue and are answered there', async () => {
    const board = await wallboard();
    const call = f.dial(caller(5), toAgent);
    await waiting(call.sid);
    const entry = f.hotline.repos.queue.forCall(call.sid)!;
    // 35 simulated seconds (20 ms each) later, past a 30 s maximum.
    await new Promise((r) => setTimeout(r, 35 * 20));
    const res = await act(`/api/floor/queues/${entry.queue}/overflow`, { maxWaitSeconds: 30, overflowAction: 'queue', overflowQueue: 'middle-overflow', reason: 'front desk swamped' });
    expect(res.status, JSON.stringify(res.body)).to.equal(400); // the target must exist first
    expect(String(res.body.message)).to.match(/no queue named middle-overflow/);
    expect((await api(f, 'PUT', '/api/queues/middle-overflow', (await api(f, 'POST', '/api/auth/login', undefined, { username: 'supervisor1', password: 'hotline-demo' })).body.token as string, {})).status).to.be.oneOf([200, 201]);
    const ok = await act(`/api/floor/queues/${entry.queue}/overflow`, { maxWaitSeconds: 30, overflowAction: 'queue', overflowQueue: 'middle-overflow', reason: 'front desk swamped' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.moved).to.deep.equal([call.sid]);
    expect(f.hotline.repos.queue.forCall(call.sid)).to.include({ queue: 'middle-overflow', desk: 'middle', status: 'waiting', priority: entry.priority });
    await eventually(() => expect(board.action('queue.overflow').detail).to.include({ moved: 1 }));

    // A middle-desk agent now answers it.
    const agent5 = await signIn('agent5');
    expect((await agent5.setState('available')).status).to.equal(200);
    await eventually(() => expect(f.hotline.acdRepos.interactions.forCall(call.sid).map((ix) => ix.agentId)).to.include(agent5.id), 10000);
    // A loop is refused with the reason.
    const loop = await act('/api/floor/queues/middle-overflow/overflow', { overflowAction: 'queue', overflowQueue: entry.queue, reason: 'loop' });
    expect(loop.status).to.equal(400);
    expect(String(loop.body.message)).to.match(/loop/);
  });
});
