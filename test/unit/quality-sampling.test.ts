import { expect } from 'chai';
import { isoWeek, median, previousWeek, selectSample, weekRange, type SampleCandidate } from '../../src/quality/sampling';

const call = (recordingId: number, agentId: number, durationSeconds: number, o: Partial<SampleCandidate> = {}): SampleCandidate => ({ recordingId, agentId, desk: 'front', durationSeconds, flags: [], complaint: false, ...o });

/** Agent 1: ten front-desk calls of 100 s (median 100), one of 10 s and one of 400 s, one flagged, one a complaint. */
const WEEK: SampleCandidate[] = [
  ...Array.from({ length: 8 }, (_, i) => call(i + 1, 1, 100)),
  call(9, 1, 10),
  call(10, 1, 400),
  call(11, 1, 100, { flags: ['long_silence'] }),
  call(12, 1, 100, { complaint: true, flags: ['talk_over'] }),
  // Agent 2 on the back desk: only two calls, too few for a desk median (no outliers), both drawn.
  call(20, 2, 5, { desk: 'back' }),
  call(21, 2, 900, { desk: 'back' }),
];

describe('quality sampling: selection', () => {
  it('picks every complaint, every flagged call, the outliers against the desk median, then N random per agent', () => {
    const picks = selectSample(WEEK, { period: '2026-W48' });
    const by = (reason: string) => picks.filter((p) => p.reason === reason).map((p) => p.recordingId);
    expect(by('complaint')).to.deep.equal([12]);
    expect(by('flagged')).to.deep.equal([11]);
    expect(by('outlier')).to.deep.equal([9, 10]);
    const random = by('random');
    expect(random.filter((id) => id < 20)).to.have.length(3);
    expect(random.filter((id) => id < 20).every((id) => id >= 1 && id <= 8)).to.equal(true);
    expect(random.filter((id) => id >= 20).sort()).to.deep.equal([20, 21]);
    expect(new Set(picks.map((p) => p.recordingId)).size, 'no call twice').to.equal(picks.length);
  });

  it('draws the same calls for the same week and seed, whatever the order of the rows', () => {
    const a = selectSample(WEEK, { period: '2026-W48', seed: 7 });
    const b = selectSample([...WEEK].reverse(), { period: '2026-W48', seed: 7 });
    expect(b).to.deep.equal(a);
    // Over many weeks the draw changes (8 calls choose 3: 56 ways); a fixed draw for every week would be a bug.
    const draws = new Set(['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45'].map((period) => JSON.stringify(selectSample(WEEK, { period, seed: 7 }).filter((p) => p.reason === 'random' && p.recordingId < 20))));
    expect(draws.size).to.be.greaterThan(1);
  });

  it('adds nothing on a rerun, and tops up the random quota only to N when new calls arrived', () => {
    const first = selectSample(WEEK, { period: '2026-W48' });
    expect(selectSample(WEEK, { period: '2026-W48', already: first })).to.deep.equal([]);
    const later = [...WEEK, call(13, 1, 100), call(14, 1, 100)];
    const firstWithOneRandomLess = first.filter((p) => !(p.reason === 'random' && p === first.find((q) => q.reason === 'random' && q.recordingId < 20)));
    const topUp = selectSample(later, { period: '2026-W48', already: firstWithOneRandomLess });
    expect(topUp.filter((p) => p.reason === 'random')).to.have.length(1);
    expect(selectSample(later, { period: '2026-W48', already: first })).to.deep.equal([]);
  });

  it('takes the per-agent number and the outlier ratios from the rules', () => {
    const picks = selectSample(WEEK, { period: '2026-W48', rules: { perAgent: 1, shortRatio: 0.05, longRatio: 5 } });
    expect(picks.filter((p) => p.reason === 'outlier')).to.deep.equal([]);
    expect(picks.filter((p) => p.reason === 'random')).to.have.length(2);
  });

  it('computes the median of odd and even lists', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 2, 3])).to.equal(2.5);
  });
});

describe('quality sampling: ISO weeks in the center time zone', () => {
  it('names the week of an instant in Shanghai (Monday 01:00 local is already the next week)', () => {
    expect(isoWeek(new Date('2026-11-29T15:00:00Z'), 'Asia/Shanghai')).to.equal('2026-W48');
    expect(isoWeek(new Date('2026-11-29T17:00:00Z'), 'Asia/Shanghai')).to.equal('2026-W49');
    expect(isoWeek(new Date('2026-01-01T12:00:00Z'), 'UTC')).to.equal('2026-W01');
    expect(isoWeek(new Date('2027-01-01T12:00:00Z'), 'UTC')).to.equal('2026-W53');
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'), 'UTC')).to.equal('2020-W53');
  });

  it('gives a week as Monday 00:00 to Monday 00:00 local, and refuses weeks that do not exist', () => {
    expect(weekRange('2026-W48', 'Asia/Shanghai')).to.deep.equal({ from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z') });
    expect(weekRange('2026-W01', 'UTC')).to.deep.equal({ from: new Date('2025-12-29T00:00:00Z'), to: new Date('2026-01-05T00:00:00Z') });
    // Across Europe's spring change: the week is 167 hours long.
    const dst = weekRange('2026-W13', 'Europe/Berlin')!;
    expect(dst.from.toISOString()).to.equal('2026-03-22T23:00:00.000Z');
    expect(dst.to.toISOString()).to.equal('2026-03-29T22:00:00.000Z');
    expect(weekRange('2021-W53', 'UTC')).to.equal(undefined);
    expect(weekRange('2026-W00', 'UTC')).to.equal(undefined);
    expect(weekRange('2026-48', 'UTC')).to.equal(undefined);
  });

  it('samples the week that ended: from Monday morning, the previous week', () => {
    expect(previousWeek(new Date('2026-11-29T17:00:00Z'), 'Asia/Shanghai')).to.equal('2026-W48');
    expect(previousWeek(new Date('2026-01-01T12:00:00Z'), 'UTC')).to.equal('2025-W52');
  });
});
