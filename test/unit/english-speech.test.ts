// English callers hear English: courier names and customers' Chinese names are never handed to the en-US voice.
import { expect } from 'chai';
import { describeOrder } from '../../src/ivr/self-service-speech';
import { promptText } from '../../src/ivr/prompt-text';
import type { OrderFacts } from '../../src/ivr/flow-types';

const HAN = /\p{Script=Han}/u;
const order = (shippingCarrier: string | null): OrderFacts => ({
  number: 'YT202611200001',
  status: 'shipped',
  amountFen: 12_900,
  payment: 'prepaid',
  shippingCarrier,
  trackingNumber: 'SF1234567890',
  placedAt: new Date('2026-11-20T02:00:00Z'),
  updatedAt: new Date('2026-11-21T02:00:00Z'),
  customerId: 1,
});

describe('English speech of Chinese data', () => {
  for (const [carrier, english] of [
    ['顺丰速运', 'SF Express'],
    ['京东物流', 'JD Logistics'],
    ['中通快递', 'ZTO Express'],
    ['EMS', 'EMS'],
    ['圆通速递', 'YTO Express'],
    ['申通快递', 'STO Express'],
    ['韵达快递', 'Yunda Express'],
  ] as const) {
    it(`says ${carrier} as "${english}" to an English caller and keeps it for a Mandarin one`, () => {
      const en = describeOrder(order(carrier), 'en', 'Asia/Shanghai');
      expect(en).to.include(`has shipped with ${english}, tracking number`);
      expect(en).to.not.match(HAN);
      expect(describeOrder(order(carrier), 'zh', 'Asia/Shanghai')).to.include(`已由${carrier}发出`);
    });
  }

  it('says "our courier" for a Chinese courier name it has no English for, and an English one as it is', () => {
    expect(describeOrder(order('某某快递'), 'en', 'Asia/Shanghai')).to.include('has shipped with our courier, tracking number');
    expect(describeOrder(order(null), 'en', 'Asia/Shanghai')).to.include('has shipped with our courier, tracking number');
    expect(describeOrder(order('DHL'), 'en', 'Asia/Shanghai')).to.include('has shipped with DHL, tracking number');
  });

  it('greets by a Chinese name in Mandarin only: the English prompt says "valued customer", an English name stays', () => {
    const prompt = { zh: '尊敬的{name}，您好！', en: 'Dear {name}, welcome back.' };
    expect(promptText(prompt, 'en', { name: '王芳' })).to.equal('Dear valued customer, welcome back.');
    expect(promptText(prompt, 'zh', { name: '王芳' })).to.equal('尊敬的王芳，您好！');
    expect(promptText(prompt, 'en', { name: 'Emily Chen' })).to.equal('Dear Emily Chen, welcome back.');
  });
});
