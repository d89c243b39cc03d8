// The post-call survey flow (ivr-flows/survey.yaml) on the pure engine, its node types' checks, and the registry's rule
// that a survey flow answers no number.
import path from 'node:path';
import { expect } from 'chai';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { checkFlow } from '../../src/ivr/flow-schema';
import { advance, startCall } from '../../src/ivr/engine';
import type { CallerFacts, EngineContext, Instruction, StepInput } from '../../src/ivr/flow-types';

const registry = FlowRegistry.load(path.resolve('ivr-flows'));
const flow = registry.survey()!;

const ctx: EngineContext = {
  now: new Date('2026-11-23T03:00:00Z'),
  timeZone: 'Asia/Shanghai',
  lookup: { orderByNumber: () => undefined, latestOrder: () => undefined, latestOpenRma: () => undefined },
};
const caller: CallerFacts = { known: true, customerId: 7, name: '李娜', tier: 'returning', hasOpenRma: false };
const said = (is: Instruction[]): string[] => is.flatMap((i) => (i.kind === 'say' ? [i.text] : i.kind === 'gather' ? said(i.prompts) : []));
const press = (digits: string): StepInput => ({ kind: 'gather', digits });
const silence: StepInput = { kind: 'gather' };

function run(inputs: StepInput[], language: 'zh' | 'en' = 'zh') {
  let r = advance(flow, startCall(flow, { ...caller, preferredLanguage: language }), undefined, ctx);
  const heard = [...said(r.instructions)];
  const effects = [...r.effects];
  for (const input of inputs) {
    r = advance(flow, r.state, input, ctx);
    heard.push(...said(r.instructions));
    effects.push(...r.effects);
  }
  return { ...r, heard, effects };
}

describe('post-call survey flow', () => {
  it('is loaded as the survey and never answers a dialled number', () => {
    expect(flow.id).to.equal('survey');
    expect(flow.purpose).to.equal('survey');
    expect(registry.forNumber('+864008001234')?.id).to.equal('hotline');
    expect(FlowRegistry.of(flow).forNumber('+864008001234')).to.equal(undefined);
  });

  it('asks for a rating with one key and stores 4 when the caller presses 4', () => {
    const first = run([]);
    const gather = first.instructions.find((i) => i.kind === 'gather');
    expect(gather).to.include({ input: 'dtmf', numDigits: 1 });
    expect(first.heard.join()).to.include('请为本次服务打分');
    const r = run([press('4')]);
    expect(r.effects).to.deep.equal([{ kind: 'surveyRated', rating: 4 }]);
    expect(r.state.node).to.equal('offerComment');
    expect(r.state.vars.rating).to.equal('4');
  });

  it('asks again after a key out of range, twice, then says goodbye without a rating', () => {
    const again = run([press('9')]);
    expect(again.state.node).to.equal('rate');
    expect(again.heard.join()).to.include('抱歉，请按1到5之间的数字键');
    expect(again.effects).to.deep.equal([]);
    const rated = run([press('0'), press('3')]);
    expect(rated.effects).to.deep.equal([{ kind: 'surveyRated', rating: 3 }]);
    const givenUp = run([press('9'), press('7'), press('6')]);
    expect(givenUp.state.ended).to.equal(true);
    expect(givenUp.effects).to.deep.equal([]);
    expect(givenUp.heard[givenUp.heard.length - 1]).to.include('感谢您的来电，再见');
  });

  it('says a safe goodbye at once on silence, storing nothing', () => {
    const r = run([silence]);
    expect(r.state.ended).to.equal(true);
    expect(r.effects).to.deep.equal([]);
    expect(r.instructions.at(-1)).to.deep.equal({ kind: 'hangup' });
  });

  it('records a comment after 1 and keeps it; an empty recording is no comment', () => {
    const offer = run([press('5'), press('1')]);
    expect(offer.instructions.find((i) => i.kind === 'record')).to.deep.equal({ kind: 'record', maxLength: 60, finishOnKey: '#' });
    const r = run([press('5'), press('1'), { kind: 'record', recordingUrl: 'https://api.twilio.com/x/RE1', recordingSid: 'RE1', durationSeconds: 8 }]);
    expect(r.effects).to.deep.equal([
      { kind: 'surveyRated', rating: 5 },
      { kind: 'surveyCommented', recordingUrl: 'https://api.twilio.com/x/RE1', recordingSid: 'RE1', durationSeconds: 8 },
    ]);
    expect(r.state.ended).to.equal(true);
    expect(r.heard.at(-1)).to.include('感谢您的宝贵意见');
    const empty = run([press('5'), press('1'), { kind: 'record', durationSeconds: 0 }]);
    expect(empty.effects).to.deep.equal([{ kind: 'surveyRated', rating: 5 }]);
    expect(empty.state.ended).to.equal(true);
  });

  it('speaks English to a caller who chose English', () => {
    expect(run([], 'en').heard.join()).to.include('Please rate our service');
  });

  it('flow check: a rating range must be ordered, and a survey flow lists no number', () => {
    const doc = (extra: Record<string, unknown>, rate: Record<string, unknown> = {}) => ({
      id: 'bad-survey',
      purpose: 'survey',
      start: 'rate',
      voices: { zh: { voice: 'Polly.Zhiyu', language: 'cmn-CN' }, en: { voice: 'Polly.Joanna', language: 'en-US' } },
      nodes: { rate: { type: 'rating', prompt: '请打分', next: 'bye', default: 'bye', ...rate }, bye: { type: 'hangup' } },
      ...extra,
    });
    expect(checkFlow(doc({}), 'ok.yaml').problems).to.deep.equal([]);
    expect(checkFlow(doc({}, { min: 5, max: 1 }), 'range.yaml').problems.join()).to.include('node "rate": min must be less than max');
    expect(checkFlow(doc({ numbers: ['+864008001234'] }), 'numbers.yaml').problems.join()).to.include('a survey flow answers no number');
  });
});
