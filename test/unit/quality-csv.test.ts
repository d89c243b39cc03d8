// The quality figures as CSV: a cell a spreadsheet would run as a formula is quoted as text; numbers stay numbers.
import { expect } from 'chai';
import { toCsv } from '../../src/quality/quality-figures';

const cell = (v: unknown) => toCsv([{ v }], ['v']).split('\r\n')[1];

describe('quality figures CSV', () => {
  it('keeps numbers, negative ones and decimals included, as they are', () => {
    expect([cell(12), cell(-3), cell(-0.25), cell('-7'), cell(80.8)]).to.deep.equal(['12', '-3', '-0.25', '-7', '80.8']);
  });

  it('defuses every cell a spreadsheet would take for a formula, also one that starts with a minus and a digit', () => {
    expect(cell('=HYPERLINK("http://evil.example","x")')).to.equal(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(cell("-1+1|cmd '/C calc'!A0")).to.equal(`'-1+1|cmd '/C calc'!A0`);
    expect(cell('+1+1')).to.equal(`'+1+1`);
    expect(cell('@SUM(A1)')).to.equal(`'@SUM(A1)`);
    expect(cell('\t=1+1')).to.equal(`'\t=1+1`);
    expect(cell('\r=1+1')).to.equal(`"'\r=1+1"`);
  });
});
