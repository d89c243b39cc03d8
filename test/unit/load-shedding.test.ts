import { expect } from 'chai';
import { nextShedState, type ShedState } from '../../src/telephony/load-shedding';

const bounds = { maxLagMs: 100, maxInFlight: 50, calmWindows: 3 };
const calm = { lagP99Ms: 10, inFlight: 2 };
const run = (samples: { lagP99Ms: number; inFlight: number }[], from: ShedState = { shedding: false, calm: 0 }) =>
  samples.reduce<ShedState[]>((acc, s) => [...acc, nextShedState(acc[acc.length - 1] ?? from, s, bounds)], []);

describe('load shedding rule', () => {
  it('starts shedding as soon as the event-loop lag passes its bound', () => {
    expect(nextShedState({ shedding: false, calm: 0 }, { lagP99Ms: 101, inFlight: 0 }, bounds)).to.deep.equal({ shedding: true, calm: 0 });
    expect(nextShedState({ shedding: false, calm: 0 }, { lagP99Ms: 100, inFlight: 0 }, bounds)).to.deep.equal({ shedding: false, calm: 0 });
  });

  it('starts shedding when the webhooks in flight pass their bound', () => {
    expect(nextShedState({ shedding: false, calm: 0 }, { lagP99Ms: 0, inFlight: 51 }, bounds).shedding).to.equal(true);
  });

  it('stops only after calmWindows calm windows in a row (hysteresis)', () => {
    const states = run([{ lagP99Ms: 300, inFlight: 0 }, calm, calm, calm, calm]);
    expect(states.map((s) => s.shedding)).to.deep.equal([true, true, true, false, false]);
  });

  it('a window between half the bound and the bound is not calm: shedding goes on and the count restarts', () => {
    const states = run([{ lagP99Ms: 300, inFlight: 0 }, calm, calm, { lagP99Ms: 60, inFlight: 0 }, calm, calm, calm]);
    expect(states.map((s) => s.shedding)).to.deep.equal([true, true, true, true, true, true, false]);
    expect(states[3].calm).to.equal(0);
  });

  it('in-flight over half its bound keeps shedding too', () => {
    const states = run([{ lagP99Ms: 0, inFlight: 80 }, { lagP99Ms: 0, inFlight: 30 }, { lagP99Ms: 0, inFlight: 30 }, { lagP99Ms: 0, inFlight: 30 }]);
    expect(states.every((s) => s.shedding)).to.equal(true);
  });
});
