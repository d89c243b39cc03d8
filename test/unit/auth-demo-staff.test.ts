import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { agentDesks, agentPresence, staff, teams } from '../../src/db/schema/index';
import { ROLES } from '../../src/db/schema/index';
import { DEMO_STAFF, DEMO_PASSWORD, seedDemoStaff } from '../../src/db/seed/demo-staff';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { eq } from 'drizzle-orm';
import { hashPasswordSync } from '../../src/auth/password';
import { accountsWithDemoPassword, demoPasswordRefusal } from '../../src/auth/demo-passwords';

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
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), options: { passwordCost: TEST_PASSWORD_COST } });
    for (const m of DEMO_STAFF.filter((m) => ['agent1', 'supervisor1', 'admin1'].includes(m.username))) {
      expect(m.password).to.equal(DEMO_PASSWORD);
      const r = await auth.login(m.username, m.password, '127.0.0.1', new Date());
      expect(r.staff).to.include({ username: m.username, role: m.role, displayName: m.displayName });
    }
  });

  it('flags every seeded account as having the demo password, which accountsWithDemoPassword reports', async () => {
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const rows = db.select().from(staff).all();
    expect(rows.every((r) => r.demoPassword === true)).to.equal(true);
    expect(await accountsWithDemoPassword(new StaffRepo(db))).to.deep.equal(DEMO_STAFF.map((m) => m.username));
  });

  it('checks accounts from before the flag once against the demo password, and records the answer', async () => {
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const repo = new StaffRepo(db);
    // As a database migrated from before 0005: no flag, and one account with a password of its own.
    db.update(staff).set({ demoPassword: null }).run();
    db.update(staff).set({ passwordHash: hashPasswordSync('a-real-password', TEST_PASSWORD_COST) }).where(eq(staff.username, 'admin1')).run();
    db.update(staff).set({ active: false }).where(eq(staff.username, 'agent6')).run();
    const found = await accountsWithDemoPassword(repo);
    expect(found).to.have.length(DEMO_STAFF.length - 2);
    expect(found).not.to.include.members(['admin1', 'agent6']);
    expect(repo.byUsername('admin1')!.demoPassword).to.equal(false);
    expect(repo.byUsername('agent1')!.demoPassword).to.equal(true);
    // Inactive accounts are checked too: a reactivation must not bring back the demo password unseen.
    expect(repo.byUsername('agent6')!.demoPassword).to.equal(true);
    expect(demoPasswordRefusal(found)).to.match(/^Refusing to start with live Twilio credentials: 14 active account\(s\) .*agent1, agent2.* and 6 more\).*staff:create-admin/);
  });
});
