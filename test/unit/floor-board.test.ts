// The floor board's pure parts: period figures, the day's start in the center's zone, deltas between boards, and
// what a team lead's scope keeps of an update.
import { expect } from 'chai';
import { diffBoards, startOfDay, type AgentRow, type Board } from '../../src/floor/floor-board';
import { scopeOutput, scopeSnapshot, floorScope } from '../../src/floor/floor-feed';
import { periodFigures, NO_OUTCOMES } from '../../src/floor/queue-figures';
import type { FloorAlert } from '../../src/floor/alerts.service';

const at = new Date('2026-11-23T03:00:00Z');
const agent = (id: number, teamId: number | null, state = 'available', extra: Partial<AgentRow> = {}): AgentRow => ({
  id,
  username: `agent${id}`,
  displayName: `Agent ${id}`,
  team: teamId === null ? null : { id: teamId, name: `team ${teamId}` },
  desks: ['front'],
  state: state as AgentRow['state'],
  reason: null,
  since: at,
  secondsInState: 0,
  call: null,
  ...extra,
});
const board = (roster: AgentRow[]): Board => ({ at, queues: [], agents: { front: {}, middle: {}, back: {} }, desks: [], roster, monitoring: [] });
const alert = (id: number, agentId: number | null, teamId: number | null): FloorAlert => ({
  id,
  kind: agentId ? 'break_too_long' : 'longest_wait',
  subject: agentId ? `agent:${agentId}` : 'front-general',
  agentId,
  teamId,
  raisedValue: 1,
  raiseAt: 1,
  clearAt: 1,
  message: 'm',
  raisedAt: at,
  clearedValue: null,
  clearedAt: null,
});

describe('floor board (pure parts)', () => {
  it('computes service level and abandon rate over offered calls, short abandons left out', () => {
    const f = periodFigures({ answered: 8, answeredInTime: 6, abandoned: 1, shortAbandoned: 3, otherEnded: 1, answerWaitMs: 8 * 12_500 });
    expect(f).to.deep.equal({ offered: 10, answered: 8, answeredInTime: 6, abandoned: 1, shortAbandoned: 3, serviceLevel: 60, abandonRate: 10, averageAnswerSeconds: 12.5 });
    expect(periodFigures(NO_OUTCOMES)).to.include({ offered: 0, serviceLevel: null, abandonRate: null, averageAnswerSeconds: null });
  });

  it("starts the day at midnight in the center's time zone", () => {
    // 03:00 UTC is 11:00 in Shanghai: the day began at 16:00 UTC the day before.
    expect(new Date(startOfDay(at, 'Asia/Shanghai')).toISOString()).to.equal('2026-11-22T16:00:00.000Z');
    expect(new Date(startOfDay(new Date('2026-11-23T15:59:59.500Z'), 'Asia/Shanghai')).toISOString()).to.equal('2026-11-22T16:00:00.000Z');
    expect(new Date(startOfDay(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toISOString()).to.equal('2026-11-23T16:00:00.000Z');
  });

  it('sends only the rows that changed: time in state alone is no change; an agent who left is gone', () => {
    const before = board([agent(1, 1), agent(2, 1), agent(3, 2)]);
    expect(diffBoards(before, board([agent(1, 1, 'available', { secondsInState: 40 }), agent(2, 1), agent(3, 2)]))).to.equal(undefined);
    const d = diffBoards(before, board([agent(1, 1, 'on_call'), agent(2, 1)]))!;
    expect(d.roster.map((r) => r.id)).to.deep.equal([1]);
    expect(d.rosterGone).to.deep.equal([3]);
    expect(d.queues).to.deep.equal([]);
    expect(d.desks).to.equal(undefined);
    // The first board is all news.
    expect(diffBoards(undefined, before)!.roster).to.have.length(3);
  });

  it("keeps a team lead's view to their team: roster, departures and agent alerts; everything for the others", () => {
    const lead1 = floorScope({ id: 90, role: 'team_lead', teamId: 1 });
    const all = floorScope({ id: 91, role: 'dispatcher', teamId: null });
    const snap = scopeSnapshot(board([agent(1, 1), agent(3, 2)]), [alert(1, 3, 2), alert(2, 1, 1), alert(3, null, null)], 7, lead1);
    expect(snap.roster.map((r) => r.id)).to.deep.equal([1]);
    expect(snap.alerts.map((a) => a.id)).to.deep.equal([2]);
    expect(scopeSnapshot(board([agent(1, 1), agent(3, 2)]), [alert(1, 3, 2), alert(3, null, null)], 7, all).alerts).to.have.length(2);

    const out = { seq: 3, changedAt: 1, delta: diffBoards(board([agent(1, 1), agent(3, 2)]), board([agent(3, 2, 'break')]))!, raised: [alert(4, 3, 2)], cleared: [] };
    const gone = new Map([[1, 1]]);
    const forLead1 = scopeOutput(out, lead1, gone);
    expect(forLead1.map((m) => m.type)).to.deep.equal(['floorUpdate']);
    expect(forLead1[0]).to.include({ seq: 3 });
    expect((forLead1[0] as { roster: AgentRow[] }).roster).to.deep.equal([]);
    expect((forLead1[0] as { rosterGone: number[] }).rosterGone).to.deep.equal([1]);
    const forLead2 = scopeOutput(out, floorScope({ id: 92, role: 'team_lead', teamId: 2 }), gone);
    expect(forLead2.map((m) => m.type)).to.deep.equal(['floorUpdate', 'alertRaised']);
    expect((forLead2[0] as { rosterGone: number[] }).rosterGone).to.deep.equal([]);
    // A team lead without a team sees no agent at all, and gets no update when only agents changed.
    expect(scopeOutput(out, floorScope({ id: 93, role: 'team_lead', teamId: null }), gone)).to.deep.equal([]);
  });
});
