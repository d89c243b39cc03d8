import { expect } from 'chai';
import { answerProblems, computeScore, standardDeviation, unanswered } from '../../src/quality/scoring';
import { DEFAULT_SCORECARD, definitionProblems, items, parseDefinition, type ScorecardDefinition } from '../../src/quality/scorecards';

const item = (id: string, weight: number, min: number, max: number, o: { critical?: boolean; allowNa?: boolean } = {}) => ({ id, title: id, weight, scale: { min, max }, critical: o.critical ?? false, allowNa: o.allowNa ?? true });

/** a: weight 1 on 0–2; b: weight 3 on 1–5; c: weight 1 × section 2 on 0–1, critical. */
const CARD: ScorecardDefinition = {
  sections: [
    { id: 'one', title: 'One', weight: 1, items: [item('a', 1, 0, 2), item('b', 3, 1, 5)] },
    { id: 'two', title: 'Two', weight: 2, items: [item('c', 1, 0, 1, { critical: true }), item('d', 1, 0, 2, { allowNa: false })] },
  ],
};

describe('quality scoring', () => {
  it('is the weighted mean of the normalised scores: (1·0.5 + 3·0.75 + 2·1 + 2·0.5) / 8 = 71.9', () => {
    const r = computeScore(CARD, [
      { itemId: 'a', score: 1 },
      { itemId: 'b', score: 4 },
      { itemId: 'c', score: 1 },
      { itemId: 'd', score: 1 },
    ]);
    expect(r).to.deep.equal({ score: 71.9, criticalFailed: false, failedCritical: [] });
  });

  it('leaves N/A items out of the weights: b N/A gives (0.5 + 2 + 1) / 5 = 70', () => {
    expect(computeScore(CARD, [{ itemId: 'a', score: 1 }, { itemId: 'b', score: null }, { itemId: 'c', score: 1 }, { itemId: 'd', score: 1 }]).score).to.equal(70);
  });

  it('scores 0 when a critical item scores its minimum, however good the rest', () => {
    const r = computeScore(CARD, [{ itemId: 'a', score: 2 }, { itemId: 'b', score: 5 }, { itemId: 'c', score: 0 }, { itemId: 'd', score: 2 }]);
    expect(r).to.deep.equal({ score: 0, criticalFailed: true, failedCritical: ['c'] });
  });

  it('gives 100 for every maximum, and null when nothing is applicable', () => {
    expect(computeScore(CARD, [{ itemId: 'a', score: 2 }, { itemId: 'b', score: 5 }, { itemId: 'c', score: 1 }, { itemId: 'd', score: 2 }]).score).to.equal(100);
    expect(computeScore(CARD, [{ itemId: 'a', score: null }, { itemId: 'c', score: null }]).score).to.equal(null);
  });

  it('scores the default scorecard: every step half done, conduct 3 of 1–5, problem solved = (42.5 + 12.5 + 20) / 130 = 57.7', () => {
    const answers = items(DEFAULT_SCORECARD).map((i) => ({ itemId: i.id, score: i.id === 'problem_solved' ? 1 : i.scale.max === 5 ? 3 : 1 }));
    expect(computeScore(DEFAULT_SCORECARD, answers).score).to.equal(57.7);
    expect(computeScore(DEFAULT_SCORECARD, answers.map((a) => (a.itemId === 'problem_solved' ? { ...a, score: 0 } : a))).score).to.equal(0);
  });

  it('checks answers against the version: unknown items, off-scale or fractional scores, N/A where not allowed, twice', () => {
    expect(
      answerProblems(CARD, [
        { itemId: 'x', score: 1 },
        { itemId: 'a', score: 3 },
        { itemId: 'b', score: 0 },
        { itemId: 'c', score: 0.5 },
        { itemId: 'd', score: null },
        { itemId: 'a', score: 1 },
      ]),
    ).to.deep.equal([
      'answers: no item x on this scorecard version',
      'answers: item a takes a whole score from 0 to 2, got 3',
      'answers: item b takes a whole score from 1 to 5, got 0',
      'answers: item c takes a whole score from 0 to 1, got 0.5',
      'answers: item d cannot be not applicable',
      'answers: item a is answered twice',
    ]);
    expect(answerProblems(CARD, [{ itemId: 'a', score: null }, { itemId: 'd', score: 0 }])).to.deep.equal([]);
  });

  it('lists the items not answered yet (N/A counts as answered)', () => {
    expect(unanswered(CARD, [{ itemId: 'a', score: null }, { itemId: 'c', score: 1 }])).to.deep.equal(['b', 'd']);
  });

  it('computes the population standard deviation', () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).to.equal(2);
    expect(standardDeviation([1])).to.equal(0);
    expect(standardDeviation([])).to.equal(0);
  });
});

describe('scorecard definitions', () => {
  it('has the service standard as the default: eight steps, courtesy and accuracy, problem solved critical', () => {
    expect(definitionProblems(DEFAULT_SCORECARD)).to.deep.equal([]);
    expect(DEFAULT_SCORECARD.sections.map((s) => s.items.map((i) => i.id))).to.deep.equal([
      ['greeting', 'asking', 'analysing', 'proposing', 'agreeing', 'helping', 'verifying', 'farewell'],
      ['courtesy', 'accuracy'],
      ['problem_solved'],
    ]);
    expect(items(DEFAULT_SCORECARD).filter((i) => i.critical).map((i) => i.id)).to.deep.equal(['problem_solved']);
    expect(parseDefinition(JSON.parse(JSON.stringify(DEFAULT_SCORECARD))).problems).to.deep.equal([]);
  });

  it('refuses duplicate ids and scales without room between their ends', () => {
    const bad: ScorecardDefinition = {
      sections: [
        { id: 's', title: 'S', weight: 1, items: [item('a', 1, 0, 2), item('a', 1, 2, 2)] },
        { id: 's', title: 'T', weight: 1, items: [item('b', 1, 3, 1)] },
      ],
    };
    expect(definitionProblems(bad)).to.deep.equal([
      'item id a is used twice (item ids are unique across sections)',
      'item a: scale.max must be above scale.min',
      'section id s is used twice',
      'item b: scale.max must be above scale.min',
    ]);
  });

  it('refuses through the schema: no sections, an empty section, a zero weight, a bad id, a fractional scale', () => {
    expect(() => parseDefinition({ sections: [] })).to.throw(/at least one section/);
    expect(() => parseDefinition({ sections: [{ id: 's', title: 'S', items: [] }] })).to.throw(/at least one item/);
    expect(() => parseDefinition({ sections: [{ id: 's', title: 'S', items: [{ id: 'a', title: 'A', weight: 0, scale: { min: 0, max: 1 } }] }] })).to.throw(/item weight must be above 0/);
    expect(() => parseDefinition({ sections: [{ id: 'S S', title: 'S', items: [{ id: 'a', title: 'A', weight: 1, scale: { min: 0, max: 1 } }] }] })).to.throw(/section id must be/);
    expect(() => parseDefinition({ sections: [{ id: 's', title: 'S', items: [{ id: 'a', title: 'A', weight: 1, scale: { min: 0, max: 1.5 } }] }] })).to.throw(/scale.max must be a whole number/);
    const ok = parseDefinition({ sections: [{ id: 's', title: 'S', items: [{ id: 'a', title: 'A', weight: 1, scale: { min: 0, max: 1 } }] }] });
    expect(ok.definition.sections[0].weight, 'section weight defaults to 1').to.equal(1);
    expect(ok.definition.sections[0].items[0]).to.include({ critical: false, allowNa: true });
  });
});
