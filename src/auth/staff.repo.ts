// Reads and writes staff accounts, teams, login tokens and failed logins (drizzle only; the rules are in auth.service.ts).
import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authTokens, loginFailures, staff, teams } from '../db/schema/index';

export type StaffRow = typeof staff.$inferSelect;
export type NewStaff = Omit<typeof staff.$inferInsert, 'id'>;
export type TeamRow = typeof teams.$inferSelect;
export type NewToken = Omit<typeof authTokens.$inferInsert, 'id' | 'revokedAt'>;

/** Who holds a valid token: the staff columns a request needs, never the password hash. */
export interface TokenHolder {
  id: number;
  username: string;
  displayName: string;
  role: StaffRow['role'];
  teamId: number | null;
}

/** A token holder and whether they must change their password before anything else. */
export interface Session extends TokenHolder {
  mustChangePassword: boolean;
}

export class StaffRepo {
  private readonly byUsernameQuery;
  private readonly byIdQuery;
  private readonly validTokenQuery;

  constructor(private readonly db: Db) {
    this.byUsernameQuery = db.select().from(staff).where(eq(staff.username, sql.placeholder('username'))).prepare();
    this.byIdQuery = db.select().from(staff).where(eq(staff.id, sql.placeholder('id'))).prepare();
    this.validTokenQuery = db
      .select({
        id: staff.id,
        username: staff.username,
        displayName: staff.displayName,
        role: staff.role,
        teamId: staff.teamId,
        mustChangePassword: staff.mustChangePassword,
      })
      .from(authTokens)
      .innerJoin(staff, eq(staff.id, authTokens.staffId))
      .where(
        and(
          eq(authTokens.tokenHash, sql.placeholder('tokenHash')),
          isNull(authTokens.revokedAt),
          gt(authTokens.expiresAt, sql.placeholder('now')),
          eq(staff.active, true),
        ),
      )
      .prepare();
  }

  byUsername(username: string): StaffRow | undefined {
    return this.byUsernameQuery.get({ username });
  }

  byId(id: number): StaffRow | undefined {
    return this.byIdQuery.get({ id });
  }

  count(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(staff).get()!.n;
  }

  createStaff(s: NewStaff): StaffRow {
    return this.db.insert(staff).values(s).returning().get();
  }

  createTeam(t: { name: string; leadId?: number | null }): TeamRow {
    return this.db.insert(teams).values(t).returning().get();
  }

  setTeamLead(teamId: number, leadId: number): void {
    this.db.update(teams).set({ leadId }).where(eq(teams.id, teamId)).run();
  }

  insertToken(t: NewToken): void {
    this.db.insert(authTokens).values(t).run();
  }

  /** The active staff member holding an unrevoked, unexpired token with this hash. */
  findValidToken(tokenHash: string, now: Date): Session | undefined {
    return this.validTokenQuery.get({ tokenHash, now: now.getTime() });
  }

  /** True when a live token was revoked by this call. */
  revokeToken(tokenHash: string, now: Date): boolean {
    return this.db.update(authTokens).set({ revokedAt: now }).where(and(eq(authTokens.tokenHash, tokenHash), isNull(authTokens.revokedAt))).run().changes > 0;
  }

  /** Revokes every live token of the account; returns how many were revoked. */
  revokeAllTokens(staffId: number, now: Date): number {
    return this.db.update(authTokens).set({ revokedAt: now }).where(and(eq(authTokens.staffId, staffId), isNull(authTokens.revokedAt))).run().changes;
  }

  /** Stores a new hash; `expected` guards an upgrade-on-login against a password changed meanwhile. Returns false when it lost that race. */
  setPasswordHash(id: number, passwordHash: string, flags: { mustChangePassword?: boolean; demoPassword?: boolean }, expected?: string): boolean {
    const where = expected === undefined ? eq(staff.id, id) : and(eq(staff.id, id), eq(staff.passwordHash, expected));
    return this.db.update(staff).set({ passwordHash, ...flags }).where(where).run().changes > 0;
  }

  setDemoPassword(id: number, demoPassword: boolean): void {
    this.db.update(staff).set({ demoPassword }).where(eq(staff.id, id)).run();
  }

  /** Accounts, active or not, not yet known to have (or not have) the demo password: those created before the flag existed. */
  withUnknownDemoPassword(): { id: number; passwordHash: string }[] {
    return this.db.select({ id: staff.id, passwordHash: staff.passwordHash }).from(staff).where(isNull(staff.demoPassword)).all();
  }

  /** Sets the flag only while the hash is still the one it was found for; false when the password changed meanwhile. */
  setDemoPasswordFor(id: number, passwordHash: string, demoPassword: boolean): boolean {
    return this.db.update(staff).set({ demoPassword }).where(and(eq(staff.id, id), eq(staff.passwordHash, passwordHash))).run().changes > 0;
  }

  /** Usernames of active accounts whose password is the demo one, by id. */
  activeWithDemoPassword(): string[] {
    return this.db
      .select({ username: staff.username })
      .from(staff)
      .where(and(eq(staff.active, true), eq(staff.demoPassword, true)))
      .orderBy(asc(staff.id))
      .all()
      .map((r) => r.username);
  }

  addLoginFailure(f: { username: string; ip: string; at: Date }): void {
    this.db.insert(loginFailures).values(f).run();
  }

  /** Times of the most recent failures after `since` for an account, an address, or both, newest first, at most `max` of them. */
  recentLoginFailures(by: { username: string; ip?: string } | { ip: string }, since: Date, max: number): Date[] {
    const key = and(
      'username' in by ? eq(loginFailures.username, by.username) : undefined,
      by.ip !== undefined ? eq(loginFailures.ip, by.ip) : undefined,
    );
    return this.db
      .select({ at: loginFailures.at })
      .from(loginFailures)
      .where(and(key, gt(loginFailures.at, since)))
      .orderBy(desc(loginFailures.at))
      .limit(max)
      .all()
      .map((r) => r.at);
  }

  /** Clears the failures of one account from one address (a sign-in from there succeeded); other addresses' stay counted. */
  clearLoginFailures(username: string, ip: string): void {
    this.db.delete(loginFailures).where(and(eq(loginFailures.username, username), eq(loginFailures.ip, ip))).run();
  }

  /** Drops failures older than `before`: they no longer count in any window. */
  pruneLoginFailures(before: Date): void {
    this.db.delete(loginFailures).where(lt(loginFailures.at, before)).run();
  }
}
