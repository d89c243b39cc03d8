import { expect } from 'chai';
import { hhmm, insideCallingHours, isTimeZone, localDateTime, localSecondOfDay, minuteOfDay, nextCallingTime } from '../../src/outbound/calling-hours';

const NINE_TO_NINE = { startMinute: 540, endMinute: 1260 };
const iso = (d: Date) => d.toISOString();

describe('calling hours (customer local time)', () => {
  describe('Asia/Shanghai (UTC+8, no daylight saving)', () => {
    const tz = 'Asia/Shanghai';

    it('reads the local second of the day and wall time', () => {
      expect(localSecondOfDay(new Date('2026-11-30T01:02:03Z'), tz)).to.equal(9 * 3600 + 2 * 60 + 3);
      expect(localDateTime(new Date('2026-11-30T16:30:00Z'), tz)).to.equal('2026-12-01 00:30');
    });

    it('opens at 09:00 and closes at 21:00 (the end is not inside)', () => {
      expect(insideCallingHours(new Date('2026-11-30T00:59:59Z'), tz, NINE_TO_NINE)).to.equal(false); // 08:59:59
      expect(insideCallingHours(new Date('2026-11-30T01:00:00Z'), tz, NINE_TO_NINE)).to.equal(true); // 09:00
      expect(insideCallingHours(new Date('2026-11-30T12:59:59Z'), tz, NINE_TO_NINE)).to.equal(true); // 20:59:59
      expect(insideCallingHours(new Date('2026-11-30T13:00:00Z'), tz, NINE_TO_NINE)).to.equal(false); // 21:00
    });

    it('next calling time: itself inside, today 09:00 before it, tomorrow 09:00 after it', () => {
      const inside = new Date('2026-11-30T05:17:00Z');
      expect(nextCallingTime(inside, tz, NINE_TO_NINE)).to.equal(inside);
      expect(iso(nextCallingTime(new Date('2026-11-30T00:30:00Z'), tz, NINE_TO_NINE))).to.equal('2026-11-30T01:00:00.000Z');
      expect(iso(nextCallingTime(new Date('2026-11-30T13:00:00Z'), tz, NINE_TO_NINE))).to.equal('2026-12-01T01:00:00.000Z');
      // 23:59:30 on the last day of the month: the next window is the first of the next month.
      expect(iso(nextCallingTime(new Date('2026-11-30T15:59:30Z'), tz, NINE_TO_NINE))).to.equal('2026-12-01T01:00:00.000Z');
    });
  });

  it('Asia/Urumqi (UTC+6) and Australia/Sydney (UTC+11 in summer) open at their own 09:00', () => {
    // 02:00Z is 08:00 in Urumqi (one hour to wait) and 13:00 in Sydney (inside).
    const at = new Date('2026-11-30T02:00:00Z');
    expect(iso(nextCallingTime(at, 'Asia/Urumqi', NINE_TO_NINE))).to.equal('2026-11-30T03:00:00.000Z');
    expect(nextCallingTime(at, 'Australia/Sydney', NINE_TO_NINE)).to.equal(at);
    expect(iso(nextCallingTime(new Date('2026-11-30T10:00:00Z'), 'Australia/Sydney', NINE_TO_NINE))).to.equal('2026-11-30T22:00:00.000Z');
  });

  describe('America/New_York across daylight-saving changes', () => {
    const tz = 'America/New_York';

    it('the night the clocks spring forward (23 hours long) still opens at 09:00 EDT', () => {
      // Saturday 7 March 2026, 22:00 EST (UTC-5); Sunday 8 March 09:00 is EDT (UTC-4) = 13:00Z, 11 h (not 12) later.
      expect(iso(nextCallingTime(new Date('2026-03-08T03:00:00Z'), tz, NINE_TO_NINE))).to.equal('2026-03-08T13:00:00.000Z');
      // And from after midnight, before the jump at 02:00.
      expect(iso(nextCallingTime(new Date('2026-03-08T06:30:00Z'), tz, NINE_TO_NINE))).to.equal('2026-03-08T13:00:00.000Z');
    });

    it('the night the clocks fall back (25 hours long) opens at 09:00 EST', () => {
      // Saturday 31 October 2026, 22:00 EDT = 02:00Z; Sunday 1 November 09:00 EST = 14:00Z.
      expect(iso(nextCallingTime(new Date('2026-11-01T02:00:00Z'), tz, NINE_TO_NINE))).to.equal('2026-11-01T14:00:00.000Z');
      expect(insideCallingHours(new Date('2026-11-01T13:30:00Z'), tz, NINE_TO_NINE)).to.equal(false); // 08:30 EST
    });

    it('a window starting in the hour that does not exist (02:30 on the spring-forward day) opens at a callable moment', () => {
      const early = { startMinute: 150, endMinute: 300 }; // 02:30-05:00
      const t = nextCallingTime(new Date('2026-03-08T05:00:00Z'), tz, early); // 00:00 EST
      expect(insideCallingHours(t, tz, early)).to.equal(true);
      expect(t.getTime()).to.be.greaterThan(new Date('2026-03-08T05:00:00Z').getTime());
      expect(t.getTime() - new Date('2026-03-08T05:00:00Z').getTime()).to.be.lessThan(86_400_000);
    });
  });

  it('other windows: 08:00-20:00 in Europe/London (UTC+0 in winter)', () => {
    const w = { startMinute: 480, endMinute: 1200 };
    expect(iso(nextCallingTime(new Date('2026-11-30T20:00:00Z'), 'Europe/London', w))).to.equal('2026-12-01T08:00:00.000Z');
    expect(iso(nextCallingTime(new Date('2026-11-30T07:59:00Z'), 'Europe/London', w))).to.equal('2026-11-30T08:00:00.000Z');
    // In summer (BST, UTC+1) the same window opens an hour earlier in UTC.
    expect(iso(nextCallingTime(new Date('2026-07-01T05:00:00Z'), 'Europe/London', w))).to.equal('2026-07-01T07:00:00.000Z');
  });

  it('reads and writes HH:MM, and knows IANA names', () => {
    expect(minuteOfDay('09:00')).to.equal(540);
    expect(minuteOfDay('21:30')).to.equal(1290);
    expect(minuteOfDay('24:00')).to.equal(1440);
    for (const bad of ['9:00', '25:00', '09:60', 'noon', '']) expect(minuteOfDay(bad), bad).to.equal(undefined);
    expect(hhmm(540)).to.equal('09:00');
    expect(hhmm(1260)).to.equal('21:00');
    expect(isTimeZone('Asia/Shanghai')).to.equal(true);
    expect(isTimeZone('Mars/Olympus')).to.equal(false);
  });
});
