// Who hears whom in a simulated conference: muted listeners, coaches (whisper), barging participants, hold, beeps.
import { expect } from 'chai';
import { startSim, voiceToken, type SimTest } from './sim-fixture';
import { simRestClient } from './sim-rest-client';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, HOTLINE, until } from './twiml-test-server';
import type twilio from 'twilio';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('carrier simulator: conference audibility (listen, whisper, barge, hold) and beeps', function () {
  this.timeout(15000);
  let t: SimTest;
  let client: twilio.Twilio;

  beforeEach(async () => {
    t = await startSim();
    client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
    for (const identity of ['alice', 'bob', 'carol']) t.sim.registerSoftphone({ identity, token: voiceToken(identity), answerAfter: 1, script: [{ wait: 200 }] });
  });
  afterEach(async () => t.close());

  /** A customer in `room`, and the agent alice added by REST: the conference is in progress. */
  async function roomWithAgent(room: string) {
    t.app.on('/voice', xml(`<Dial><Conference participantLabel="customer" beep="false">${room}</Conference></Dial>`));
    const customer = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script: [{ wait: 200 }] });
    const conf = await until(async () => {
      const [c] = await client.conferences.list({ friendlyName: room });
      expect(c).to.not.equal(undefined);
      return c;
    });
    const agent = await client.conferences(conf.sid).participants.create({ from: HOTLINE, to: 'client:alice', label: 'agent', beep: 'false' });
    await until(() => expect(t.sim.audibility(room)!.status).to.equal('in-progress'));
    return { customer: customer.sid, agent: agent.callSid, conf: conf.sid };
  }

  const hears = (callSid: string) => [...(t.sim.whoHears(callSid) ?? ['(in no conference)'])].sort();
  const sorted = (...sids: string[]) => [...sids].sort();

  it('a muted listener hears both and is heard by nobody; as a coach only the agent hears them; unmuted everyone does', async () => {
    const { customer, agent, conf } = await roomWithAgent('room-1');
    expect(hears(customer)).to.deep.equal([agent]);
    expect(hears(agent)).to.deep.equal([customer]);

    const monitor = await client.conferences(conf).participants.create({ from: HOTLINE, to: 'client:bob', label: 'monitor', muted: true, beep: 'false' });
    await until(() => expect(t.sim.audibility(conf)!.participants).to.have.length(3));
    const sup = monitor.callSid;
    // Listen: nobody hears the supervisor, who hears both.
    expect(hears(customer)).to.deep.equal([agent]);
    expect(hears(agent)).to.deep.equal([customer]);
    expect(hears(sup)).to.deep.equal(sorted(customer, agent));

    // Whisper: coaching the agent's call, unmuted: the agent hears them, the customer does not.
    await client.conferences(conf).participants(sup).update({ muted: false, coaching: true, callSidToCoach: agent });
    expect(hears(agent)).to.deep.equal(sorted(customer, sup));
    expect(hears(customer)).to.deep.equal([agent]);
    expect(hears(sup)).to.deep.equal(sorted(customer, agent));
    // A muted coach is heard by nobody, not even the call it coaches.
    await client.conferences(conf).participants(sup).update({ muted: true });
    expect(hears(agent)).to.deep.equal([customer]);

    // Barge: an ordinary participant, heard by everyone.
    await client.conferences(conf).participants(sup).update({ muted: false, coaching: false });
    expect(hears(customer)).to.deep.equal(sorted(agent, sup));
    expect(hears(agent)).to.deep.equal(sorted(customer, sup));

    // The same, read from outside through the control API.
    const res = await fetch(`${t.sim.baseUrl}/sim/conferences/room-1/audibility`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { status: string; participants: { callSid: string; label: string; hears: string[]; heardBy: string[]; muted: boolean; coaching: boolean; music: string | null }[] };
    expect(body.status).to.equal('in-progress');
    const byLabel = Object.fromEntries(body.participants.map((p) => [p.label, p]));
    expect(byLabel.monitor).to.include({ callSid: sup, muted: false, coaching: false, music: null });
    expect(byLabel.monitor.heardBy.sort()).to.deep.equal(sorted(customer, agent));
    expect(byLabel.customer.hears.sort()).to.deep.equal(sorted(agent, sup));
    const one = await fetch(`${t.sim.baseUrl}/sim/calls/${agent}/hears`);
    expect(((await one.json()) as { hears: string[] }).hears.sort()).to.deep.equal(sorted(customer, sup));
    expect((await fetch(`${t.sim.baseUrl}/sim/conferences/no-such-room/audibility`)).status).to.equal(404);
  });

  it('a coach of a call that is not in the room is heard by nobody; a held participant hears hold music and is not heard', async () => {
    const { customer, agent, conf } = await roomWithAgent('room-2');
    const coach = await client.conferences(conf).participants.create({ from: HOTLINE, to: 'client:bob', label: 'coach', coaching: true, callSidToCoach: `CA${'9'.repeat(32)}`, beep: 'false' });
    await until(() => expect(t.sim.audibility(conf)!.participants).to.have.length(3));
    expect(hears(customer)).to.deep.equal([agent]);
    expect(hears(agent)).to.deep.equal([customer]);

    await client.conferences(conf).participants('customer').update({ hold: true });
    const held = t.sim.audibility(conf)!.participants.find((p) => p.callSid === customer)!;
    expect(held).to.include({ hold: true, music: 'hold' });
    expect(held.hears).to.deep.equal([]);
    expect(held.heardBy).to.deep.equal([]);
    expect(hears(agent)).to.deep.equal([]);
    expect(hears(coach.callSid)).to.deep.equal([agent]);
    await client.conferences(conf).participants('customer').update({ hold: false });
    expect(hears(agent)).to.deep.equal([customer]);
  });

  it('a participant joining with a beep is announced to the room; one joining and leaving with beep=false is not', async () => {
    const { customer, agent, conf } = await roomWithAgent('room-3');
    const silent = await client.conferences(conf).participants.create({ from: HOTLINE, to: 'client:bob', muted: true, beep: 'false' });
    await until(() => expect(t.sim.audibility(conf)!.participants).to.have.length(3));
    await client.conferences(conf).participants(silent.callSid).remove();
    await until(() => expect(t.sim.audibility(conf)!.participants).to.have.length(2));
    const beeps = (sid: string) => t.sim.call(sid)!.transcript.filter((e) => e.kind === 'play' && e.text === 'beep');
    expect(beeps(customer)).to.deep.equal([]);
    expect(beeps(agent)).to.deep.equal([]);

    const loud = await client.conferences(conf).participants.create({ from: HOTLINE, to: 'client:carol' });
    await until(() => expect(beeps(customer)).to.have.length(1));
    expect(beeps(customer)[0].detail).to.include({ joined: loud.callSid });
    expect(beeps(agent)).to.have.length(1);
  });
});
