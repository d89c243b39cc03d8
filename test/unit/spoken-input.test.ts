// The menu's keyword matching against what a recognizer really returns: punctuation, capitals, full-width, digits.
import path from 'node:path';
import { expect } from 'chai';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { advance, startCall } from '../../src/ivr/engine';
import type { CallerFacts, EngineContext, StepInput } from '../../src/ivr/flow-types';
import { normalizeSpoken, spokenKey } from '../../src/ivr/spoken-input';

const flow = FlowRegistry.load(path.resolve('ivr-flows')).get('hotline')!;
const ctx: EngineContext = {
  now: new Date('2026-11-23T03:00:00Z'),
  timeZone: 'Asia/Shanghai',
  lookup: { orderByNumber: () => undefined, latestOrder: () => undefined, latestOpenRma: () => undefined },
};
const stranger: CallerFacts = { known: false, hasOpenRma: false };

/** Where the main menu goes for what was said, in the given language (1 zh, 2 en). */
function mainMenu(language: '1' | '2', speech: string) {
  let r = advance(flow, startCall(flow, stranger), undefined, ctx);
  r = advance(flow, r.state, { kind: 'gather', digits: language }, ctx);
  expect(r.state.node).to.equal('mainMenu');
  const input: StepInput = { kind: 'gather', speech };
  return advance(flow, r.state, input, ctx);
}

describe('spoken input for menus', () => {
  it('normalises recognizer text: punctuation, case, full-width, Chinese numerals and English number words', () => {
    expect(normalizeSpoken('我要投诉。')).to.equal('我要投诉');
    expect(normalizeSpoken('Complaint, please!')).to.equal('complaintplease');
    expect(normalizeSpoken('ＡＧＥＮＴ，谢谢！')).to.equal('agent谢谢');
    expect(normalizeSpoken('订单号一二三四')).to.equal('订单号1234');
    expect(normalizeSpoken('十五号')).to.equal('15号');
    expect(normalizeSpoken('Press two.')).to.equal('press2');
    expect(normalizeSpoken('  ')).to.equal('');
  });

  it('reads a key said instead of pressed', () => {
    for (const s of ['一', '1。', '按３', 'Press three.', '选2号']) expect(spokenKey(normalizeSpoken(s)), s).to.match(/^[0-9]$/);
    expect(spokenKey(normalizeSpoken('我要投诉'))).to.equal(undefined);
    expect(spokenKey(normalizeSpoken('12'))).to.equal(undefined);
  });

  for (const [language, speech, node] of [
    ['1', '我要投诉。', 'complaintQueue'],
    ['1', '投诉！', 'complaintQueue'],
    ['1', '转人工，谢谢。', 'agentQueue'],
    ['1', '按３', 'complaintQueue'],
    ['2', 'I want to make a complaint.', 'complaintQueue'],
    ['2', 'Agent, please.', 'agentQueue'],
    ['2', 'Press two.', 'returns'],
    ['2', 'ORDER STATUS', 'orderMenu'],
  ] as const) {
    it(`main menu: "${speech}" goes to ${node}`, () => {
      const r = mainMenu(language, speech);
      expect(r.path.map((p) => p.node)).to.include(node);
    });
  }

  it('a misheard word is not a match: the caller is asked again', () => {
    const r = mainMenu('1', '我要头诉。');
    expect(r.state.node).to.equal('mainMenu');
    expect(r.state.awaiting).to.equal(true);
  });
});
