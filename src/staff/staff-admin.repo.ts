// Reads and writes staff accounts and teams for their administration (drizzle only; the rules are in staff-admin.service.ts).
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentDesks, agentPresence, agentStateLog, authTokens, staff, teams, type AgentStateName } from '../db/schema/index';

type StaffRow = typeof staff.$inferSelect;
export type Desk = (typeof agentDesks.$inferSelect)['desk'];

/** A staff account as administrators see it: never the password hash. */
export interface StaffAccount {
  id: number;
  username: string;
  displayName: string;
  role: StaffRow['role'];
  teamId: number | null;
  department: StaffRow['department'];
  active: boolean;
  createdAt: Date;
}

export interface StaffListing extends StaffAccount {
  team: { id: number; name: string } | null;
  desks: { desk: Desk; skill: number }[];
}

export interface TeamWithMembers {
  id: number;
  name: string;
  leadId: number | null;
  members: StaffAccount[];
}

export type NewAccount = Omit<typeof staff.$inferInsert, 'id'>;
export type AccountChanges = Partial<Pick<StaffRow, 'displayName' | 'role' | 'teamId' | 'department' | 'active'>>;

const DESK_ORDER: readonly Desk[] = ['front', 'middle', 'back'];

const account = {
  id: staff.id,
  username: staff.username,
  displayName: staff.displayName,
  role: staff.role,
  teamId: staff.teamId,
  department: staff.department,
  active: staff.active,
  createdAt: staff.createdAt,
};

export class StaffAdminRepo {
  constructor(private readonly db: Db) {}

  /** Every account (or those with `ids`), ordered by id, with its team and desks. */
  list(ids?: number[]): StaffListing[] {
    const rows = this.db
      .select({ ...account, teamName: teams.name })
      .from(staff)
      .leftJoin(teams, eq(teams.id, staff.teamId))
      .where(ids ? inArray(staff.id, ids) : undefined)
      .orderBy(asc(staff.id))
      .all();
    const desks = this.desksOf(ids);
    return rows.map(({ teamName, ...a }) => ({
      ...a,
      team: a.teamId !== null && teamName !== null ? { id: a.teamId, name: teamName } : null,
      desks: desks.get(a.id) ?? [],
    }));
  }

  listing(id: number): StaffListing | undefined {
    return this.list([id])[0];
  }

  byId(id: number): StaffAccount | undefined {
    return this.db.select(account).from(staff).where(eq(staff.id, id)).get();
  }

  /** Whether the account still has the published demo password (null: not known yet). */
  demoPassword(id: number): boolean | null | undefined {
    return this.db.select({ demoPassword: staff.demoPassword }).from(staff).where(eq(staff.id, id)).get()?.demoPassword;
  }

  /** The stored hash of an account whose demo flag is not known yet (made before the flag existed), else undefined. */
  hashWithUnknownDemoFlag(id: number): string | undefined {
    return this.db.select({ passwordHash: staff.passwordHash }).from(staff).where(and(eq(staff.id, id), isNull(staff.demoPassword))).get()?.passwordHash;
  }

  /** Records whether `passwordHash` is of the demo password, unless the account's password changed meanwhile. */
  setDemoPasswordFor(id: number, passwordHash: string, demoPassword: boolean): void {
    this.db.update(staff).set({ demoPassword }).where(and(eq(staff.id, id), eq(staff.passwordHash, passwordHash))).run();
  }

  /** Stores a new password hash set by an administrator; the demo flag is cleared. */
  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void {
    this.db.update(staff).set({ passwordHash, mustChangePassword, demoPassword: false }).where(eq(staff.id, id)).run();
  }

  usernameTaken(username: string): boolean {
    return this.db.select({ id: staff.id }).from(staff).where(eq(staff.username, username)).get() !== undefined;
  }

  teamExists(id: number): boolean {
    return this.db.select({ id: teams.id }).from(teams).where(eq(teams.id, id)).get() !== undefined;
  }

  insert(a: NewAccount): number {
    return this.db.insert(staff).values(a).returning({ id: staff.id }).get().id;
  }

  update(id: number, changes: AccountChanges): void {
    if (Object.keys(changes).length) this.db.update(staff).set(changes).where(eq(staff.id, id)).run();
  }

  /** Gives an agent a presence row ('offline') unless it has one. */
  ensurePresence(staffId: number, now: Date): void {
    this.db.insert(agentPresence).values({ staffId, state: 'offline', since: now }).onConflictDoNothing().run();
  }

  presenceState(staffId: number): AgentStateName | undefined {
    return this.db.select({ state: agentPresence.state }).from(agentPresence).where(eq(agentPresence.staffId, staffId)).get()?.state;
  }

  /** Sets the agent offline, clearing any asked-for next state, and logs the transition. */
  takeOffline(staffId: number, from: AgentStateName, reason: string, now: Date): void {
    this.db
      .update(agentPresence)
      .set({ state: 'offline', reason, since: now, nextState: null, nextReason: null, wrapUpUntil: null, idleSince: null })
      .where(eq(agentPresence.staffId, staffId))
      .run();
    this.db.insert(agentStateLog).values({ staffId, from, to: 'offline', reason, at: now }).run();
  }

  /** Revokes every live token of the account; returns how many were revoked. */
  revokeTokens(staffId: number, now: Date): number {
    return this.db.update(authTokens).set({ revokedAt: now }).where(and(eq(authTokens.staffId, staffId), isNull(authTokens.revokedAt))).run().changes;
  }

  /** Every team, or only those `viewerId` leads or belongs to, with their members. */
  teams(viewer?: { id: number; teamId: number | null }): TeamWithMembers[] {
    const filter = viewer ? or(eq(teams.leadId, viewer.id), viewer.teamId === null ? undefined : eq(teams.id, viewer.teamId)) : undefined;
    const rows = this.db.select().from(teams).where(filter).orderBy(asc(teams.id)).all();
    if (!rows.length) return [];
    const members = this.db
      .select(account)
      .from(staff)
      .where(inArray(staff.teamId, rows.map((t) => t.id)))
      .orderBy(asc(staff.id))
      .all();
    return rows.map((t) => ({ id: t.id, name: t.name, leadId: t.leadId, members: members.filter((m) => m.teamId === t.id) }));
  }

  /** Desks by staff id (of `staffIds`, or of everyone), front before middle before back. */
  private desksOf(staffIds?: number[]): Map<number, { desk: Desk; skill: number }[]> {
    const byStaff = new Map<number, { desk: Desk; skill: number }[]>();
    const rows = this.db.select().from(agentDesks).where(staffIds ? inArray(agentDesks.staffId, staffIds) : undefined).all();
    rows.sort((a, b) => a.staffId - b.staffId || DESK_ORDER.indexOf(a.desk) - DESK_ORDER.indexOf(b.desk));
    for (const r of rows) byStaff.set(r.staffId, [...(byStaff.get(r.staffId) ?? []), { desk: r.desk, skill: r.skill }]);
    return byStaff;
  }
}
