// The desk's normal agent talk ratio (median once there are enough recordings) and holds placed on a recording.
import { expect } from 'chai';
import { deskTalkRatioNorm } from '../../src/recordings/talk-ratio-norm';
import { closedHolds, holdsOnRecording } from '../../src/recordings/recording-holds';

describe('deskTalkRatioNorm', () => {
  it('is the configured default below the minimum number of recordings', () => {
    expect(deskTalkRatioNorm([0.9, 0.9, 0.9], { minRecordings: 4, fallback: 0.5 })).to.deep.equal({ value: 0.5, source: 'default', recordings: 0 });
    expect(deskTalkRatioNorm([])).to.deep.equal({ value: 0.5, source: 'default', recordings: 0 });
  });
  it('is the median of the desk (odd and even counts), unmoved by a few extreme calls', () => {
    expect(deskTalkRatioNorm([0.7, 0.1, 0.6, 0.65, 0.99], { minRecordings: 5 })).to.deep.equal({ value: 0.65, source: 'desk', recordings: 5 });
    expect(deskTalkRatioNorm([0.6, 0.7, 0.2, 0.8], { minRecordings: 4 }).value).to.equal(0.65);
  });
  it('needs 20 recordings by default, and ignores ratios that are not ratios', () => {
    const nineteen = Array.from({ length: 19 }, () => 0.8);
    expect(deskTalkRatioNorm(nineteen).source).to.equal('default');
    expect(deskTalkRatioNorm([...nineteen, Number.NaN, 1.5]).source).to.equal('default');
    expect(deskTalkRatioNorm([...nineteen, 0.8])).to.deep.equal({ value: 0.8, source: 'desk', recordings: 20 });
  });
});

describe('holdsOnRecording', () => {
  const t0 = new Date('2026-11-30T02:00:00Z');
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  it('places holds in seconds from the recording start, clipped to the recording, an open one to its end', () => {
    const holds = holdsOnRecording(
      [
        { startedAt: at(40.04), endedAt: at(75.51) },
        { startedAt: at(-5), endedAt: at(3) },
        { startedAt: at(100), endedAt: null },
        { startedAt: at(200), endedAt: at(210) },
      ],
      t0,
      120,
    );
    expect(holds).to.deep.equal([
      { start: 0, end: 3 },
      { start: 40, end: 75.5 },
      { start: 100, end: 120 },
    ]);
  });
  it('leaves an open hold open while the recording length is unknown; the analysis takes only closed ones', () => {
    const holds = holdsOnRecording([{ startedAt: at(10), endedAt: null }, { startedAt: at(1), endedAt: at(2) }], t0, null);
    expect(holds).to.deep.equal([
      { start: 1, end: 2 },
      { start: 10, end: null },
    ]);
    expect(closedHolds(holds)).to.deep.equal([{ start: 1, end: 2 }]);
  });
});
