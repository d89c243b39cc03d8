import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor, type Transact } from '../../src/db/transaction';
import { interactions, staff } from '../../src/db/schema/index';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { EventBus, type DomainEvent } from '../../src/events/domain-events';
import { createLogger } from '../../src/logging/logger';
import { CallsRepo } from '../../src/calls/calls.repo';
import { QueueEntriesRepo, type QueueEntry } from '../../src/acd/queue-entries.repo';
import { PresenceRepo } from '../../src/acd/presence.repo';
import { InteractionsRepo, type InteractionRow } from '../../src/acd/interactions.repo';
import { QueueSettingsRepo } from '../../src/acd/queue-settings.repo';
import { PresenceService } from '../../src/acd/agent-presence.service';
import { CallGone, Dispatcher, type AcdCarrier } from '../../src/acd/dispatcher';
import { agentIdentity } from '../../src/telephony/voice-token';
import { eventually } from '../support/eventually';

const T0 = new Date('2026-11-23T03:00:00Z'); // Monday 11:00 in Shanghai
const HOTLINE = '+864008008888';
const WANG_FANG = '+8613800138000';

/** The carrier edge: records what the ACD asked for; every agent leg gets a fresh 'CA…' sid. */
class RecordingCarrier implements AcdCarrier {
  rings: { interactionId: number; identity: string; callerId: string; timeoutSeconds: number; sid: string }[] = [];
  connects: { callSid: string; interactionId: number }[] = [];
  ended: string[] = [];
  /** When set, ringing fails (the carrier refused the REST request). */
  failRing: Error | undefined;

  async ringAgent(o: { interactionId: number; identity: string; callerId: string; timeoutSeconds: number }): Promise<string> {
    const sid = `CA${String(this.rings.length + 1).padStart(32, 'a')}`;
    this.rings.push({ ...o, sid });
    if (this.failRing) throw this.failRing;
    return sid;
  }

  /** When set, bringing the caller in fails (e.g. CallGone: the caller hung up just before). */
  failConnect: Error | undefined;

  async connectCaller(callSid: string, interactionId: number): Promise<void> {
    this.connects.push({ callSid, interactionId });
    if (this.failConnect) throw this.failConnect;
  }

  async endAgentLeg(callSid: string): Promise<void> {
    this.ended.push(callSid);
  }
}

function fakeClock(start: Date) {
  let t = start.getTime();
  let runningSince: number | undefined;
  return {
    now: () => new Date(t + (runningSince === undefined ? 0 : Date.now() - runningSince)),
    advance(seconds: number) {
      t += seconds * 1000;
    },
    /** From now on the clock moves with real time too (for the ACD's own timers). */
    run() {
      runningSince = Date.now();
    },
  };
}

/** One turn of the event loop: lets a dispatchSoon() scheduled so far run. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Dispatcher (real SQLite, recording carrier)', () => {
  let db: Db;
  let transact: Transact;
  let clock: ReturnType<typeof fakeClock>;
  let events: EventBus;
  let published: DomainEvent[];
  let listenerErrors: unknown[];
  let calls: CallsRepo;
  let queue: QueueEntriesRepo;
  let presence: PresenceRepo;
  let interactionsRepo: InteractionsRepo;
  let presenceService: PresenceService;
  let carrier: RecordingCarrier;
  let dispatcher: Dispatcher;
  const ids = new Map<string, number>();

  const id = (username: string) => ids.get(username)!;
  const stateOf = (username: string) => presence.get(id(username))!.state;
  const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

  beforeEach(() => {
    db = openDatabase(':memory:');
    seedDemoData(db, { now: T0 });
    seedDemoStaff(db, { now: T0 });
    for (const s of db.select({ id: staff.id, username: staff.username }).from(staff).all()) ids.set(s.username, s.id);
    transact = transactor(db);
    clock = fakeClock(T0);
    listenerErrors = [];
    events = new EventBus((err) => listenerErrors.push(err));
    published = [];
    events.subscribe((e) => published.push(e));
    calls = new CallsRepo(db);
    queue = new QueueEntriesRepo(db);
    presence = new PresenceRepo(db);
    interactionsRepo = new InteractionsRepo(db);
    presenceService = new PresenceService({ presence, transact, clock, events });
    carrier = new RecordingCarrier();
    dispatcher = new Dispatcher({
      queue,
      presence,
      presenceService,
      interactions: interactionsRepo,
      calls,
      rules: new QueueSettingsRepo(db),
      transact,
      clock,
      events,
      carrier,
      identity: (username) => agentIdentity({ username }),
      log: createLogger('error', true),
    });
  });

  afterEach(async () => {
    // Let a dispatchSoon() still scheduled run against the open database before closing it.
    await settle();
    await dispatcher.stop();
    db.$client.close();
    expect(listenerErrors, 'event listeners that threw').to.deep.equal([]);
  });

  /** Lets scheduled dispatches and the carrier's promises run until nothing is left. */
  async function settle() {
    for (let i = 0; i < 3; i++) {
      await tick();
      await dispatcher.idle();
    }
  }

  /** The agents sign in one second apart, in this order: the first one is the longest idle. Waits out the dispatch it triggers. */
  async function available(...usernames: string[]) {
    for (const u of usernames) {
      clock.advance(1);
      presenceService.request(id(u), { state: 'available' });
    }
    await settle();
  }

  let callNo = 0;
  /** A call in the database and its waiting queue entry, as the IVR leaves them. */
  function waitingCall(o: { desk?: QueueEntry['desk']; queue?: string; priority?: number; enqueuedAt?: Date; from?: string } = {}): QueueEntry {
    const sid = `CA${String(++callNo).padStart(32, '0')}`;
    const desk = o.desk ?? 'front';
    calls.insert({ sid, direction: 'inbound', from: o.from ?? WANG_FANG, to: HOTLINE, status: 'in-progress', startedAt: o.enqueuedAt ?? clock.now() });
    queue.enqueue({ callSid: sid, queue: o.queue ?? `${desk}-general`, desk, priority: o.priority ?? 10, reason: null, status: 'waiting', enqueuedAt: o.enqueuedAt ?? clock.now() });
    return queue.forCall(sid)!;
  }

  const offered = () => db.select().from(interactions).orderBy(interactions.id).all();
  const live = () => db.select().from(interactions).where(inArray(interactions.status, ['offered', 'connected'])).orderBy(interactions.id).all();
  const only = (rows: InteractionRow[]) => {
    expect(rows).to.have.length(1);
    return rows[0];
  };
  const usernameOf = (agentId: number) => [...ids].find(([, v]) => v === agentId)?.[0];
  const eventsOf = <T extends DomainEvent['type']>(type: T) => published.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);

  /**
   * What must hold whatever order events come in: at most one live interaction per agent and per call; a ringing
   * interaction holds a waiting entry reserved for its agent, who is reserved; a connected one has an agent on the call.
   */
  function expectConsistent() {
    const rows = live();
    const perAgent = new Map<number, number>();
    const perCall = new Map<string, number>();
    for (const r of rows) {
      perAgent.set(r.agentId, (perAgent.get(r.agentId) ?? 0) + 1);
      perCall.set(r.callSid, (perCall.get(r.callSid) ?? 0) + 1);
    }
    expect([...perAgent].filter(([, n]) => n > 1), 'agents with two live interactions').to.deep.equal([]);
    expect([...perCall].filter(([, n]) => n > 1), 'calls with two live interactions').to.deep.equal([]);
    for (const r of rows) {
      const agentState = presence.get(r.agentId)!.state;
      if (r.status === 'offered') {
        expect(agentState, `agent of ringing interaction ${r.id}`).to.equal('reserved');
        expect(queue.forCall(r.callSid), `entry of ringing interaction ${r.id}`).to.include({ status: 'waiting', reservedBy: r.agentId });
      } else {
        expect(agentState, `agent of connected interaction ${r.id}`).to.equal('on_call');
      }
    }
    for (const [username, staffId] of ids) {
      const p = presence.get(staffId);
      if (p && (p.state === 'reserved' || p.state === 'on_call')) expect(perAgent.get(staffId), `${username} is ${p.state}`).to.equal(1);
    }
  }

  describe('who gets which call', () => {
    it('offers a call to the longest-idle available agent serving its desk, and rings their softphone', async () => {
      await available('agent2', 'agent3', 'agent6'); // agent2: front; agent3: front + back; agent6: back + front
      clock.advance(10);
      const back = waitingCall({ desk: 'back', queue: 'back-rma', from: '+8613911112222' });

      expect(dispatcher.dispatch()).to.equal(1);
      const ix = only(offered());
      expect(ix).to.include({ callSid: back.callSid, queueEntryId: back.id, agentId: id('agent3'), status: 'offered', conference: `interaction-${ix.id}` });
      expect(stateOf('agent3')).to.equal('reserved');
      expect(stateOf('agent2'), 'longer idle, but not on the back desk').to.equal('available');
      expect(queue.forCall(back.callSid)).to.include({ status: 'waiting', reservedBy: id('agent3') });
      expect(eventsOf('CallOffered')).to.deep.equal([{ type: 'CallOffered', interactionId: ix.id, callSid: back.callSid, agentId: id('agent3'), queue: 'back-rma', at: clock.now() }]);

      await dispatcher.idle();
      expect(carrier.rings).to.deep.equal([{ interactionId: ix.id, identity: 'agent-agent3', callerId: '+8613911112222', timeoutSeconds: 15, sid: carrier.rings[0].sid }]);
      expect(interactionsRepo.get(ix.id)!.agentCallSid, 'the agent leg is remembered').to.equal(carrier.rings[0].sid);

      const back2 = waitingCall({ desk: 'back', queue: 'back-rma' });
      expect(dispatcher.dispatch()).to.equal(1);
      expect(interactionsRepo.liveForCall(back2.callSid)!.agentId, 'the next back call: the other back-desk agent').to.equal(id('agent6'));

      const middle = waitingCall({ desk: 'middle', queue: 'middle-review' });
      expect(dispatcher.dispatch(), 'nobody available serves the middle desk').to.equal(0);
      expect(queue.forCall(middle.callSid)).to.include({ status: 'waiting', reservedBy: null });
      expectConsistent();
    });

    it('serves higher priority first, then the longest waiting, pairing them with the longest idle agents', async () => {
      await available('agent2', 'agent4', 'agent1');
      const a = waitingCall({ priority: 10, enqueuedAt: at(-60) });
      const b = waitingCall({ priority: 30, enqueuedAt: at(-10), queue: 'front-complaints' });
      const c = waitingCall({ priority: 10, enqueuedAt: at(-120) });
      const d = waitingCall({ priority: 10, enqueuedAt: at(-30) });

      expect(dispatcher.dispatch()).to.equal(3);
      expect(offered().map((ix) => [ix.callSid, usernameOf(ix.agentId)])).to.deep.equal([
        [b.callSid, 'agent2'],
        [c.callSid, 'agent4'],
        [a.callSid, 'agent1'],
      ]);
      expect(queue.forCall(d.callSid)).to.include({ status: 'waiting', reservedBy: null });
      expect(dispatcher.dispatch(), 'nobody left to offer to').to.equal(0);
      expectConsistent();
    });

    it('a rush is offered offersPerTurn at a time, the rest on the next turn (webhooks are served in between)', async () => {
      await dispatcher.stop();
      await available('agent1', 'agent2', 'agent3', 'agent4');
      const calls3 = [waitingCall({ enqueuedAt: at(-30) }), waitingCall({ enqueuedAt: at(-20) }), waitingCall({ enqueuedAt: at(-10) })];
      const paced = new Dispatcher({
        queue,
        presence,
        presenceService,
        interactions: interactionsRepo,
        calls,
        rules: new QueueSettingsRepo(db),
        transact,
        clock,
        events,
        carrier,
        identity: (username) => agentIdentity({ username }),
        log: createLogger('error', true),
        options: { offersPerTurn: 2 },
      });
      expect(paced.dispatch()).to.equal(2);
      expect(offered().map((ix) => ix.callSid)).to.deep.equal([calls3[0].callSid, calls3[1].callSid]);
      await new Promise((r) => setImmediate(r));
      expect(offered().map((ix) => ix.callSid)).to.deep.equal(calls3.map((c) => c.callSid));
      await paced.idle();
      await paced.stop();
      expectConsistent();
    });

    it('an agent on two desks gets the best call across both', async () => {
      const front = waitingCall({ desk: 'front', priority: 10, enqueuedAt: at(-300) });
      const middle = waitingCall({ desk: 'middle', queue: 'middle-review', priority: 30, enqueuedAt: at(-5) });
      expect(dispatcher.bestCallFor(id('agent1'))?.id).to.equal(middle.id);
      expect(dispatcher.bestCallFor(id('agent2'))?.id, 'agent2 serves the front desk only').to.equal(front.id);

      clock.advance(1);
      presenceService.request(id('agent1'), { state: 'available' }); // front + middle
      expect(dispatcher.dispatch()).to.equal(1);
      expect(only(live())).to.include({ callSid: middle.callSid, agentId: id('agent1') });

      // At equal priority the longest waiting wins, whichever desk it waits on.
      const front2 = waitingCall({ desk: 'front', priority: 20, enqueuedAt: at(-200) });
      waitingCall({ desk: 'middle', queue: 'middle-review', priority: 20, enqueuedAt: at(-30) });
      expect(dispatcher.bestCallFor(id('agent5'))?.id).to.equal(front2.id);
      presenceService.request(id('agent5'), { state: 'available' }); // middle + front
      expect(dispatcher.dispatch()).to.equal(1);
      expect(interactionsRepo.liveForAgent(id('agent5'))!.callSid).to.equal(front2.callSid);
      expect(queue.forCall(front.callSid)!.reservedBy, 'lower priority still waits').to.equal(null);
      expectConsistent();
    });

    it('offers by itself once an agent becomes available (dispatchSoon on the state change)', async () => {
      const call = waitingCall();
      expect(dispatcher.dispatch(), 'nobody available yet').to.equal(0);
      presenceService.request(id('agent4'), { state: 'available' });
      expect(live(), 'not before the next turn').to.deep.equal([]);
      await settle();
      expect(only(live())).to.include({ callSid: call.callSid, agentId: id('agent4'), status: 'offered' });
      expect(carrier.rings.map((r) => r.identity)).to.deep.equal(['agent-agent4']);
    });
  });

  describe('the agent answers, misses, or the caller leaves', () => {
    let call: QueueEntry;
    let ix: InteractionRow;
    let leg: string;

    beforeEach(async () => {
      await available('agent2');
      call = waitingCall({ enqueuedAt: at(-20) });
      expect(dispatcher.dispatch()).to.equal(1);
      await dispatcher.idle();
      ix = only(live());
      leg = carrier.rings[0].sid;
      published.length = 0;
    });

    it('agentAnswered: interaction connected, entry bridged, agent on_call, the caller is brought in', async () => {
      clock.advance(7);
      expect(dispatcher.agentAnswered(ix.id, leg)).to.deep.equal({ join: true, conference: `interaction-${ix.id}` });

      expect(interactionsRepo.get(ix.id)).to.include({ status: 'connected', agentCallSid: leg });
      expect(interactionsRepo.get(ix.id)!.answeredAt).to.deep.equal(clock.now());
      const entry = queue.forCall(call.callSid)!;
      expect(entry).to.include({ status: 'bridged', waitSeconds: 28 }); // queued at -20 s, answered at +8 s
      expect(entry.endedAt).to.deep.equal(clock.now());
      expect(stateOf('agent2')).to.equal('on_call');
      expect(published).to.deep.equal([
        { type: 'CallAnswered', interactionId: ix.id, callSid: call.callSid, agentId: id('agent2'), waitSeconds: 28, at: clock.now() },
        { type: 'AgentStateChanged', agentId: id('agent2'), from: 'reserved', to: 'on_call', reason: null, at: clock.now() },
      ]);
      expect(calls.events(call.callSid).map((e) => [e.type, JSON.parse(e.data)])).to.deep.equal([['agent.answered', { interactionId: ix.id, agentId: id('agent2'), waitSeconds: 28 }]]);

      await dispatcher.idle();
      expect(carrier.connects).to.deep.equal([{ callSid: call.callSid, interactionId: ix.id }]);
      expect(carrier.ended).to.deep.equal([]);
      expectConsistent();
    });

    it('a second agentAnswered for the same interaction does nothing', async () => {
      clock.advance(7);
      dispatcher.agentAnswered(ix.id, leg);
      await dispatcher.idle();
      const before = interactionsRepo.get(ix.id);
      const eventsBefore = published.length;

      clock.advance(3);
      expect(dispatcher.agentAnswered(ix.id, leg)).to.deep.equal({ join: false });
      expect(dispatcher.agentAnswered(ix.id, 'CAsomeotherleg')).to.deep.equal({ join: false });
      await dispatcher.idle();
      expect(interactionsRepo.get(ix.id)).to.deep.equal(before);
      expect(published).to.have.length(eventsBefore);
      expect(carrier.connects).to.have.length(1);
      expect(calls.events(call.callSid)).to.have.length(1);
      expect(stateOf('agent2')).to.equal('on_call');
      expectConsistent();
    });

    it('agentLegStatus no-answer: interaction missed, the call back in its place, agent missed', async () => {
      dispatcher.agentLegStatus(ix.id, 'ringing', leg);
      dispatcher.agentLegStatus(ix.id, 'in-progress', leg);
      expect(interactionsRepo.get(ix.id)!.status, 'only final statuses count').to.equal('offered');

      clock.advance(15);
      dispatcher.agentLegStatus(ix.id, 'no-answer', leg);
      expect(interactionsRepo.get(ix.id)).to.include({ status: 'missed', agentCallSid: leg });
      expect(interactionsRepo.get(ix.id)!.endedAt).to.deep.equal(clock.now());
      const entry = queue.forCall(call.callSid)!;
      expect(entry).to.include({ id: call.id, status: 'waiting', reservedBy: null, priority: call.priority, endedAt: null });
      expect(entry.enqueuedAt, 'same time queued: the caller keeps their place').to.deep.equal(call.enqueuedAt);
      expect(stateOf('agent2')).to.equal('missed');
      expect(published).to.deep.equal([
        { type: 'CallMissed', interactionId: ix.id, callSid: call.callSid, agentId: id('agent2'), at: clock.now() },
        { type: 'AgentStateChanged', agentId: id('agent2'), from: 'reserved', to: 'missed', reason: null, at: clock.now() },
      ]);
      expect(calls.events(call.callSid).map((e) => e.type)).to.deep.equal(['agent.missed']);

      // A later caller at the same priority does not overtake: the next agent gets the missed call.
      const later = waitingCall({ enqueuedAt: clock.now() });
      await available('agent4');
      const again = only(live());
      expect(again).to.include({ callSid: call.callSid, queueEntryId: call.id, agentId: id('agent4'), status: 'offered' });
      expect(queue.forCall(later.callSid)!.reservedBy).to.equal(null);
      expect(stateOf('agent2'), 'a missed agent is not offered calls').to.equal('missed');
      expectConsistent();
    });

    it('a ring the carrier refuses puts the call back and the agent in missed', async () => {
      await available('agent4');
      carrier.failRing = new Error('carrier down');
      const second = waitingCall();
      expect(dispatcher.dispatch()).to.equal(1);
      const failed = interactionsRepo.liveForCall(second.callSid)!;
      await dispatcher.idle();
      expect(interactionsRepo.get(failed.id)!.status).to.equal('missed');
      expect(queue.forCall(second.callSid)).to.include({ status: 'waiting', reservedBy: null });
      expect(stateOf('agent4')).to.equal('missed');
      expectConsistent();
    });

    it('the caller hung up just as the agent answered (redirect: CallGone): the entry says abandoned, not bridged; the agent leg is ended', async () => {
      carrier.failConnect = new CallGone(call.callSid);
      clock.advance(7);
      expect(dispatcher.agentAnswered(ix.id, leg).join).to.equal(true);
      await dispatcher.idle();

      expect(interactionsRepo.get(ix.id)).to.include({ status: 'withdrawn' });
      expect(queue.forCall(call.callSid)).to.include({ status: 'abandoned', waitSeconds: 28 });
      expect(calls.get(call.callSid)!.endedAt).to.deep.equal(clock.now());
      expect(eventsOf('CallAbandoned')).to.deep.equal([{ type: 'CallAbandoned', callSid: call.callSid, queue: call.queue, waitSeconds: 28, at: clock.now() }]);
      expect(carrier.ended).to.deep.equal([leg]);
      expect(stateOf('agent2')).to.equal('wrap_up');
      expectConsistent();
    });

    it('callerLeft while ringing: withdrawn, the agent available again, the agent leg ended', async () => {
      clock.advance(4);
      queue.end(call.callSid, 'abandoned', clock.now());
      events.publish({ type: 'CallAbandoned', callSid: call.callSid, queue: call.queue, waitSeconds: 24, at: clock.now() });

      expect(interactionsRepo.get(ix.id)).to.include({ status: 'withdrawn' });
      expect(interactionsRepo.get(ix.id)!.endedAt).to.deep.equal(clock.now());
      expect(stateOf('agent2')).to.equal('available');
      expect(eventsOf('AgentStateChanged').map((e) => [e.from, e.to])).to.deep.equal([['reserved', 'available']]);
      await dispatcher.idle();
      expect(carrier.ended).to.deep.equal([leg]);

      // The agent picking up just after: told the caller is gone.
      expect(dispatcher.agentAnswered(ix.id, leg)).to.deep.equal({ join: false });
      await settle();
      expect(carrier.connects).to.deep.equal([]);
      expect(stateOf('agent2')).to.equal('available');
      expect(live()).to.deep.equal([]);
      expectConsistent();
    });

    it('callerLeft while ringing, with a next state asked for: the agent goes there instead', async () => {
      presenceService.request(id('agent2'), { state: 'break', reason: 'lunch' });
      dispatcher.callerLeft(call.callSid);
      expect(presence.get(id('agent2'))).to.include({ state: 'break', reason: 'lunch', nextState: null });
    });

    it('callerLeft after the answer leaves the conversation alone', async () => {
      dispatcher.agentAnswered(ix.id, leg);
      dispatcher.callerLeft(call.callSid);
      await dispatcher.idle();
      expect(interactionsRepo.get(ix.id)!.status).to.equal('connected');
      expect(stateOf('agent2')).to.equal('on_call');
      expect(carrier.ended).to.deep.equal([]);
    });

    it('sweep: a caller gone before joining the conference leaves the agent alone in it: after 5 s the agent leg is ended, once', async () => {
      dispatcher.agentAnswered(ix.id, leg);
      await dispatcher.idle();
      calls.update(call.callSid, { status: 'completed', endedAt: clock.now() });
      clock.advance(5);
      dispatcher.sweep();
      await dispatcher.idle();
      expect(carrier.ended, 'within the grace: the conference may still be ending by itself').to.deep.equal([]);
      clock.advance(1);
      dispatcher.sweep();
      dispatcher.sweep();
      await dispatcher.idle();
      expect(carrier.ended).to.deep.equal([leg]);
      dispatcher.agentLegStatus(ix.id, 'completed', leg);
      expect(interactionsRepo.get(ix.id)).to.include({ status: 'ended' });
      expect(stateOf('agent2')).to.equal('wrap_up');
    });

    it('sweep: a conversation whose caller is still on the line is left alone', async () => {
      dispatcher.agentAnswered(ix.id, leg);
      clock.advance(600);
      dispatcher.sweep();
      await dispatcher.idle();
      expect(carrier.ended).to.deep.equal([]);
      expect(interactionsRepo.get(ix.id)!.status).to.equal('connected');
    });

    it('the agent leg completing after the conversation: interaction ended, agent into wrap-up for the queue’s wrap-up time', async () => {
      dispatcher.agentAnswered(ix.id, leg);
      clock.advance(120);
      dispatcher.agentLegStatus(ix.id, 'completed', leg);
      expect(interactionsRepo.get(ix.id)).to.include({ status: 'ended' });
      const p = presence.get(id('agent2'))!;
      expect(p.state).to.equal('wrap_up');
      expect(p.wrapUpUntil).to.deep.equal(new Date(clock.now().getTime() + 30_000)); // front-general: 30 s
      expect(eventsOf('CallEnded').map((e) => e.interactionId)).to.deep.equal([ix.id]);
      expectConsistent();
    });

    it('a wrap-up ends at its own time, with no sweep: the agent is available and offered the next caller then', async () => {
      const rules = new QueueSettingsRepo(db);
      rules.upsert({ ...rules.get('front-general'), wrapUpSeconds: 1 });
      dispatcher.agentAnswered(ix.id, leg);
      clock.run();
      const ended = clock.now().getTime();
      dispatcher.agentLegStatus(ix.id, 'completed', leg);
      expect(stateOf('agent2')).to.equal('wrap_up');
      await eventually(() => expect(stateOf('agent2')).to.not.equal('wrap_up'));
      const free = eventsOf('AgentStateChanged').find((e) => e.agentId === id('agent2') && e.from === 'wrap_up');
      expect(free?.to).to.equal('available');
      const late = free!.at.getTime() - (ended + 1000);
      expect(late, 'ms after the wrap-up was due').to.be.within(0, 500);
    });

    it('sweep: an offer ringing longer than the carrier’s timeout is taken back as missed', async () => {
      clock.advance(25);
      dispatcher.sweep();
      expect(interactionsRepo.get(ix.id)!.status, '25 s: still within timeout + 10 s').to.equal('offered');
      clock.advance(1);
      dispatcher.sweep();
      expect(interactionsRepo.get(ix.id)!.status).to.equal('missed');
      expect(queue.forCall(call.callSid)).to.include({ status: 'waiting', reservedBy: null });
      expect(stateOf('agent2')).to.equal('missed');
      await dispatcher.idle();
      expect(carrier.ended).to.deep.equal([leg]);
      expectConsistent();
    });
  });

  describe('also when events race', () => {
    it('an offer swept as missed before the carrier even answered the ring request: the leg is hung up once its sid is known', async () => {
      let placed!: () => void;
      const slow = new Promise<void>((r) => (placed = r));
      const ringAgent = carrier.ringAgent.bind(carrier);
      carrier.ringAgent = async (o) => {
        await slow;
        return ringAgent(o);
      };
      await available('agent2');
      const call = waitingCall({ enqueuedAt: at(-20) });
      expect(dispatcher.dispatch()).to.equal(1);
      const ix = only(live());
      clock.advance(26);
      dispatcher.sweep();
      expect(interactionsRepo.get(ix.id)!.status).to.equal('missed');
      expect(carrier.ended).to.deep.equal([]);
      placed();
      await dispatcher.idle();
      expect(carrier.ended).to.deep.equal([carrier.rings[0].sid]);
      expect(interactionsRepo.get(ix.id)!.agentCallSid).to.equal(carrier.rings[0].sid);
      expect(queue.forCall(call.callSid)).to.include({ status: 'waiting' });
    });

    it('dispatch() twice back to back never offers an agent or a call twice', async () => {
      await available('agent2', 'agent4');
      const first = [waitingCall(), waitingCall(), waitingCall()];
      expect(dispatcher.dispatch()).to.equal(2);
      expect(dispatcher.dispatch()).to.equal(0);
      dispatcher.dispatchSoon();
      dispatcher.dispatchSoon();
      await settle();
      expect(live()).to.have.length(2);
      expectConsistent();

      await available('agent1', 'agent5');
      expect(live(), 'the third call went to one of the new agents').to.have.length(3);
      expect(dispatcher.dispatch()).to.equal(0);
      expect(new Set(live().map((r) => r.callSid))).to.deep.equal(new Set(first.map((c) => c.callSid)));
      expectConsistent();
    });

    async function ringingCall(...agents: string[]) {
      await available(...agents);
      const call = waitingCall();
      expect(dispatcher.dispatch()).to.equal(1);
      await dispatcher.idle();
      const ix = only(live());
      return { call, ix, leg: ix.agentCallSid! };
    }

    it('no-answer, then the answer for the same interaction: the answer is refused, the call offered to someone else once', async () => {
      const { call, ix, leg } = await ringingCall('agent2', 'agent4');
      expect(ix.agentId).to.equal(id('agent2'));

      dispatcher.agentLegStatus(ix.id, 'no-answer', leg);
      expect(dispatcher.agentAnswered(ix.id, leg)).to.deep.equal({ join: false });
      expectConsistent();
      await settle();

      expect(interactionsRepo.get(ix.id)!.status).to.equal('missed');
      expect(stateOf('agent2')).to.equal('missed');
      const again = only(live());
      expect(again).to.include({ callSid: call.callSid, agentId: id('agent4'), status: 'offered' });
      // The late answer again, now that the entry is waiting (and reserved for agent4): still refused.
      expect(dispatcher.agentAnswered(ix.id, leg)).to.deep.equal({ join: false });
      expect(carrier.connects).to.deep.equal([]);
      expectConsistent();
    });

    it('the answer, then no-answer for the same interaction: one conversation, the call never back in the queue', async () => {
      const { call, ix, leg } = await ringingCall('agent2', 'agent4');

      expect(dispatcher.agentAnswered(ix.id, leg).join).to.equal(true);
      dispatcher.agentLegStatus(ix.id, 'no-answer', leg);
      expectConsistent();
      await settle();

      expect(queue.forCall(call.callSid)!.status).to.equal('bridged');
      expect(interactionsRepo.forCall(call.callSid).map((r) => r.id), 'no second offer of the call').to.deep.equal([ix.id]);
      expect(stateOf('agent4'), 'the other agent was not offered the call').to.equal('available');
      expect(carrier.rings).to.have.length(1);
      expectConsistent();
    });

    it('both orders fired in the same turn, for several calls at once', async () => {
      await available('agent2', 'agent4', 'agent1', 'agent3');
      for (let i = 0; i < 4; i++) waitingCall({ enqueuedAt: at(-i) });
      expect(dispatcher.dispatch()).to.equal(4);
      await dispatcher.idle();
      const rows = live();
      rows.forEach((ix, i) => {
        if (i % 2 === 0) {
          dispatcher.agentLegStatus(ix.id, 'no-answer', ix.agentCallSid!);
          dispatcher.agentAnswered(ix.id, ix.agentCallSid!);
        } else {
          dispatcher.agentAnswered(ix.id, ix.agentCallSid!);
          dispatcher.agentLegStatus(ix.id, 'no-answer', ix.agentCallSid!);
        }
        expectConsistent();
      });
      await settle();
      expectConsistent();
      expect(carrier.connects.map((c) => c.interactionId)).to.deep.equal([rows[1].id, rows[3].id]);
    });

    it('the database itself refuses a second live interaction for an agent or for a call', async () => {
      const { call, ix } = await ringingCall('agent2');
      const other = waitingCall();
      const row = (o: { callSid: string; agentId: number; status: InteractionRow['status'] }) => ({ ...o, queueEntryId: null, conference: 'probe', offeredAt: clock.now() });

      expect(() => db.insert(interactions).values(row({ callSid: other.callSid, agentId: ix.agentId, status: 'offered' })).run()).to.throw(/UNIQUE constraint failed: interactions\.agent_id/);
      expect(() => db.insert(interactions).values(row({ callSid: call.callSid, agentId: id('agent4'), status: 'offered' })).run()).to.throw(/UNIQUE constraint failed: interactions\.call_sid/);
      expect(() => db.insert(interactions).values(row({ callSid: other.callSid, agentId: ix.agentId, status: 'connected' })).run()).to.throw(/UNIQUE constraint failed: interactions\.agent_id/);
      // Finished interactions do not count.
      db.insert(interactions).values(row({ callSid: call.callSid, agentId: ix.agentId, status: 'missed' })).run();
      db.insert(interactions).values(row({ callSid: call.callSid, agentId: id('agent4'), status: 'withdrawn' })).run();
      expect(live().map((r) => r.id)).to.deep.equal([ix.id]);

      // Once connected, still one live interaction each.
      dispatcher.agentAnswered(ix.id, carrier.rings[0].sid);
      expect(() => db.insert(interactions).values(row({ callSid: other.callSid, agentId: ix.agentId, status: 'offered' })).run()).to.throw(/UNIQUE constraint failed: interactions\.agent_id/);
      expect(db.select().from(interactions).where(eq(interactions.status, 'connected')).all()).to.have.length(1);
    });
  });
});
