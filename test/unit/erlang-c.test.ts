import { expect } from 'chai';
import {
  agentsNeeded,
  averageSpeedOfAnswer,
  erlangB,
  erlangC,
  expectedWaitInLine,
  occupancy,
  serviceLevel,
  trafficIntensity,
} from '../../src/staffing/erlang-c';

/** Erlang C by the textbook sum, in log space (so it runs past 170!, where the factorial overflows a double). */
function erlangCBySum(n: number, a: number): number {
  const logTerm = (k: number) => k * Math.log(a) - logFactorial(k);
  const terms = Array.from({ length: n }, (_, k) => logTerm(k));
  const last = logTerm(n) + Math.log(n / (n - a));
  const top = Math.max(last, ...terms);
  const sum = terms.reduce((s, t) => s + Math.exp(t - top), 0);
  return Math.exp(last - top) / (sum + Math.exp(last - top));
}
function logFactorial(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

describe('Erlang C (pure)', () => {
  describe('the published worked example: 100 calls in 30 minutes, AHT 180 s, 80% answered within 20 s', () => {
    // Source: Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    // (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm), reproduced with its results in the
    // pyworkforce documentation (github.com/rodrigo-arenas/pyworkforce, docs/tutorials/erlangc_example.rst):
    // 10 Erlangs, 14 agents needed (max occupancy 85%), service level 0.888, occupancy 0.714, waiting probability 0.174.
    const erlangs = trafficIntensity(100 / 1800, 180);

    it('is 10 Erlangs of traffic', () => {
      expect(erlangs).to.be.closeTo(10, 1e-9);
    });

    it('needs 14 agents, who answer 88.8% within 20 s, are busy 71.4% of the time, and 17.4% of callers wait', () => {
      expect(agentsNeeded({ erlangs, averageHandleSeconds: 180, targetSeconds: 20, serviceLevel: 0.8, maxOccupancy: 0.85 })).to.equal(14);
      expect(serviceLevel(14, erlangs, 180, 20)).to.be.closeTo(0.888, 0.0005);
      expect(occupancy(14, erlangs)).to.be.closeTo(0.714, 0.0005);
      expect(erlangC(14, erlangs)).to.be.closeTo(0.174, 0.0005);
    });

    // Not in the published page: what the same formula gives one and three agents fewer.
    it('falls short of the target with 13 agents (79.6% within 20 s) and with 11 (39.0%)', () => {
      expect(serviceLevel(13, erlangs, 180, 20)).to.be.closeTo(0.7956, 0.0005);
      expect(serviceLevel(11, erlangs, 180, 20)).to.be.closeTo(0.3896, 0.0005);
      expect(erlangC(11, erlangs)).to.be.closeTo(0.6821, 0.0005);
    });
  });

  describe('textbook closed forms', () => {
    it('M/M/1: the waiting probability is the occupancy, and the mean wait ρ/(μ − λ)', () => {
      expect(erlangC(1, 0.5)).to.be.closeTo(0.5, 1e-12);
      expect(averageSpeedOfAnswer(1, 0.5, 60)).to.be.closeTo(60, 1e-9); // λ = 1/120 s, μ = 1/60 s: 0.5 / (1/120) = 60 s
    });

    it('M/M/2 with 1 Erlang: C = 1/3; Erlang B with 1 agent is A / (1 + A)', () => {
      expect(erlangC(2, 1)).to.be.closeTo(1 / 3, 1e-12);
      expect(erlangB(1, 3)).to.be.closeTo(0.75, 1e-12);
    });

    it('the average speed of answer of the worked example is C·AHT/(N − A)', () => {
      expect(averageSpeedOfAnswer(14, 10, 180)).to.be.closeTo((erlangC(14, 10) * 180) / 4, 1e-9);
      expect(averageSpeedOfAnswer(14, 10, 180)).to.be.closeTo(7.84, 0.01);
    });
  });

  describe('edge cases', () => {
    it('no traffic: nobody waits, everyone is answered in time, no agent is needed', () => {
      expect(erlangC(3, 0)).to.equal(0);
      expect(serviceLevel(3, 0, 180, 20)).to.equal(1);
      expect(averageSpeedOfAnswer(3, 0, 180)).to.equal(0);
      expect(agentsNeeded({ erlangs: 0, averageHandleSeconds: 180, targetSeconds: 20, serviceLevel: 0.8 })).to.equal(0);
    });

    it('overload (A ≥ N): everyone waits, nobody in time, the mean wait has no bound', () => {
      expect(erlangC(10, 10)).to.equal(1);
      expect(serviceLevel(10, 12, 180, 20)).to.equal(0);
      expect(averageSpeedOfAnswer(10, 10, 180)).to.equal(Infinity);
    });

    it('the occupancy cap can need more agents than the service level', () => {
      // 10 Erlangs with a generous target: 12 agents meet 50% in 20 s, but 85% occupancy needs ceil(10 / 0.85) = 12,
      // and 75% needs ceil(10 / 0.75) = 14.
      expect(agentsNeeded({ erlangs: 10, averageHandleSeconds: 180, targetSeconds: 20, serviceLevel: 0.5 })).to.equal(12);
      expect(agentsNeeded({ erlangs: 10, averageHandleSeconds: 180, targetSeconds: 20, serviceLevel: 0.5, maxOccupancy: 0.75 })).to.equal(14);
    });

    it('refuses targets it cannot meet or that mean nothing', () => {
      expect(() => agentsNeeded({ erlangs: 10, averageHandleSeconds: 180, targetSeconds: 20, serviceLevel: 1 })).to.throw(RangeError);
      expect(() => agentsNeeded({ erlangs: 10, averageHandleSeconds: 0, targetSeconds: 20, serviceLevel: 0.8 })).to.throw(RangeError);
      expect(() => erlangB(2.5, 1)).to.throw(RangeError);
    });
  });

  describe('numerically stable for large centers', () => {
    it('agrees with the textbook sum where the factorials overflow a double (N = 500, A = 480)', () => {
      const c = erlangC(500, 480);
      expect(Number.isFinite(c)).to.equal(true);
      expect(c).to.be.closeTo(erlangCBySum(500, 480), 1e-9);
    });

    it('sizes a 1,000-Erlang queue (35 calls/s × 28.6 s) in a few milliseconds', () => {
      const t0 = performance.now();
      const n = agentsNeeded({ erlangs: 1000, averageHandleSeconds: 28.6, targetSeconds: 15, serviceLevel: 0.8 });
      expect(performance.now() - t0).to.be.below(50);
      expect(n).to.be.within(1001, 1100);
      expect(serviceLevel(n, 1000, 28.6, 15)).to.be.at.least(0.8);
      expect(serviceLevel(n - 1, 1000, 28.6, 15)).to.be.below(0.8);
    });
  });

  describe('expected wait of a caller in line', () => {
    it('is one handling time shared by the agents for each agent the caller waits for', () => {
      expect(expectedWaitInLine(5, 10, 60)).to.equal(30);
      expect(expectedWaitInLine(1, 4, 100)).to.equal(25);
      expect(expectedWaitInLine(0, 4, 100)).to.equal(0);
      expect(expectedWaitInLine(3, 0, 100)).to.equal(Infinity);
    });
  });
});
