// The wallboard's picture of the floor (console/src/screens/wallboard-floor.ts): a snapshot, then the feed applied in
// place, must end where a fresh snapshot would; callers stay in offer order; what it cannot apply asks for a snapshot.
import { expect } from 'chai';
import { FloorState, type FloorJson } from '../../console/src/screens/wallboard-floor';
import { SyntheticFloor } from '../../scripts/bench/synthetic-floor';
import { prng } from '../../scripts/bench/seeded';

// Callers as a set per queue: the synthetic feed stamps waits on the real clock and the snapshot rounds them to the
// second, so two callers of one priority queued within the same second may tie; offer order is tested below.
const summary = (s: FloorState) => ({
  queues: [...s.queues.values()].map((q) => `${q.name}:${q.callers.map((c) => `${c.callSid}/${c.priority}`).sort().join(',')}`),
  agents: [...s.agents.values()].filter((a) => a.state !== 'offline').map((a) => `${a.id}:${a.state}:${a.desks.join('+')}`).sort(),
});

describe('wallboard floor state (console)', () => {
  it('a snapshot plus 5,000 feed messages (events and floor-feed deltas) ends where a fresh snapshot does', () => {
    const feed = new SyntheticFloor(prng(7), 300, 200);
    const live = new FloorState();
    live.load(feed.snapshot(), feed.agents, Date.now());
    const results = new Set<string>();
    for (let i = 0; i < 5000; i++) results.add(live.apply(feed.next(200) as never, Date.now()));
    expect([...results]).to.not.include('stale');
    const fresh = new FloorState();
    fresh.load(feed.snapshot(), feed.agents, Date.now());
    expect(summary(live)).to.deep.equal(summary(fresh));
    expect([...live.queues.values()].reduce((n, q) => n + q.callers.length, 0)).to.equal(feed.waiting.length);
  });

  const base = (): FloorJson => ({
    at: '2026-11-23T03:00:00.000Z',
    queues: [{ name: 'front-general', desk: 'front', serviceLevelSeconds: 15, maxWaitSeconds: 600, calls: [{ callSid: 'CA1', priority: 10, reason: 'new', waitedSeconds: 30, ringingAgentId: null }] }],
    monitoring: [],
  });
  const at = (s: number) => new Date(Date.parse('2026-11-23T03:00:00.000Z') + s * 1000).toISOString();

  it('keeps callers in offer order (priority, then time queued) and moves one whose priority a dispatcher raised', () => {
    const s = new FloorState();
    const now = Date.now();
    s.load(base(), [], now);
    expect(s.apply({ type: 'CallQueued', callSid: 'CA2', queue: 'front-general', desk: 'front', priority: 40, at: at(1) }, now + 1000)).to.equal('changed');
    expect(s.apply({ type: 'CallQueued', callSid: 'CA3', queue: 'front-general', desk: 'front', priority: 10, at: at(2) }, now + 2000)).to.equal('changed');
    expect(s.queues.get('front-general')!.callers.map((c) => c.callSid)).to.deep.equal(['CA2', 'CA1', 'CA3']);
    s.apply({ type: 'FloorActionTaken', action: 'call.priority', actorId: 1, subjectType: 'call', subjectId: 'CA3', reason: 'vip', detail: { from: 10, to: 50 }, at: at(3) }, now + 3000);
    expect(s.queues.get('front-general')!.callers.map((c) => c.callSid)).to.deep.equal(['CA3', 'CA2', 'CA1']);
    // The wait counts from when the server queued them, on this browser's clock.
    expect(now - s.queues.get('front-general')!.callers[2].queuedAt).to.equal(30_000);
    expect(s.apply({ type: 'CallAbandoned', callSid: 'CA1', queue: 'front-general', waitSeconds: 33, at: at(3) }, now)).to.equal('changed');
    expect(s.apply({ type: 'CallAbandoned', callSid: 'CA1', queue: 'front-general', waitSeconds: 33, at: at(3) }, now)).to.equal('ignored');
  });

  it('asks for a snapshot on what it cannot apply (an unknown queue, agent or message); with the floor feed deltas an unknown agent waits for their row', () => {
    const s = new FloorState();
    s.load({ ...base(), seq: undefined }, [], Date.now());
    expect(s.apply({ type: 'CallQueued', callSid: 'CA9', queue: 'nowhere', desk: 'front', priority: 10, at: at(1) }, Date.now())).to.equal('stale');
    expect(s.apply({ type: 'AgentStateChanged', agentId: 77, from: 'offline', to: 'available', reason: null, at: at(1) }, Date.now())).to.equal('stale');
    expect(s.apply({ type: 'SomethingNew' }, Date.now())).to.equal('stale');
    expect(s.apply({ type: 'heartbeat', at: at(1) }, Date.now())).to.equal('ignored');
    const seq = new FloorState();
    seq.load({ ...base(), seq: 5, roster: [] }, undefined, Date.now());
    expect(seq.apply({ type: 'floorUpdate', seq: 6, at: at(1), queues: [], roster: [], rosterGone: [] }, Date.now())).to.equal('changed');
    // Following the floor feed (issue 9), an agent who signs in arrives with the next delta's roster: no snapshot needed.
    expect(seq.apply({ type: 'AgentStateChanged', agentId: 77, from: 'offline', to: 'available', reason: null, at: at(2) }, Date.now())).to.equal('ignored');
    const row = { id: 77, displayName: '新人', team: null, desks: ['front'], state: 'available', reason: null, since: at(2), call: null };
    expect(seq.apply({ type: 'floorUpdate', seq: 8, at: at(2), queues: [], roster: [row], rosterGone: [] }, Date.now())).to.equal('changed');
    expect(seq.agents.get(77)?.state).to.equal('available');
    expect(seq.apply({ type: 'floorUpdate', seq: 9, at: at(3), queues: [], roster: [], rosterGone: [77] }, Date.now())).to.equal('changed');
    expect(seq.agents.has(77)).to.equal(false);
  });
});
