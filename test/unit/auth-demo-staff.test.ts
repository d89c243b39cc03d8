import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { agentDesks, agentPresence, staff, teams } from '../../src/db/schema/index';
import { ROLES } from '../../src/db/schema/index';
import { DEMO_STAFF, DEMO_PASSWORD, seedDemoStaff } from '../../src/db/seed/demo-staff';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';

describe('demo staff seed', () => {
  let db: Db;
  beforeEach(() => (db = openDatabase(':memory:')));
  afterEach(() => db.$client.close());

  it('creates both teams with their leads, every role, and desks and presence for agents; a second run does nothing', () => {
    expect(seedDemoStaff(db)).to.deep.equal({ teams: 2, staff: DEMO_STAFF.length });
    expect(seedDemoStaff(db)).to.deep.equal({ teams: 0, staff: 0 });
    const rows = db.select().from(staff).all();
    expect(rows).to.have.length(DEMO_STAFF.length);
    expect(new Set(rows.map((r) => r.role))).to.deep.equal(new Set(ROLES));
    const byName = new Map(rows.map((r) => [r.username, r]));
    const leads = db.select().from(teams).all().map((t) => [t.name, t.leadId && rows.find((r) => r.id === t.leadId)!.username]);
    expect(leads).to.deep.equal([['前台一组', 'lead1'], ['中后台组', 'lead2']]);
    expect(byName.get('agent1')!.displayName).to.equal('陈静');
    const agents = rows.filter((r) => r.role === 'agent');
    expect(agents).to.have.length(6);
    expect(db.select().from(agentPresence).all().map((p) => p.state)).to.deep.equal(Array(6).fill('offline'));
    const desks = db.select().from(agentDesks).all();
    expect(new Set(desks.map((d) => d.staffId))).to.deep.equal(new Set(agents.map((a) => a.id)));
    expect(desks.find((d) => d.staffId === byName.get('agent6')!.id && d.desk === 'back')!.skill).to.equal(4);
  });

  it('every demo account signs in with the published password', async () => {
    seedDemoStaff(db);
    const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db) });
    for (const m of DEMO_STAFF.filter((m) => ['agent1', 'supervisor1', 'admin1'].includes(m.username))) {
      expect(m.password).to.equal(DEMO_PASSWORD);
      const r = await auth.login(m.username, m.password, '127.0.0.1', new Date());
      expect(r.staff).to.include({ username: m.username, role: m.role, displayName: m.displayName });
    }
  });
});
