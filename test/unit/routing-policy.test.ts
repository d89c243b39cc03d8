import { expect } from 'chai';
import {
  bestCall,
  compareIdle,
  compareWaiting,
  longestIdle,
  type IdleAgent,
  type WaitingCall,
} from '../../src/acd/routing-policy';

const T0 = Date.parse('2026-11-23T03:00:00Z');
const call = (id: number, priority: number, waitingSinceSeconds: number, desk = 'front'): WaitingCall => ({
  id,
  callSid: `CA${id}`,
  queue: `${desk}-general`,
  desk,
  priority,
  enqueuedAt: new Date(T0 + waitingSinceSeconds * 1000),
});
const agent = (staffId: number, idleSinceSeconds: number | null): IdleAgent => ({
  staffId,
  idleSince: idleSinceSeconds === null ? null : new Date(T0 + idleSinceSeconds * 1000),
});

describe('routing policy (pure)', () => {
  describe('compareWaiting', () => {
    it('serves higher priority first, whatever the waiting time', () => {
      const vip = call(9, 40, 100);
      const fresh = call(1, 10, 0);
      expect(compareWaiting(vip, fresh)).to.be.below(0);
      expect(compareWaiting(fresh, vip)).to.be.above(0);
    });

    it('at equal priority, the longest waiting first', () => {
      expect(compareWaiting(call(2, 20, 0), call(1, 20, 5))).to.be.below(0);
      expect(compareWaiting(call(1, 20, 5), call(2, 20, 0))).to.be.above(0);
    });

    it('at equal priority and time queued, the lower id (arrival order) first; a call equals itself', () => {
      expect(compareWaiting(call(3, 20, 0), call(4, 20, 0))).to.be.below(0);
      expect(compareWaiting(call(4, 20, 0), call(3, 20, 0))).to.be.above(0);
      expect(compareWaiting(call(3, 20, 0), call(3, 20, 0))).to.equal(0);
    });

    it('sorts a mixed list into serving order', () => {
      const calls = [call(1, 10, 0), call(2, 30, 20), call(3, 10, -5), call(4, 40, 60), call(5, 30, 20), call(6, 30, 10)];
      expect([...calls].sort(compareWaiting).map((c) => c.id)).to.deep.equal([4, 6, 2, 5, 3, 1]);
    });
  });

  describe('bestCall (heads of the queues an agent serves)', () => {
    it('is undefined with no head at all, or only empty queues', () => {
      expect(bestCall([])).to.equal(undefined);
      expect(bestCall([undefined, undefined])).to.equal(undefined);
    });

    it('picks across queues by the one rule: priority, then longest waiting, then id', () => {
      const front = call(1, 10, 0, 'front');
      const middle = call(2, 20, 30, 'middle');
      const back = call(3, 20, 10, 'back');
      expect(bestCall([front, middle, back])).to.equal(back);
      expect(bestCall([front, undefined, middle])).to.equal(middle);
      expect(bestCall([undefined, front])).to.equal(front);
    });

    it('does not depend on the order of the queues (a tie goes to the lower id)', () => {
      const a = call(7, 20, 0, 'front');
      const b = call(8, 20, 0, 'middle');
      expect(bestCall([a, b])).to.equal(a);
      expect(bestCall([b, a])).to.equal(a);
    });
  });

  describe('longestIdle', () => {
    it('is undefined with nobody', () => {
      expect(longestIdle([])).to.equal(undefined);
      expect(longestIdle([undefined])).to.equal(undefined);
    });

    it('offers the agent idle the longest (earliest idleSince) first', () => {
      const a = agent(1, 30);
      const b = agent(2, 10);
      const c = agent(3, 20);
      expect(longestIdle([a, b, c])).to.equal(b);
      expect(longestIdle([c, undefined, a])).to.equal(c);
    });

    it('counts an agent never idle yet (idleSince null) as idle since forever', () => {
      const never = agent(5, null);
      expect(longestIdle([agent(1, -3600), never, agent(2, 0)])).to.equal(never);
      expect(compareIdle(never, agent(1, -3600))).to.be.below(0);
    });

    it('on a tie, the lower staff id', () => {
      expect(longestIdle([agent(4, 0), agent(3, 0)])?.staffId).to.equal(3);
      expect(longestIdle([agent(9, null), agent(8, null)])?.staffId).to.equal(8);
      expect(compareIdle(agent(3, 0), agent(3, 0))).to.equal(0);
    });
  });
});
