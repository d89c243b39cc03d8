import { expect } from 'chai';
import { parseRange } from '../../src/recordings/byte-range';

describe('parseRange: an HTTP Range header against an object of 1000 bytes', () => {
  const cases: [string | undefined, ReturnType<typeof parseRange>][] = [
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=500-', { kind: 'partial', start: 500, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-2000', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=999-999', { kind: 'partial', start: 999, end: 999 }],
    ['Bytes = 1-2', { kind: 'partial', start: 1, end: 2 }],
    // Several: the first satisfiable one alone.
    ['bytes=2000-3000, 10-19', { kind: 'partial', start: 10, end: 19 }],
    ['bytes=0-9,20-29', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-1100', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    // Invalid headers are ignored: the whole object.
    ['bytes=99-0', { kind: 'whole' }],
    ['items=0-9', { kind: 'whole' }],
    ['bytes=abc', { kind: 'whole' }],
    ['bytes=', { kind: 'whole' }],
    ['bytes=0-9,x', { kind: 'whole' }],
  ];
  for (const [header, want] of cases) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(want)}`, () => expect(parseRange(header, 1000)).to.deep.equal(want));
  }

  it('an empty object satisfies no range', () => {
    expect(parseRange('bytes=0-', 0)).to.deep.equal({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-10', 0)).to.deep.equal({ kind: 'unsatisfiable' });
  });
});
