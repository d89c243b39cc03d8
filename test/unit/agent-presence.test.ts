import { expect } from 'chai';
import { AGENT_STATES, type AgentStateName } from '../../src/db/schema/index';
import { BREAK_REASONS, agentRequest, systemEvent, type Presence, type SystemEvent } from '../../src/acd/agent-presence';

const at = (state: AgentStateName, o: Partial<Presence> = {}): Presence => ({ state, reason: null, nextState: null, nextReason: null, ...o });

/** What an agent may ask for from each state, written out independently of the module's own table. */
const ALLOWED: Record<AgentStateName, readonly AgentStateName[]> = {
  offline: ['available', 'break'],
  available: ['break', 'offline'],
  break: ['available', 'offline', 'break'],
  missed: ['available', 'break', 'offline'],
  wrap_up: ['available', 'break', 'offline'],
  reserved: [],
  on_call: [],
};

const IDLE_STATES = AGENT_STATES.filter((s) => s !== 'reserved' && s !== 'on_call');
const BUSY_STATES = ['reserved', 'on_call'] as const;

describe('agent presence state machine (pure)', () => {
  describe("the agent's own requests", () => {
    for (const from of IDLE_STATES) {
      for (const to of AGENT_STATES) {
        const allowed = ALLOWED[from].includes(to);
        it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
          const d = agentRequest(at(from, { reason: from === 'break' ? 'rest' : null }), { state: to, reason: to === 'break' ? 'lunch' : undefined });
          if (allowed) {
            expect(d).to.deep.equal({ kind: 'change', to: { state: to, reason: to === 'break' ? 'lunch' : null, nextState: null, nextReason: null } });
          } else {
            expect(d).to.deep.equal({ kind: 'refused', message: `cannot go from ${from} to ${to}` });
          }
        });
      }
    }

    it('refuses a break without a reason code, from any state (also while on a call)', () => {
      for (const from of AGENT_STATES) {
        expect(agentRequest(at(from), { state: 'break' }), from).to.deep.equal({ kind: 'refused', message: 'a break needs a reason code' });
        expect(agentRequest(at(from), { state: 'break', reason: '' }), `${from}, empty reason`).to.deep.equal({ kind: 'refused', message: 'a break needs a reason code' });
      }
    });

    it('keeps the reason only for a break: a reason sent with available or offline is dropped', () => {
      expect(agentRequest(at('break', { reason: 'lunch' }), { state: 'available', reason: 'lunch' })).to.deep.equal({
        kind: 'change',
        to: { state: 'available', reason: null, nextState: null, nextReason: null },
      });
      expect(agentRequest(at('available'), { state: 'offline', reason: 'training' })).to.deep.equal({
        kind: 'change',
        to: { state: 'offline', reason: null, nextState: null, nextReason: null },
      });
    });

    it('changes from one break reason to another (break → break)', () => {
      expect(agentRequest(at('break', { reason: 'lunch' }), { state: 'break', reason: 'meeting' })).to.deep.equal({
        kind: 'change',
        to: { state: 'break', reason: 'meeting', nextState: null, nextReason: null },
      });
    });

    it('a direct change clears a next state asked for earlier', () => {
      expect(agentRequest(at('wrap_up', { nextState: 'break', nextReason: 'lunch' }), { state: 'available' })).to.deep.equal({
        kind: 'change',
        to: { state: 'available', reason: null, nextState: null, nextReason: null },
      });
    });

    for (const busy of BUSY_STATES) {
      it(`while ${busy}, available / break / offline become the next state and the state stays ${busy}`, () => {
        const p = at(busy);
        expect(agentRequest(p, { state: 'available' })).to.deep.equal({ kind: 'change', to: { ...p, nextState: 'available', nextReason: null } });
        expect(agentRequest(p, { state: 'offline' })).to.deep.equal({ kind: 'change', to: { ...p, nextState: 'offline', nextReason: null } });
        expect(agentRequest(p, { state: 'break', reason: 'training' })).to.deep.equal({ kind: 'change', to: { ...p, nextState: 'break', nextReason: 'training' } });
        // A later request replaces the earlier one.
        expect(agentRequest(at(busy, { nextState: 'break', nextReason: 'lunch' }), { state: 'offline' })).to.deep.equal({
          kind: 'change',
          to: { ...p, nextState: 'offline', nextReason: null },
        });
      });

      it(`while ${busy}, any other state cannot be asked for, not even as the next one`, () => {
        for (const to of ['reserved', 'on_call', 'wrap_up', 'missed'] as const) {
          expect(agentRequest(at(busy), { state: to }), to).to.deep.equal({ kind: 'refused', message: `cannot ask for ${to} while ${busy}` });
        }
      });
    }

    it('knows the break reason codes', () => {
      expect([...BREAK_REASONS]).to.deep.equal(['lunch', 'rest', 'training', 'meeting', 'coaching', 'personal']);
    });
  });

  describe("the ACD's events", () => {
    const next = { nextState: 'break' as const, nextReason: 'lunch' };

    /** Every state the event does not apply in: the event changes nothing (undefined). */
    function onlyFrom(e: SystemEvent, states: readonly AgentStateName[]) {
      for (const s of AGENT_STATES.filter((x) => !states.includes(x))) {
        expect(systemEvent(at(s), e), `${e} from ${s}`).to.equal(undefined);
      }
    }

    it('offered: available → reserved, and only from available', () => {
      expect(systemEvent(at('available'), 'offered')).to.deep.equal(at('reserved'));
      onlyFrom('offered', ['available']);
    });

    it('answered: reserved → on_call keeping the next state, and only from reserved', () => {
      expect(systemEvent(at('reserved', next), 'answered')).to.deep.equal(at('on_call', next));
      onlyFrom('answered', ['reserved']);
    });

    it('not-answered: reserved → missed, and the next state asked for is dropped', () => {
      expect(systemEvent(at('reserved', next), 'not-answered')).to.deep.equal(at('missed'));
      expect(systemEvent(at('reserved'), 'not-answered')).to.deep.equal(at('missed'));
      onlyFrom('not-answered', ['reserved']);
    });

    it('withdrawn: reserved → available, or the next state the agent asked for (with its reason)', () => {
      expect(systemEvent(at('reserved'), 'withdrawn')).to.deep.equal(at('available'));
      expect(systemEvent(at('reserved', next), 'withdrawn')).to.deep.equal(at('break', { reason: 'lunch' }));
      expect(systemEvent(at('reserved', { nextState: 'offline' }), 'withdrawn')).to.deep.equal(at('offline'));
      onlyFrom('withdrawn', ['reserved']);
    });

    it('call-ended: on_call → wrap_up keeping the next state', () => {
      expect(systemEvent(at('on_call', next), 'call-ended')).to.deep.equal(at('wrap_up', next));
      expect(systemEvent(at('on_call'), 'call-ended')).to.deep.equal(at('wrap_up'));
      onlyFrom('call-ended', ['on_call']);
    });

    it('wrap-up-over: wrap_up → available, or the next state asked for', () => {
      expect(systemEvent(at('wrap_up'), 'wrap-up-over')).to.deep.equal(at('available'));
      expect(systemEvent(at('wrap_up', next), 'wrap-up-over')).to.deep.equal(at('break', { reason: 'lunch' }));
      expect(systemEvent(at('wrap_up', { nextState: 'offline' }), 'wrap-up-over')).to.deep.equal(at('offline'));
      onlyFrom('wrap-up-over', ['wrap_up']);
    });

    it('went-silent: offline with reason "no heartbeat" from available, break, missed and reserved', () => {
      for (const s of ['available', 'break', 'missed', 'reserved'] as const) {
        expect(systemEvent(at(s, { reason: s === 'break' ? 'lunch' : null, ...next }), 'went-silent'), s).to.deep.equal(at('offline', { reason: 'no heartbeat' }));
      }
      expect(systemEvent(at('offline'), 'went-silent')).to.equal(undefined);
    });

    it('went-silent on a call or in wrap-up: the state stays, offline becomes the next state (replacing the one asked for)', () => {
      expect(systemEvent(at('on_call'), 'went-silent')).to.deep.equal(at('on_call', { nextState: 'offline' }));
      expect(systemEvent(at('wrap_up', next), 'went-silent')).to.deep.equal(at('wrap_up', { nextState: 'offline', nextReason: null }));
      // …and once the call and wrap-up are over, offline it is.
      const silentOnCall = systemEvent(at('on_call', next), 'went-silent')!;
      const wrapping = systemEvent(silentOnCall, 'call-ended')!;
      expect(systemEvent(wrapping, 'wrap-up-over')).to.deep.equal(at('offline'));
    });

    it('a whole call: available → reserved → on_call → wrap_up → available', () => {
      let p: Presence = at('available');
      for (const [e, state] of [
        ['offered', 'reserved'],
        ['answered', 'on_call'],
        ['call-ended', 'wrap_up'],
        ['wrap-up-over', 'available'],
      ] as const) {
        p = systemEvent(p, e)!;
        expect(p.state, e).to.equal(state);
      }
    });
  });
});
