// The pure figures: hold time and satisfaction (from the seams the hold and survey tables will feed), the wrap-up cap,
// logged-in time split at 15-minute boundaries, and the local hour and day of the report's intervals.
import { expect } from 'chai';
import { figuresOf, rollUp, type FigureRows } from '../../src/reports/contact-center-figures';
import { intervalEnd, intervalStart } from '../../src/reports/report-intervals';

const T = (hms: string) => Date.parse(`2026-11-23T${hms}+08:00`);

function rows(over: Partial<FigureRows>): FigureRows {
  return {
    from: T('09:00:00'),
    to: T('10:00:00'),
    now: T('12:00:00'),
    queueEntries: [],
    interactions: [],
    stateChanges: [],
    repeatCalls: [],
    callbacks: [],
    complaints: [],
    evaluations: [],
    surveys: [],
    holdMs: new Map(),
    teamOf: new Map([[7, 3]]),
    serviceLevelSeconds: new Map(),
    ...over,
  };
}

const cellOf = (cells: ReturnType<typeof rollUp>, dimension: string, start: number, key: string) => cells.get(`${dimension}|${start}|${key}`)?.c;

describe('contact-center figures (pure)', () => {
  it('splits connected time into talk and hold: AHT = talk + hold + wrap-up', () => {
    // Connected 09:01:00-09:06:00 (300 s) with 45 s on hold; wrap-up 09:06:00-09:06:20 (20 s).
    const cells = rollUp(
      rows({
        interactions: [{ id: 1, agentId: 7, queue: 'q', desk: 'front', answeredAt: T('09:01:00'), endedAt: T('09:06:00') }],
        stateChanges: [
          { staffId: 7, to: 'on_call', at: T('09:01:00') },
          { staffId: 7, to: 'wrap_up', at: T('09:06:00') },
          { staffId: 7, to: 'available', at: T('09:06:20') },
        ],
        holdMs: new Map([[1, 45_000]]),
      }),
    );
    const f = figuresOf(cellOf(cells, 'queue', T('09:00:00'), 'q')!);
    expect(f).to.include({ handled: 1, averageTalkSeconds: 255, averageHoldSeconds: 45, averageWrapUpSeconds: 20, averageHandlingSeconds: 320 });
    expect(figuresOf(cellOf(cells, 'team', T('09:00:00'), '3')!)).to.include({ averageHandlingSeconds: 320 });
  });

  it('averages the survey ratings per interval and group (satisfaction on the 1-5 scale)', () => {
    const cells = rollUp(rows({ surveys: [5, 4, 2].map((rating, i) => ({ at: T(`09:1${i}:00`), rating, agentId: 7, queue: 'q', desk: 'front' })) }));
    expect(figuresOf(cellOf(cells, 'agent', T('09:00:00'), '7')!)).to.include({ surveys: 3, satisfaction: 3.67 });
    expect(figuresOf(cellOf(cells, 'desk', T('09:00:00'), 'front')!)).to.include({ surveys: 3, satisfaction: 3.67 });
  });

  it('caps a forgotten wrap-up at 6 hours, and counts a running one up to now', () => {
    const ended = { id: 1, agentId: 7, queue: 'q', desk: 'front', answeredAt: T('09:00:00'), endedAt: T('09:01:00') };
    const forgotten = rollUp(rows({ interactions: [ended], stateChanges: [{ staffId: 7, to: 'wrap_up', at: T('09:01:00') }], now: T('23:00:00') }));
    expect(cellOf(forgotten, 'agent', T('09:00:00'), '7')!.wrapUpMs).to.equal(6 * 3_600_000);
    const running = rollUp(rows({ interactions: [ended], stateChanges: [{ staffId: 7, to: 'wrap_up', at: T('09:01:00') }], now: T('09:01:40') }));
    expect(cellOf(running, 'agent', T('09:00:00'), '7')!.wrapUpMs).to.equal(40_000);
  });

  it('splits logged-in time at each 15-minute boundary, from the state the range opened with', () => {
    // Available since 08:50 (before the range), on a call 09:10-09:20, offline at 09:25.
    const cells = rollUp(
      rows({
        stateChanges: [
          { staffId: 7, to: 'available', at: T('08:50:00') },
          { staffId: 7, to: 'on_call', at: T('09:10:00') },
          { staffId: 7, to: 'offline', at: T('09:25:00') },
        ],
      }),
    );
    expect(cellOf(cells, 'agent', T('09:00:00'), '7')).to.include({ staffedMs: 900_000, busyMs: 300_000 });
    expect(cellOf(cells, 'agent', T('09:15:00'), '7')).to.include({ staffedMs: 600_000, busyMs: 600_000 });
    expect(cellOf(cells, 'agent', T('09:30:00'), '7')).to.equal(undefined);
    expect(cellOf(cells, 'queue', T('09:00:00'), 'none'), 'occupancy is not a queue figure').to.equal(undefined);
  });

  it('groups 15-minute intervals into local hours and days, also across a daylight-saving change', () => {
    const q = Date.parse('2026-11-23T09:45:00+08:00');
    expect(intervalStart(q, 'hour', 'Asia/Shanghai')).to.equal(Date.parse('2026-11-23T09:00:00+08:00'));
    expect(intervalStart(q, 'day', 'Asia/Shanghai')).to.equal(Date.parse('2026-11-23T00:00:00+08:00'));
    // Kathmandu is UTC+5:45: its hours start at :15 UTC.
    expect(intervalStart(Date.parse('2026-11-23T04:00:00Z'), 'hour', 'Asia/Kathmandu')).to.equal(Date.parse('2026-11-23T03:15:00Z'));
    // New York's 1 November 2026 lasts 25 hours (clocks go back at 02:00 EDT).
    const day = intervalStart(Date.parse('2026-11-01T20:00:00Z'), 'day', 'America/New_York');
    expect(day).to.equal(Date.parse('2026-11-01T00:00:00-04:00'));
    expect(intervalEnd(day, 'day', 'America/New_York')).to.equal(Date.parse('2026-11-02T00:00:00-05:00'));
  });
});
