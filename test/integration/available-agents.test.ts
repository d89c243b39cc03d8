import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { agentDesks, agentPresence, staff } from '../../src/db/schema/index';
import { PresenceRepo, type Desk } from '../../src/acd/presence.repo';

/** A big front desk, mostly free, beside a small middle office: the shape of a busy day. */
function floor(db: Db): { id: number; desks: Desk[]; idle: number; available: boolean }[] {
  const agents: { id: number; desks: Desk[]; idle: number; available: boolean }[] = [];
  const now = Date.UTC(2026, 10, 30, 2);
  db.$client.transaction(() => {
    for (let i = 1; i <= 600; i++) {
      const desks: Desk[] = i % 50 === 0 ? ['front', 'middle'] : i % 40 === 0 ? ['middle'] : i % 75 === 0 ? ['back'] : ['front'];
      const available = i % 7 !== 0;
      // Idle times in a scrambled order, with ties, so the order by (idle_since, staff_id) is tested.
      const idle = now - ((i * 7919) % 301) * 1000;
      db.insert(staff).values({ id: i, username: `a${i}`, displayName: `A ${i}`, role: 'agent', passwordHash: 'x', active: i !== 80, createdAt: new Date(now) }).run();
      for (const desk of desks) db.insert(agentDesks).values({ staffId: i, desk, skill: 3 }).run();
      db.insert(agentPresence).values({ staffId: i, state: available ? 'available' : 'on_call', since: new Date(now), lastHeartbeat: new Date(now), idleSince: new Date(idle) }).run();
      agents.push({ id: i, desks, idle, available: available && i !== 80 });
    }
  })();
  return agents;
}

describe('the available agents of a desk', () => {
  it('are the same longest-idle-first list whichever plan the desk gets, and a small desk is read from its own agents', () => {
    const db = openDatabase(':memory:');
    try {
      const agents = floor(db);
      const repo = new PresenceRepo(db);
      for (const desk of ['front', 'middle', 'back'] as Desk[]) {
        const expected = agents
          .filter((a) => a.available && a.desks.includes(desk))
          .sort((a, b) => a.idle - b.idle || a.id - b.id)
          .slice(0, 10)
          .map((a) => ({ staffId: a.id, username: `a${a.id}`, idleSince: new Date(a.idle) }));
        expect(repo.availableOnDesk(desk, 10), desk).to.deep.equal(expected);
        expect(repo.longestIdleOnDesk(desk), desk).to.deep.equal(expected[0]);
      }
      // The front desk walks the free agents by idle time; the middle office starts from its own agents.
      expect(repo.explainAvailable('front')[0]).to.match(/agent_presence_state_idle/);
      expect(repo.explainAvailable('middle')[0]).to.match(/^(SEARCH|SCAN) d\b/);
    } finally {
      db.$client.close();
    }
  });
});
