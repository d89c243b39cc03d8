// Seeds the demo teams and one account per position, with known passwords, so a fresh install can be tried at once.
import { eq } from 'drizzle-orm';
import type { Db } from '../client';
import { agentDesks, agentPresence, staff, teams, type Department, type Role } from '../schema/index';
import { transactor } from '../transaction';
import { hashPasswordSync, PASSWORD_COST } from '../../auth/password';
import { DEMO_PASSWORD } from '../../auth/password-policy';
import { seedQueueSettings } from '../../acd/queue-settings.repo';

/** DEMO CREDENTIALS ONLY: published in the README; seeded only in simulator mode, refused with live credentials. */
export { DEMO_PASSWORD };

export const DEMO_TEAMS = { frontDesk: '前台一组', middleBack: '中后台组' } as const;

type Desk = (typeof agentDesks.$inferInsert)['desk'];

export interface DemoStaffMember {
  username: string;
  password: string;
  role: Role;
  displayName: string;
  team: string | null;
  /** The desks an agent may be put on, with a skill from 1 (learning) to 5 (expert). */
  desks: { desk: Desk; skill: number }[];
  /** For `department` accounts: the department whose forwarded work orders they answer. */
  department?: Department;
}

const member = (username: string, role: Role, displayName: string, team: string | null, desks: DemoStaffMember['desks'] = []): DemoStaffMember => ({
  username,
  password: DEMO_PASSWORD,
  role,
  displayName,
  team,
  desks,
});

const departmentAccount = (username: string, department: Department, displayName: string): DemoStaffMember => ({
  ...member(username, 'department', displayName, null),
  department,
});

const { frontDesk, middleBack } = DEMO_TEAMS;

export const DEMO_STAFF: readonly DemoStaffMember[] = [
  member('agent1', 'agent', '陈静', frontDesk, [{ desk: 'front', skill: 5 }, { desk: 'middle', skill: 2 }]),
  member('agent2', 'agent', '王磊', frontDesk, [{ desk: 'front', skill: 4 }]),
  member('agent3', 'agent', '李娜', frontDesk, [{ desk: 'front', skill: 3 }, { desk: 'back', skill: 2 }]),
  member('agent4', 'agent', '张伟', frontDesk, [{ desk: 'front', skill: 2 }]),
  member('agent5', 'agent', '刘洋', middleBack, [{ desk: 'middle', skill: 4 }, { desk: 'front', skill: 3 }]),
  member('agent6', 'agent', '赵敏', middleBack, [{ desk: 'back', skill: 4 }, { desk: 'front', skill: 3 }]),
  member('lead1', 'team_lead', '孙丽', frontDesk),
  member('lead2', 'team_lead', '周强', middleBack),
  member('dispatcher1', 'dispatcher', '吴涛', null),
  member('qc1', 'quality_controller', '郑洁', null),
  member('supervisor1', 'supervisor', '黄蕾', null),
  member('admin1', 'admin', '林峰', null),
  departmentAccount('warehouse1', 'warehouse', '仓储部 何平'),
  departmentAccount('logistics1', 'logistics', '物流部 罗斌'),
  departmentAccount('finance1', 'finance', '财务部 梁红'),
  departmentAccount('merchandise1', 'merchandise', '商品部 谢婷'),
];

/** One demo hash per cost and process: every demo row shares it, since they all have the same published password. */
const demoHashes = new Map<number, string>();

/**
 * Does nothing when any staff account exists; otherwise creates the demo teams and DEMO_STAFF, flagged as having
 * the demo password. Either way, seeds the demo queues when none is configured. Call it only in simulator mode.
 */
export function seedDemoStaff(db: Db, opts: { now?: Date; /** scrypt N, lowered only by tests. */ passwordCost?: number } = {}): { teams: number; staff: number } {
  if (db.select({ id: staff.id }).from(staff).limit(1).get()) {
    seedQueueSettings(db);
    return { teams: 0, staff: 0 };
  }
  const now = opts.now ?? new Date();
  const cost = opts.passwordCost ?? PASSWORD_COST;
  let passwordHash = demoHashes.get(cost);
  if (!passwordHash) demoHashes.set(cost, (passwordHash = hashPasswordSync(DEMO_PASSWORD, cost)));
  const seeded = transactor(db)(() => {
    const teamIds = new Map<string, number>(Object.values(DEMO_TEAMS).map((name) => [name, db.insert(teams).values({ name }).returning().get().id]));
    for (const m of DEMO_STAFF) {
      const teamId = m.team ? teamIds.get(m.team)! : null;
      const { id } = db
        .insert(staff)
        .values({ username: m.username, displayName: m.displayName, role: m.role, teamId, department: m.department ?? null, passwordHash, demoPassword: true, createdAt: now })
        .returning()
        .get();
      if (m.role === 'team_lead' && teamId) db.update(teams).set({ leadId: id }).where(eq(teams.id, teamId)).run();
      if (m.role !== 'agent') continue;
      db.insert(agentPresence).values({ staffId: id, state: 'offline', since: now }).run();
      for (const d of m.desks) db.insert(agentDesks).values({ staffId: id, desk: d.desk, skill: d.skill }).run();
    }
    return { teams: teamIds.size, staff: DEMO_STAFF.length };
  });
  seedQueueSettings(db);
  return seeded;
}
