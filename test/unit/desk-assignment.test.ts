import { expect } from 'chai';
import { deskAssignmentProblems } from '../../src/acd/desks.service';
import type { DeskSkill } from '../../src/acd/agent-desks.repo';

describe('desk assignment rules', () => {
  it('accepts one to three different desks with skills 1..5', () => {
    expect(deskAssignmentProblems([{ desk: 'front', skill: 1 }])).to.deep.equal([]);
    expect(deskAssignmentProblems([{ desk: 'back', skill: 5 }, { desk: 'front', skill: 3 }, { desk: 'middle', skill: 2 }])).to.deep.equal([]);
  });

  it('lists every problem: no desk, a desk twice, a skill out of range or not whole, an unknown desk', () => {
    expect(deskAssignmentProblems([])).to.deep.equal(['desks: an agent needs at least one desk']);
    const bad = [
      { desk: 'front', skill: 0 },
      { desk: 'front', skill: 3 },
      { desk: 'middle', skill: 2.5 },
      { desk: 'lobby', skill: 6 },
    ] as unknown as DeskSkill[];
    expect(deskAssignmentProblems(bad)).to.deep.equal([
      'desks.0.skill: a whole number from 1 to 5',
      'desks.1.desk: front is listed twice',
      'desks.2.skill: a whole number from 1 to 5',
      'desks.3.desk: one of front, middle, back',
      'desks.3.skill: a whole number from 1 to 5',
    ]);
  });
});
