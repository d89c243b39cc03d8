// A person at a simulated softphone, from another process (the console's bridge): see what rings, answer, hang up.
import { expect } from 'chai';
import { startSim, voiceToken, type SimTest } from './sim-fixture';
import { CUSTOMER, HOTLINE } from './twiml-test-server';
import { eventually } from '../support/eventually';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('carrier simulator: a softphone answered and hung up by hand through /sim/softphones', function () {
  this.timeout(10000);
  let t: SimTest;
  beforeEach(async () => (t = await startSim()));
  afterEach(async () => t.close());

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.sim.baseUrl}/sim${path}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };

  it("rings until answered (answerAfter 'never'), answers on request, hangs up on request; the Dial completes", async () => {
    expect((await control('POST', '/softphones', { identity: 'carol', token: voiceToken('carol'), answerAfter: 'never' })).status).to.equal(201);
    expect((await control('GET', '/softphones/carol')).body).to.deep.equal({ identity: 'carol', ringing: null, connected: null });
    expect((await control('POST', '/softphones/carol/answer')).status).to.equal(409);

    t.app.on('/voice', xml('<Dial action="/dialed" timeout="600"><Client>carol</Client></Dial>'));
    const c = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script: [{ wait: 600 }] });
    const ringing = await eventually(async () => {
      const s = await control('GET', '/softphones/carol');
      expect(s.body.ringing).to.not.equal(null);
      return s.body.ringing as { callSid: string; from: string };
    });
    expect(ringing.from).to.equal(CUSTOMER);

    const answered = await control('POST', '/softphones/carol/answer');
    expect(answered.status).to.equal(200);
    expect(answered.body.connected).to.deep.equal(ringing);
    expect(answered.body.ringing).to.equal(null);

    const hung = await control('POST', '/softphones/carol/hangup');
    expect(hung.status).to.equal(200);
    await c.done;
    expect(t.app.hitsFor('/dialed')[0].params).to.include({ DialCallStatus: 'completed' });
    await eventually(async () => expect((await control('GET', '/softphones/carol')).body.connected).to.equal(null));
    expect((await control('POST', '/softphones/carol/hangup')).status).to.equal(409);
  });

  it('answers 404 for a softphone nobody registered, and forgets one that is unregistered', async () => {
    expect((await control('POST', '/softphones/nobody/answer')).status).to.equal(404);
    await control('POST', '/softphones', { identity: 'dave', token: voiceToken('dave'), answerAfter: 'never' });
    expect((await control('DELETE', '/softphones/dave')).status).to.equal(204);
    expect((await control('GET', '/softphones/dave')).status).to.equal(404);
  });
});
