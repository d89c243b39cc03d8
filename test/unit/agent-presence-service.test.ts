import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor, type Transact } from '../../src/db/transaction';
import { staff } from '../../src/db/schema/index';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { EventBus, type DomainEvent } from '../../src/events/domain-events';
import { Conflict, Invalid, NotFound } from '../../src/errors/domain-errors';
import { PresenceRepo } from '../../src/acd/presence.repo';
import { PresenceService } from '../../src/acd/agent-presence.service';

const T0 = new Date('2026-11-23T03:00:00Z');

/** A clock the test moves by hand. */
function fakeClock(start: Date) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(seconds: number) {
      t += seconds * 1000;
    },
  };
}

describe('PresenceService (real SQLite, fake clock)', () => {
  let db: Db;
  let transact: Transact;
  let repo: PresenceRepo;
  let clock: ReturnType<typeof fakeClock>;
  let events: EventBus;
  let published: DomainEvent[];
  let service: PresenceService;
  let agent1: number;
  let agent2: number;

  const idOf = (username: string) => db.select({ id: staff.id }).from(staff).where(eq(staff.username, username)).get()!.id;
  const secondsAfterT0 = (d: Date | null) => (d === null ? null : (d.getTime() - T0.getTime()) / 1000);

  beforeEach(() => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { now: T0 });
    transact = transactor(db);
    repo = new PresenceRepo(db);
    clock = fakeClock(T0);
    events = new EventBus((err) => {
      throw err;
    });
    published = [];
    events.subscribe((e) => published.push(e));
    service = new PresenceService({ presence: repo, transact, clock, events });
    agent1 = idOf('agent1');
    agent2 = idOf('agent2');
  });

  afterEach(() => db.$client.close());

  /** Puts the agent through a call to wrap-up the way the dispatcher does (inside a transaction, then publishing). */
  function intoWrapUp(agentId: number, wrapUpSeconds = 30) {
    service.request(agentId, { state: 'available' });
    for (const e of ['offered', 'answered'] as const) {
      const changed = transact(() => service.apply(agentId, e, clock.now()));
      expect(changed, e).to.not.equal(undefined);
    }
    const ended = transact(() => service.apply(agentId, 'call-ended', clock.now(), wrapUpSeconds));
    expect(ended).to.include({ type: 'AgentStateChanged', from: 'on_call', to: 'wrap_up' });
    published.length = 0;
  }

  describe('request()', () => {
    it('changes the state, logs the transition and publishes AgentStateChanged', () => {
      clock.advance(5);
      const row = service.request(agent1, { state: 'available' });
      expect(row).to.include({ staffId: agent1, state: 'available', reason: null, nextState: null });
      expect(secondsAfterT0(row.since)).to.equal(5);
      expect(secondsAfterT0(row.idleSince), 'idle since it became available').to.equal(5);
      expect(secondsAfterT0(row.lastHeartbeat), 'a request is a sign of life').to.equal(5);

      clock.advance(60);
      service.request(agent1, { state: 'break', reason: 'lunch' });

      const log = repo.stateLog(agent1).map((l) => ({ from: l.from, to: l.to, reason: l.reason, at: secondsAfterT0(l.at) }));
      expect(log).to.deep.equal([
        { from: 'offline', to: 'available', reason: null, at: 5 },
        { from: 'available', to: 'break', reason: 'lunch', at: 65 },
      ]);
      expect(published).to.deep.equal([
        { type: 'AgentStateChanged', agentId: agent1, from: 'offline', to: 'available', reason: null, at: new Date(T0.getTime() + 5000) },
        { type: 'AgentStateChanged', agentId: agent1, from: 'available', to: 'break', reason: 'lunch', at: new Date(T0.getTime() + 65000) },
      ]);
      expect(service.get(agent1)).to.include({ state: 'break', reason: 'lunch' });
      expect(service.get(agent2).state, 'other agents untouched').to.equal('offline');
    });

    it('refuses what the state machine forbids with Conflict, and writes and publishes nothing', () => {
      expect(() => service.request(agent1, { state: 'offline' })).to.throw(Conflict, 'cannot go from offline to offline');
      expect(() => service.request(agent1, { state: 'break' })).to.throw(Conflict, 'a break needs a reason code');
      expect(() => service.request(agent1, { state: 'on_call' })).to.throw(Conflict, 'cannot go from offline to on_call');
      expect(repo.stateLog(agent1)).to.deep.equal([]);
      expect(published).to.deep.equal([]);
      expect(service.get(agent1)).to.include({ state: 'offline', lastHeartbeat: null });
    });

    it('staff without a presence row (not agents) are NotFound', () => {
      expect(() => service.request(idOf('admin1'), { state: 'available' })).to.throw(NotFound);
      expect(() => service.get(999_999)).to.throw(NotFound);
    });

    it('a change of break reason (lunch → meeting) is a change: published, and logged like every change', () => {
      clock.advance(1);
      service.request(agent1, { state: 'break', reason: 'lunch' });
      clock.advance(1800);
      service.request(agent1, { state: 'break', reason: 'meeting' });
      expect(service.get(agent1)).to.include({ state: 'break', reason: 'meeting' });
      expect(secondsAfterT0(service.get(agent1).since), 'the meeting break starts now').to.equal(1801);
      expect(published.map((e) => (e.type === 'AgentStateChanged' ? [e.from, e.to, e.reason] : e.type))).to.deep.equal([
        ['offline', 'break', 'lunch'],
        ['break', 'break', 'meeting'],
      ]);
      // The service promises that "every change is logged": without the second row the log says lunch lasted until
      // the next state change, and the meeting is lost from the agent's history.
      expect(repo.stateLog(agent1).map((l) => [l.from, l.to, l.reason, secondsAfterT0(l.at)])).to.deep.equal([
        ['offline', 'break', 'lunch', 1],
        ['break', 'break', 'meeting', 1801],
      ]);
    });

    it('during a call, a request is kept as the next state and applied after wrap-up', () => {
      service.request(agent1, { state: 'available' });
      transact(() => service.apply(agent1, 'offered', clock.now()));
      transact(() => service.apply(agent1, 'answered', clock.now()));
      published.length = 0;
      const row = service.request(agent1, { state: 'break', reason: 'training' });
      expect(row).to.include({ state: 'on_call', nextState: 'break', nextReason: 'training' });
      expect(published, 'the state itself did not change').to.deep.equal([]);

      transact(() => service.apply(agent1, 'call-ended', clock.now(), 10));
      expect(service.get(agent1)).to.include({ state: 'wrap_up', nextState: 'break', nextReason: 'training' });
      clock.advance(10);
      const { changed } = service.sweep();
      expect(changed.map((e) => [e.from, e.to, e.reason])).to.deep.equal([['wrap_up', 'break', 'training']]);
      expect(service.get(agent1)).to.include({ state: 'break', reason: 'training', nextState: null, nextReason: null });
    });
  });

  describe('wrap-up', () => {
    it('ends by itself at wrapUpUntil through sweep(), and not a moment before', () => {
      intoWrapUp(agent1, 30);
      const row = service.get(agent1);
      expect(row.state).to.equal('wrap_up');
      expect(secondsAfterT0(row.wrapUpUntil)).to.equal(30);

      clock.advance(29.999);
      expect(service.sweep().changed).to.deep.equal([]);
      expect(service.get(agent1).state).to.equal('wrap_up');

      clock.advance(0.001);
      const { changed } = service.sweep();
      expect(changed).to.deep.equal([{ type: 'AgentStateChanged', agentId: agent1, from: 'wrap_up', to: 'available', reason: null, at: new Date(T0.getTime() + 30_000) }]);
      expect(published, 'sweep publishes what it changed').to.deep.equal(changed);
      expect(service.get(agent1)).to.include({ state: 'available', wrapUpUntil: null });
      expect(secondsAfterT0(service.get(agent1).idleSince), 'idle from the end of wrap-up').to.equal(30);
      expect(repo.stateLog(agent1).map((l) => l.to)).to.deep.equal(['available', 'reserved', 'on_call', 'wrap_up', 'available']);

      clock.advance(5);
      expect(service.sweep().changed, 'a second sweep finds nothing to do').to.deep.equal([]);
    });

    it('extendSeconds pushes wrapUpUntil back (from the current end), logging no transition', () => {
      intoWrapUp(agent1, 30);
      clock.advance(10);
      const row = service.request(agent1, { state: 'wrap_up', extendSeconds: 60 });
      expect(row.state).to.equal('wrap_up');
      expect(secondsAfterT0(row.wrapUpUntil)).to.equal(90);
      expect(secondsAfterT0(row.lastHeartbeat)).to.equal(10);
      expect(published).to.deep.equal([]);
      expect(repo.stateLog(agent1).map((l) => l.to)).to.deep.equal(['available', 'reserved', 'on_call', 'wrap_up']);

      clock.advance(20); // t = 30: the original end
      expect(service.sweep().changed).to.deep.equal([]);
      expect(service.get(agent1).state).to.equal('wrap_up');
      clock.advance(60); // t = 90
      expect(service.sweep().changed.map((e) => e.to)).to.deep.equal(['available']);
    });

    it('an extension asked after the end passed (before a sweep) counts from now', () => {
      intoWrapUp(agent1, 30);
      clock.advance(40);
      expect(secondsAfterT0(service.request(agent1, { state: 'wrap_up', extendSeconds: 15 }).wrapUpUntil)).to.equal(55);
    });

    it('extendSeconds must be a whole number from 1 to 300 (Invalid), and only while in wrap-up (Conflict)', () => {
      expect(() => service.request(agent1, { state: 'wrap_up', extendSeconds: 30 })).to.throw(Conflict, 'only a wrap-up in progress can be extended');
      service.request(agent1, { state: 'available' });
      expect(() => service.request(agent1, { state: 'wrap_up', extendSeconds: 30 })).to.throw(Conflict);

      intoWrapUp(agent2, 30);
      for (const bad of [0, -5, 301, 1.5]) {
        expect(() => service.request(agent2, { state: 'wrap_up', extendSeconds: bad }), String(bad)).to.throw(Invalid, 'extendSeconds must be a whole number from 1 to 300');
      }
      expect(secondsAfterT0(service.get(agent2).wrapUpUntil), 'refused extensions change nothing').to.equal(30);
      expect(() => service.request(agent2, { state: 'available', extendSeconds: 30 }), 'extendSeconds goes with state wrap_up').to.throw(Conflict);
      expect(secondsAfterT0(service.request(agent2, { state: 'wrap_up', extendSeconds: 1 }).wrapUpUntil)).to.equal(31);
      expect(secondsAfterT0(service.request(agent2, { state: 'wrap_up', extendSeconds: 300 }).wrapUpUntil)).to.equal(331);
    });

    it('the agent may end wrap-up early by asking for available', () => {
      intoWrapUp(agent1, 30);
      clock.advance(3);
      expect(service.request(agent1, { state: 'available' })).to.include({ state: 'available', wrapUpUntil: null });
      clock.advance(30);
      expect(service.sweep().changed).to.deep.equal([]);
    });
  });

  describe('heartbeats', () => {
    const silentIds = () => service.sweep().silent.map((r) => r.staffId);

    it('an agent silent for more than 30 s is returned by sweep().silent (offline agents never are)', () => {
      service.request(agent1, { state: 'available' }); // last sign of life: T0
      clock.advance(30);
      expect(silentIds(), 'exactly 30 s is not yet too long').to.deep.equal([]);
      clock.advance(1);
      expect(silentIds()).to.deep.equal([agent1]);
      expect(service.get(agent1).state, 'sweep itself only reports them').to.equal('available');
      expect(service.heartbeatTimeoutSeconds).to.equal(30);
    });

    it('a heartbeat keeps the agent; silence after it counts from the heartbeat', () => {
      service.request(agent1, { state: 'available' });
      service.request(agent2, { state: 'break', reason: 'rest' });
      clock.advance(20);
      service.heartbeat(agent1, clock.now());
      clock.advance(11); // t = 31
      expect(silentIds()).to.deep.equal([agent2]);
      clock.advance(20); // t = 51: 31 s after agent1's heartbeat
      expect(silentIds()).to.deep.equal([agent1, agent2]);
    });

    it('connectionLost makes the agent silent once the 5 s grace is over', () => {
      service.request(agent1, { state: 'available' });
      clock.advance(10);
      service.heartbeat(agent1, clock.now());
      service.connectionLost(agent1, clock.now()); // t = 10
      clock.advance(4);
      expect(silentIds(), 'within the grace').to.deep.equal([]);
      clock.advance(1.5);
      expect(silentIds(), 'grace over').to.deep.equal([agent1]);
    });

    it('a heartbeat between connectionLost and the end of the grace (a page reload) keeps them', () => {
      service.request(agent1, { state: 'available' });
      service.connectionLost(agent1, clock.now());
      clock.advance(3);
      service.heartbeat(agent1, clock.now());
      clock.advance(3); // past the grace, 3 s after the reconnect
      expect(silentIds()).to.deep.equal([]);
      clock.advance(28); // 31 s after the reconnect
      expect(silentIds()).to.deep.equal([agent1]);
    });

    it('an agent already due to go offline after their call is not reported again', () => {
      service.request(agent1, { state: 'available' });
      transact(() => service.apply(agent1, 'offered', clock.now()));
      transact(() => service.apply(agent1, 'answered', clock.now()));
      clock.advance(31);
      expect(silentIds()).to.deep.equal([agent1]);
      transact(() => service.apply(agent1, 'went-silent', clock.now()));
      expect(service.get(agent1)).to.include({ state: 'on_call', nextState: 'offline' });
      expect(silentIds()).to.deep.equal([]);
    });

    it('takes its timeouts from the options', () => {
      const quick = new PresenceService({ presence: repo, transact, clock, events, options: { heartbeatTimeoutSeconds: 10, disconnectGraceSeconds: 2 } });
      quick.request(agent1, { state: 'available' });
      clock.advance(11);
      expect(quick.sweep().silent.map((r) => r.staffId)).to.deep.equal([agent1]);
      quick.heartbeat(agent1, clock.now());
      quick.connectionLost(agent1, clock.now());
      clock.advance(1.5);
      expect(quick.sweep().silent).to.deep.equal([]);
      clock.advance(1);
      expect(quick.sweep().silent.map((r) => r.staffId)).to.deep.equal([agent1]);
    });
  });
});
