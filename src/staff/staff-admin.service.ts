// Owns administering staff accounts and reading teams: who may be created as what, deactivation, and who sees which team.
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/auth.service';
import { hashPassword, verifyPassword } from '../auth/password';
import { DEMO_PASSWORD, passwordProblems } from '../auth/password-policy';
import type { SessionRevocations } from '../auth/session-revocations';
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import type { AgentStateName, Department, Role } from '../db/schema/index';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { AccountChanges, StaffAdminRepo, StaffListing, TeamWithMembers } from './staff-admin.repo';

export { PASSWORD_MIN_LENGTH } from '../auth/password-policy';

/** Who acts, and from which client address (for the audit trail). */
export interface Actor {
  id: number;
  ip?: string | null;
}

/** Roles that see every team; a team lead sees only their own. */
export const SEES_ALL_TEAMS: readonly Role[] = ['dispatcher', 'supervisor', 'admin'];

/** Agent states in which a call is ringing or running: the agent cannot be taken off the floor now. */
const ON_A_CALL: readonly AgentStateName[] = ['reserved', 'on_call'];

export interface NewStaffInput {
  username: string;
  displayName: string;
  role: Role;
  teamId?: number | null;
  department?: Department | null;
  password: string;
}

export interface StaffChangesInput {
  displayName?: string;
  role?: Role;
  teamId?: number | null;
  department?: Department | null;
  active?: boolean;
}

/** A `department` account must say which department it answers for; no other role has one. */
export function departmentProblems(role: Role, department: Department | null | undefined): string[] {
  if (role === 'department') return department ? [] : ["department: required for role 'department'"];
  return department ? ["department: only for role 'department'"] : [];
}

/** Admins may not lock themselves out: no deactivating or changing the role of one's own account. */
export function selfChangeProblems(actorId: number, targetId: number, current: { role: Role }, changes: StaffChangesInput): string[] {
  if (actorId !== targetId) return [];
  const problems: string[] = [];
  if (changes.active === false) problems.push('active: you cannot deactivate your own account');
  if (changes.role !== undefined && changes.role !== current.role) problems.push('role: you cannot change the role of your own account');
  return problems;
}

export class StaffAdminService {
  private readonly clock: Clock;
  private readonly hash: (password: string) => Promise<string>;
  private readonly verify: (password: string, stored: string) => Promise<boolean>;

  constructor(
    private readonly d: {
      staff: StaffAdminRepo;
      transact: Transact;
      events: Pick<EventBus, 'publish'>;
      audit: Pick<AuditRepo, 'record'>;
      /** Told when an account's sessions are revoked, so its sockets close at once. */
      revocations?: Pick<SessionRevocations, 'announce'>;
      clock?: Clock;
      /** @default hashPassword (scrypt) */
      hash?: (password: string) => Promise<string>;
      /** Checks a password against a stored hash. @default verifyPassword */
      verify?: (password: string, stored: string) => Promise<boolean>;
    },
  ) {
    this.clock = d.clock ?? { now: () => new Date() };
    this.hash = d.hash ?? hashPassword;
    this.verify = d.verify ?? verifyPassword;
  }

  list(): StaffListing[] {
    return this.d.staff.list();
  }

  /** Creates the account with a hashed password; an agent starts offline. */
  async create(input: NewStaffInput, actor?: Actor): Promise<StaffListing> {
    const problems = [...departmentProblems(input.role, input.department), ...passwordProblems(input.password, input.username)];
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    this.assertUsernameFree(input.username);
    const passwordHash = await this.hash(input.password);
    const now = this.clock.now();
    const id = this.d.transact(() => {
      this.assertUsernameFree(input.username);
      this.assertTeamExists(input.teamId);
      const id = this.d.staff.insert({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        teamId: input.teamId ?? null,
        department: input.department ?? null,
        passwordHash,
        demoPassword: false,
        active: true,
        createdAt: now,
      });
      if (input.role === 'agent') this.d.staff.ensurePresence(id, now);
      if (actor) this.d.audit.record({ at: now, actorId: actor.id, action: 'staff.created', subjectType: 'staff', subjectId: id, ip: actor.ip ?? null, detail: { username: input.username, role: input.role, teamId: input.teamId ?? null, department: input.department ?? null } });
      return id;
    });
    return this.d.staff.listing(id)!;
  }

  /**
   * Changes the account. Deactivating or changing the role revokes its tokens and closes its sockets (audited); an
   * agent leaving the floor (deactivated or given another role) is set offline so the ACD offers it no more calls,
   * and is refused while a call rings or runs. An account still on the demo password is not reactivated.
   */
  async update(id: number, changes: StaffChangesInput, actor: Actor): Promise<StaffListing> {
    if (changes.active === true) {
      // An account from before the demo flag is checked now: unknown must not mean "fine".
      const unknown = this.d.staff.hashWithUnknownDemoFlag(id);
      if (unknown !== undefined) this.d.staff.setDemoPasswordFor(id, unknown, await this.verify(DEMO_PASSWORD, unknown));
    }
    const now = this.clock.now();
    const { wentOffline, revoked } = this.d.transact(() => {
      const current = this.d.staff.byId(id);
      if (!current) throw new NotFound(`No staff member with id ${id}`);
      const role = changes.role ?? current.role;
      const department = role === 'department' ? (changes.department === undefined ? current.department : changes.department) : (changes.department ?? null);
      const problems = [...selfChangeProblems(actor.id, id, current, changes), ...departmentProblems(role, department)];
      if (problems.length) throw new Invalid(problems.join('; '), problems);
      if (changes.teamId !== undefined) this.assertTeamExists(changes.teamId);

      const active = changes.active ?? current.active;
      const demo = active && !current.active ? this.d.staff.demoPassword(id) : false;
      if (demo) throw new Conflict(`${current.username} still has the published demo password; reset its password before reactivating it`);
      if (demo === null) throw new Conflict(`${current.username}'s password changed while it was being checked; try again`);
      let wentOffline: { from: AgentStateName; reason: string } | undefined;
      if (current.role === 'agent' && current.active && (!active || role !== 'agent')) {
        const state = this.d.staff.presenceState(id);
        if (state && ON_A_CALL.includes(state)) {
          throw new Conflict(`${current.displayName} is ${state === 'on_call' ? 'on a call' : 'being offered a call'}; try again when it is over`);
        }
        if (state && state !== 'offline') {
          wentOffline = { from: state, reason: active ? 'no longer an agent' : 'account deactivated' };
          this.d.staff.takeOffline(id, state, wentOffline.reason, now);
        }
      }
      if (role === 'agent') this.d.staff.ensurePresence(id, now);

      const update: AccountChanges = { department };
      if (changes.displayName !== undefined) update.displayName = changes.displayName;
      if (changes.role !== undefined) update.role = changes.role;
      if (changes.teamId !== undefined) update.teamId = changes.teamId;
      if (changes.active !== undefined) update.active = changes.active;
      this.d.staff.update(id, update);
      const roleChanged = role !== current.role;
      const audited = { at: now, actorId: actor.id, subjectType: 'staff', subjectId: id, ip: actor.ip ?? null };
      if (roleChanged) this.d.audit.record({ ...audited, action: 'staff.role_changed', detail: { from: current.role, to: role } });
      if (active !== current.active) this.d.audit.record({ ...audited, action: active ? 'staff.reactivated' : 'staff.deactivated' });
      const other = (['displayName', 'teamId', 'department'] as const).filter((k) => update[k] !== undefined && update[k] !== current[k]);
      if (other.length) this.d.audit.record({ ...audited, action: 'staff.changed', detail: Object.fromEntries(other.map((k) => [k, { from: current[k], to: update[k] }])) });
      const revoked = !active || roleChanged ? { reason: !active ? 'account deactivated' : 'role changed' } : undefined;
      if (revoked) this.d.staff.revokeTokens(id, now);
      return { wentOffline, revoked };
    });
    if (revoked) this.d.revocations?.announce({ staffId: id, reason: revoked.reason });
    if (wentOffline) this.d.events.publish({ type: 'AgentStateChanged', agentId: id, from: wentOffline.from, to: 'offline', reason: wentOffline.reason, at: now });
    return this.d.staff.listing(id)!;
  }

  /**
   * Sets a new password on someone's account (the one given, or a random one returned once): they must change it
   * at their next sign-in, and every session of theirs ends now. Audited, without the password.
   */
  async resetPassword(id: number, password: string | undefined, actor: Actor): Promise<{ username: string; temporaryPassword?: string }> {
    const target = this.d.staff.byId(id);
    if (!target) throw new NotFound(`No staff member with id ${id}`);
    if (password !== undefined) {
      const problems = passwordProblems(password, target.username);
      if (problems.length) throw new Invalid(problems.join('; '), problems);
    }
    const temporary = password ?? randomBytes(12).toString('base64url');
    const passwordHash = await this.hash(temporary);
    const now = this.clock.now();
    this.d.transact(() => {
      if (!this.d.staff.byId(id)) throw new NotFound(`No staff member with id ${id}`);
      this.d.staff.setPassword(id, passwordHash, true);
      this.d.staff.revokeTokens(id, now);
      this.d.audit.record({ at: now, actorId: actor.id, action: 'staff.password_reset', subjectType: 'staff', subjectId: id, ip: actor.ip ?? null, detail: { generated: password === undefined } });
    });
    this.d.revocations?.announce({ staffId: id, reason: 'password reset' });
    return { username: target.username, ...(password === undefined ? { temporaryPassword: temporary } : {}) };
  }

  /** Every team for dispatchers, supervisors and admins; a team lead's own team only. */
  teams(viewer: Pick<Principal, 'id' | 'role' | 'teamId'>): TeamWithMembers[] {
    if (SEES_ALL_TEAMS.includes(viewer.role)) return this.d.staff.teams();
    if (viewer.role === 'team_lead') return this.d.staff.teams(viewer);
    throw new Forbidden('Only team leads, dispatchers, supervisors and admins see the teams');
  }

  private assertUsernameFree(username: string): void {
    if (this.d.staff.usernameTaken(username)) throw new Conflict(`The username ${username} is taken`);
  }

  private assertTeamExists(teamId: number | null | undefined): void {
    if (teamId != null && !this.d.staff.teamExists(teamId)) throw new Invalid(`teamId: no team with id ${teamId}`, [`teamId: no team with id ${teamId}`]);
  }
}
