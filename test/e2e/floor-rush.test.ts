// A simulated rush through the carrier simulator, watched from a dispatcher's wallboard: the floor's numbers move
// as the calls do (waiting, longest wait, service level, abandons, short abandons apart, agents' calls), and a
// longest-wait alert is raised once when the queue backs up and cleared once when the agents catch up.
import { expect } from 'chai';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk, api } from '../support/agent-desk';
import { FloorWatcher } from '../support/floor-watcher';
import type { SimCall } from '../../src/sim/index';

const stranger = (n: number) => `+86150000001${String(n).padStart(2, '0')}`;
/** Language 1 (普通话), then 0 (an agent): a new caller lands in front-general. */
const toAgent = (then: Record<string, unknown>[] = [{ wait: 900 }]) => [{ press: '1' }, { press: '0' }, ...then];

describe('the floor during a simulated rush (carrier simulator, dispatcher wallboard over /ws)', function () {
  this.timeout(90000);
  let f: SimFixture;
  const desks: AgentDesk[] = [];
  let board: FloorWatcher;

  beforeEach(async () => {
    // 200 real ms per simulated second (a short abandon's 5 s is a whole second: room for a busy machine).
    f = await startHotlineWithSimulator({}, { timeScale: 200, simulatedServerClock: true, acdTickMs: 10, floor: { minIntervalMs: 20, refreshMs: 100 } });
  });
  afterEach(async () => {
    for (const d of desks.splice(0)) d.close();
    board?.close();
    await f.close();
  });

  it('moves waiting, longest wait, service level and abandons as calls come and go, and crosses then clears a longest-wait alert', async () => {
    const supervisor = await api(f, 'POST', '/api/auth/login', undefined, { username: 'supervisor1', password: 'hotline-demo' });
    const put = await api(f, 'PUT', '/api/alerts/settings', supervisor.body.token as string, { longest_wait: { raiseAt: 40, clearAt: 10, holdSeconds: 0 } });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    board = await FloorWatcher.connect(f.base, 'dispatcher1');
    await board.until((w) => expect(w.snapshots).to.equal(1));
    expect(board.queue('front-general')).to.include({ waiting: 0, longestWaitSeconds: 0 });
    expect(board.queue('front-general').today).to.include({ offered: 0, abandoned: 0, shortAbandoned: 0 });

    // Three agents sign in but are not yet available; six callers queue, one hangs up at once, one after a while.
    for (const u of ['agent1', 'agent2', 'agent3']) desks.push(await AgentDesk.signIn(f, u, { answerAfter: 1, script: [{ wait: 5 }, { hangup: true }] }));
    const calls: SimCall[] = [];
    for (let i = 0; i < 6; i++) calls.push(f.dial(stranger(i), toAgent()));
    // The quick one hangs up while hearing that they are being put through: queued under 5 s, a short abandon.
    const quick = f.dial(stranger(10), toAgent([{ hangup: true }]));
    const tired = f.dial(stranger(11), toAgent([{ wait: 20 }, { hangup: true }]));

    // The queue backs up on the board (six plus the tired one), the wait growing.
    await board.until((w) => expect(w.queue('front-general').waiting).to.be.at.least(7), 20000);
    await quick.done;
    await board.until((w) => expect(w.queue('front-general').today).to.include({ shortAbandoned: 1, abandoned: 0 }), 10000);
    await tired.done;
    await board.until((w) => {
      const q = w.queue('front-general');
      expect(q.waiting).to.equal(6);
      expect(q.today).to.include({ shortAbandoned: 1, abandoned: 1, offered: 1, answered: 0 });
      expect(q.today.abandonRate).to.equal(100);
    }, 10000);
    // Past 40 s the alert is raised, once; the estimated wait is not promised while nobody takes calls.
    await board.until((w) => expect(w.raised.map((a) => `${a.kind}|${a.subject}`)).to.include('longest_wait|front-general'), 20000);
    const q = board.queue('front-general');
    expect(q.longestWaitSeconds).to.be.above(40);
    expect(q.pastServiceLevel).to.equal(6);
    expect(q.estimatedWaitSeconds).to.equal(null);
    const alert = board.raised.find((a) => a.kind === 'longest_wait')!;
    expect(alert.message).to.match(/^front-general: longest wait \d+ s \(over 40 s\)$/);

    // The agents become available: the board shows them talking, on which call, from which queue.
    for (const d of desks) expect((await d.setState('available')).status).to.equal(200);
    const sids = new Set(calls.map((c) => c.sid));
    await board.until((w) => {
      const talking = [...w.roster.values()].filter((a) => a.call?.status === 'talking');
      expect(talking.length).to.be.at.least(1);
      for (const a of talking) {
        expect(sids.has(a.call!.callSid)).to.equal(true);
        expect(a.call).to.include({ queue: 'front-general', direction: 'inbound' });
        expect(a.state).to.equal('on_call');
      }
    }, 20000);

    // They work through the queue: nobody waits, the alert clears once, every answer was late (SL 0%).
    await board.until((w) => expect(w.queue('front-general')).to.include({ waiting: 0, longestWaitSeconds: 0 }), 30000);
    await board.until((w) => expect(w.cleared.map((a) => a.id)).to.include(alert.id), 10000);
    await board.until((w) => {
      const t = w.queue('front-general').today;
      expect(t).to.include({ answered: 6, answeredInTime: 0, abandoned: 1, shortAbandoned: 1, offered: 7, serviceLevel: 0 });
    }, 10000);

    // One more caller, answered at once by a free agent: inside the three rings, the service level moves up.
    const wrapUp = () => [...board.roster.values()].filter((a) => a.state === 'available').length;
    await board.until(() => expect(wrapUp()).to.be.at.least(1), 20000);
    const lucky = f.dial(stranger(20), toAgent([{ wait: 30 }, { hangup: true }]));
    await board.until((w) => expect(w.queue('front-general').today).to.include({ answered: 7, answeredInTime: 1, offered: 8, serviceLevel: 12.5 }), 20000);
    expect(board.queue('front-general').last30Minutes).to.include({ offered: 8, serviceLevel: 12.5 });
    expect(board.queue('front-general').estimatedWaitSeconds).to.be.a('number');
    await lucky.done;
    for (const c of calls) c.hangup();

    // Raised once, cleared once, whatever the refreshes in between.
    const longest = (xs: { kind: string; subject: string }[]) => xs.filter((a) => a.kind === 'longest_wait' && a.subject === 'front-general');
    expect(longest(board.raised)).to.have.length(1);
    expect(longest(board.cleared)).to.have.length(1);
    const history = await api(f, 'GET', '/api/alerts', supervisor.body.token as string);
    expect(longest(history.body.history as { kind: string; subject: string }[])).to.have.length(1);
  });
});
