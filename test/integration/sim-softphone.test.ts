// Simulator mode's softphone bridge: the console registers the agent's simulated softphone, sees the offer ring,
// answers and hangs up through the server, with the presence rules following.
import { expect } from 'chai';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { api } from '../support/agent-desk';
import { eventually } from '../support/eventually';

const VIP = '+8613800138000'; // 王芳

describe('simulated softphone through the server (/api/softphone/sim)', function () {
  this.timeout(30000);
  let f: SimFixture;
  let token: string;
  let agentId: number;

  beforeEach(async () => {
    // 50 real ms per simulated second: the 15 s ring lasts 750 ms, time enough to answer by hand.
    f = await startHotlineWithSimulator({}, { timeScale: 50, acdTickMs: 10 });
    const login = await api(f, 'POST', '/api/auth/login', undefined, { username: 'agent1', password: 'hotline-demo' });
    token = login.body.token as string;
    agentId = (login.body.staff as { id: number }).id;
  });
  afterEach(async () => f.close());

  const call = (method: string, path: string, body?: unknown) => api(f, method, path, token, body);

  it('the voice token says simulator mode; register, ring, answer, hang up; wrap-up follows', async () => {
    const voice = await call('GET', '/api/voice/token');
    expect(voice.status).to.equal(200);
    expect(voice.body).to.include({ mode: 'simulator', identity: 'agent-agent1' });

    const registered = await call('POST', '/api/softphone/sim');
    expect(registered.status).to.equal(201);
    expect(registered.body).to.deep.equal({ identity: 'agent-agent1', ringing: null, connected: null });
    const early = await call('POST', '/api/softphone/sim/answer');
    expect(early.status).to.equal(409);
    expect(early.body.message).to.equal('nothing is ringing on this softphone');

    // The agent's own view says which desks they sit on (the desktop shows it and follows AgentDesksChanged).
    const me = await call('GET', '/api/agents/me');
    expect(me.body.desks).to.deep.equal([
      { desk: 'front', skill: 5 },
      { desk: 'middle', skill: 2 },
    ]);
    expect((await call('PUT', '/api/agents/me/state', { state: 'available' })).status).to.equal(200);
    const c = f.dial(VIP, [{ press: '1' }, { press: '0' }, { wait: 600 }]);
    const ringing = await eventually(async () => {
      const s = await call('GET', '/api/softphone/sim');
      expect(s.body.ringing).to.not.equal(null);
      return s.body.ringing as { callSid: string; from: string };
    }, 15000);
    expect(f.hotline.presence.get(agentId).state).to.equal('reserved');

    // A desktop reloaded while the call rings registers again: the ringing call is still there to answer.
    const again = await call('POST', '/api/softphone/sim');
    expect(again.status).to.equal(201);
    expect(again.body.ringing).to.deep.equal(ringing);

    const answered = await call('POST', '/api/softphone/sim/answer');
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    expect(answered.body.connected).to.deep.equal(ringing);
    await eventually(() => expect(f.hotline.presence.get(agentId).state).to.equal('on_call'));

    const hung = await call('POST', '/api/softphone/sim/hangup');
    expect(hung.status).to.equal(200);
    await eventually(() => expect(f.hotline.presence.get(agentId).state).to.equal('wrap_up'));
    expect(f.hotline.acdRepos.interactions.forCall(c.sid).map((i) => i.status)).to.deep.equal(['ended']);
    expect((await call('POST', '/api/softphone/sim/hangup')).status).to.equal(409);

    expect((await call('DELETE', '/api/softphone/sim')).status).to.equal(204);
    expect((await call('GET', '/api/softphone/sim')).status).to.equal(404);
  });

  it('is not there for a person without a softphone', async () => {
    const admin = await api(f, 'POST', '/api/auth/login', undefined, { username: 'admin1', password: 'hotline-demo' });
    const res = await api(f, 'POST', '/api/softphone/sim', admin.body.token as string);
    expect(res.status).to.equal(403);
  });
});
