import { expect } from 'chai';
import { maskPhonesIn, maskPhonesInPath } from '../../src/logging/logger';

describe('phone numbers in logs', () => {
  it('masks numbers inside free text but not inside SIDs', () => {
    expect(maskPhonesIn('call to +8613812345678 failed')).to.equal('call to +86138****5678 failed');
    expect(maskPhonesIn('CA1234567890abcdef')).to.equal('CA1234567890abcdef');
  });

  it('masks a number in a request path, encoded or not', () => {
    expect(maskPhonesInPath('/api/do-not-call/%2B8613812345678')).to.equal('/api/do-not-call/+86138****5678');
    expect(maskPhonesInPath('/api/do-not-call/+8613812345678')).to.equal('/api/do-not-call/+86138****5678');
    expect(maskPhonesInPath('/api/do-not-call/%E0%A4%A')).to.equal('/api/do-not-call/%E0%A4%A');
  });
});
