// The monitoring modes as conference participant settings, and who may monitor whom (pure).
import { expect } from 'chai';
import { monitorScope, participantSettings } from '../../src/monitoring/monitor-modes';

const AGENT_LEG = `CA${'a'.repeat(32)}`;

describe('monitor modes: participant settings and scope', () => {
  it('listen is a muted non-coach; whisper coaches the agent leg unmuted; barge is unmuted and coaches nobody', () => {
    expect(participantSettings('listen', AGENT_LEG)).to.deep.equal({ muted: true, coaching: false });
    expect(participantSettings('whisper', AGENT_LEG)).to.deep.equal({ muted: false, coaching: true, callSidToCoach: AGENT_LEG });
    expect(participantSettings('barge', AGENT_LEG)).to.deep.equal({ muted: false, coaching: false });
  });

  it('a team lead monitors their own team only; an unknown id looks the same to them as another team', () => {
    const lead = { id: 7, role: 'team_lead' as const, teamId: 1 };
    expect(monitorScope(lead, { id: 1, role: 'agent', teamId: 1 })).to.equal('ok');
    expect(monitorScope(lead, { id: 5, role: 'agent', teamId: 2 })).to.equal('not-your-team');
    expect(monitorScope(lead, undefined)).to.equal('not-your-team');
    expect(monitorScope(lead, { id: 6, role: 'agent', teamId: null })).to.equal('not-your-team');
    expect(monitorScope({ ...lead, teamId: null }, { id: 6, role: 'agent', teamId: null })).to.equal('not-your-team');
    expect(monitorScope(lead, lead)).to.equal('self');
  });

  it('dispatchers, controllers and supervisors monitor any agent, never themselves, never a non-agent', () => {
    for (const role of ['dispatcher', 'quality_controller', 'supervisor'] as const) {
      const monitor = { id: 9, role, teamId: null };
      expect(monitorScope(monitor, { id: 1, role: 'agent', teamId: 2 }), role).to.equal('ok');
      expect(monitorScope(monitor, undefined), role).to.equal('no-such-agent');
      expect(monitorScope(monitor, { id: 3, role: 'supervisor', teamId: null }), role).to.equal('no-such-agent');
      expect(monitorScope(monitor, { ...monitor }), role).to.equal('self');
    }
  });
});
