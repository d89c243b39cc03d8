// Owns signing in and out: password checks and upgrades, bearer tokens, own password changes, and the throttle on failed logins.
import { createHash, randomBytes } from 'node:crypto';
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Busy, DomainError, Forbidden, Invalid, TooManyAttempts, Unauthorized } from '../errors/domain-errors';
import { throttleKey } from './client-address';
import { HashGate } from './hash-gate';
import { hashCost, hashPassword, needsRehash, PASSWORD_COST, verifyPassword } from './password';
import { DEMO_PASSWORD, passwordProblems } from './password-policy';
import type { SessionRevocations } from './session-revocations';
import type { StaffRepo, StaffRow, TokenHolder } from './staff.repo';

/** The signed-in staff member a request acts for. */
export type Principal = TokenHolder;

export interface LoginResult {
  token: string;
  expiresAt: Date;
  staff: Principal;
  /** The token only lets the holder change their password (and sign out) until they do. */
  mustChangePassword: boolean;
}

export interface AuthOptions {
  /** How long a token is valid after login. @default 12 h */
  tokenTtlMs?: number;
  /** Failed logins for one account from one address within the window before that pair is refused. @default 5 */
  maxFailuresPerAccountAndAddress?: number;
  /** Failed logins from one address (any account) within the window before that address is refused. @default 100 */
  maxFailuresPerAddress?: number;
  /** Failed logins of one account (any address) within the window after which each attempt is slowed down. @default 5 */
  slowdownAfterFailures?: number;
  /** The first slowdown; it doubles with each further failure of the account. @default 500 ms */
  slowdownBaseMs?: number;
  /** The slowdown never grows past this: it delays a guesser, it never locks the account. @default 8 s */
  slowdownMaxMs?: number;
  /** @default 15 min */
  failureWindowMs?: number;
  /** scrypt N for new hashes; older hashes are redone at sign-in. Lowered only by tests. @default PASSWORD_COST (2^17) */
  passwordCost?: number;
  /** Refuse a sign-in with the published demo password (live credentials): such an account needs a new password from an admin. @default false */
  refuseDemoPassword?: boolean;
  /** Sign-in attempts of one account being checked at once; more are refused (429). @default 3 */
  maxInFlightPerAccount?: number;
  /** Password hashes and checks running at once in this process (when no shared gate is given). @default 2 */
  maxConcurrentHashes?: number;
  /** Hashes waiting for a slot before further sign-ins are refused with 503 (when no shared gate is given). @default 32 */
  maxQueuedHashes?: number;
}

export interface AuthenticateOptions {
  /** Accept the token of an account that must change its password (only the routes that let it do so). @default false */
  allowPendingPasswordChange?: boolean;
}

const BAD_CREDENTIALS = 'Wrong username or password';
const NO_SESSION = 'Sign in first: the token is missing, expired or revoked';
const CHANGED_MEANWHILE = 'The password of this account changed while signing in; sign in again';
export const DEMO_PASSWORD_REFUSED = 'This account still has the published demo password; an admin must give it a new password before it can sign in';
export const CHANGE_PASSWORD_FIRST = 'Change your password first: POST /api/auth/password with {currentPassword, newPassword}';

export class AuthService {
  private readonly o: Required<AuthOptions>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly gate: HashGate;
  private readonly verify: (password: string, stored: string) => Promise<boolean>;
  /** Attempts being checked per username, so one account cannot take every hash slot. */
  private readonly inFlight = new Map<string, number>();
  /** Checked when the username is unknown, so that answer takes as long as a wrong password. */
  private decoyHash?: Promise<string>;
  private lastPrune = 0;

  constructor(
    private readonly d: {
      staff: StaffRepo;
      transact: Transact;
      audit?: Pick<AuditRepo, 'record'>;
      revocations?: Pick<SessionRevocations, 'announce'>;
      options?: AuthOptions;
      /** How the slowdown waits; tests record it instead. */
      sleep?: (ms: number) => Promise<void>;
      /** The process-wide limit on concurrent hashes, shared with staff administration. */
      hashGate?: HashGate;
      /** How a password is checked against a stored hash; tests observe it. */
      verify?: (password: string, stored: string) => Promise<boolean>;
    },
  ) {
    this.o = {
      tokenTtlMs: 12 * 3600_000,
      maxFailuresPerAccountAndAddress: 5,
      maxFailuresPerAddress: 100,
      slowdownAfterFailures: 5,
      slowdownBaseMs: 500,
      slowdownMaxMs: 8000,
      failureWindowMs: 15 * 60_000,
      passwordCost: PASSWORD_COST,
      refuseDemoPassword: false,
      maxInFlightPerAccount: 3,
      maxConcurrentHashes: 2,
      maxQueuedHashes: 32,
      ...d.options,
    };
    this.sleep = d.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.gate = d.hashGate ?? new HashGate({ maxConcurrent: this.o.maxConcurrentHashes, maxQueued: this.o.maxQueuedHashes });
    this.verify = d.verify ?? verifyPassword;
  }

  /** Signs in; every attempt is audited (`auth.signed_in`: success, or denied with the reason, or failed when busy). */
  async login(username: string, password: string, ip: string, now: Date): Promise<LoginResult> {
    try {
      return await this.signIn(username, password, ip, now);
    } catch (err) {
      if (err instanceof DomainError) {
        const known = this.d.staff.byUsername(username);
        const outcome = err instanceof Busy ? 'failed' : 'denied';
        // The typed username is kept only when it names an account: a password typed into the wrong field stays out.
        this.d.transact(() =>
          this.d.audit?.record({ at: now, actorId: null, action: 'auth.signed_in', subjectType: 'staff', subjectId: known ? known.id : 'unknown', outcome, reason: err.message, ip, detail: known ? { username: known.username } : {} }),
        );
      }
      throw err;
    }
  }

  private async signIn(username: string, password: string, ip: string, now: Date): Promise<LoginResult> {
    const account = await this.checkPassword(username, password, ip, now);
    if (!account) throw new Unauthorized(BAD_CREDENTIALS);
    if (!account.active) throw new Unauthorized('This account is disabled; ask a supervisor');
    const demoPassword = password === DEMO_PASSWORD;
    if (demoPassword && this.o.refuseDemoPassword) {
      // Flagged, so the next start refuses too until an admin gives the account a new password.
      this.d.transact(() => this.d.staff.setPasswordHash(account.id, account.passwordHash, { demoPassword: true }, account.passwordHash));
      throw new Unauthorized(DEMO_PASSWORD_REFUSED);
    }

    const upgraded = needsRehash(account.passwordHash, this.o.passwordCost) ? await this.hash(password) : undefined;
    return this.d.transact(() => {
      // The password may have changed (and every token been revoked) during the slow check: issue nothing then.
      this.assertUnchanged(account);
      this.d.staff.clearLoginFailures(username, throttleKey(ip));
      // The expected old hash makes a password changed during the slow rehash win over the upgrade.
      if (upgraded) this.d.staff.setPasswordHash(account.id, upgraded, { demoPassword }, account.passwordHash);
      else if (account.demoPassword !== demoPassword) this.d.staff.setDemoPassword(account.id, demoPassword);
      this.d.audit?.record({ at: now, actorId: account.id, action: 'auth.signed_in', subjectType: 'staff', subjectId: account.id, ip, detail: { username: account.username } });
      return this.issueToken(account, now);
    });
  }

  /**
   * Changes the signed-in person's own password after checking the current one (throttled like a login). Every
   * session of theirs ends, sockets included; the answer carries a fresh token for this client.
   */
  async changePassword(principal: Pick<Principal, 'id' | 'username'>, currentPassword: string, newPassword: string, ip: string, now: Date): Promise<LoginResult> {
    const problems = passwordProblems(newPassword, principal.username, 'newPassword');
    if (newPassword === currentPassword) problems.push('newPassword: must differ from the current password');
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    const account = await this.checkPassword(principal.username, currentPassword, ip, now);
    // 400, not 401: a desktop client reads 401 as "session ended" and would sign the user out over a typo.
    if (!account || account.id !== principal.id) {
      this.d.transact(() => this.d.audit?.record({ at: now, actorId: principal.id, action: 'staff.password_changed', subjectType: 'staff', subjectId: principal.id, outcome: 'denied', reason: 'wrong current password', ip }));
    }
    if (!account || account.id !== principal.id) throw new Invalid('The current password is wrong', ['currentPassword: wrong password']);
    const passwordHash = await this.hash(newPassword);
    const result = this.d.transact(() => {
      // Another change or a reset during the slow hash wins (and has ended this session): store and issue nothing.
      this.assertUnchanged(account);
      this.d.staff.clearLoginFailures(principal.username, throttleKey(ip));
      this.d.staff.setPasswordHash(account.id, passwordHash, { mustChangePassword: false, demoPassword: false }, account.passwordHash);
      this.d.staff.revokeAllTokens(account.id, now);
      this.d.audit?.record({ at: now, actorId: account.id, action: 'staff.password_changed', subjectType: 'staff', subjectId: account.id, ip });
      return this.issueToken({ ...account, mustChangePassword: false }, now);
    });
    this.d.revocations?.announce({ staffId: account.id, reason: 'password changed' });
    return result;
  }

  /**
   * The principal holding `token`; throws Unauthorized when it is missing, unknown, expired or revoked, and
   * Forbidden while the account must change its password (unless the route is one that lets it).
   */
  authenticate(token: string | undefined, now: Date, opts: AuthenticateOptions = {}): Principal {
    const session = token ? this.d.staff.findValidToken(tokenHash(token), now) : undefined;
    if (!session) throw new Unauthorized(NO_SESSION);
    const { mustChangePassword, ...principal } = session;
    if (mustChangePassword && !opts.allowPendingPasswordChange) throw new Forbidden(CHANGE_PASSWORD_FIRST);
    return principal;
  }

  /** Revokes the token and ends the sockets opened with it; harmless when it is already revoked or unknown. */
  logout(token: string, now: Date, ip: string | null = null): void {
    const holder = this.d.staff.findValidToken(tokenHash(token), now);
    if (!this.d.staff.revokeToken(tokenHash(token), now) || !holder) return;
    this.d.audit?.record({ at: now, actorId: holder.id, action: 'auth.signed_out', subjectType: 'staff', subjectId: holder.id, ip });
    this.d.revocations?.announce({ staffId: holder.id, token, reason: 'signed out' });
  }

  /**
   * Counts the attempt as a failure before the slow hash check (so parallel guesses cannot slip past the throttle),
   * slows it down when the account is under attack, and returns the account when the password matches.
   */
  private async checkPassword(username: string, password: string, clientIp: string, now: Date): Promise<StaffRow | undefined> {
    const ip = throttleKey(clientIp);
    const inFlight = this.inFlight.get(username) ?? 0;
    if (inFlight >= this.o.maxInFlightPerAccount) throw new TooManyAttempts(1, 'Too many sign-in attempts for this account at once; try again in a moment');
    this.inFlight.set(username, inFlight + 1);
    try {
      const { account, delayMs } = this.d.transact(() => {
        const delayMs = this.throttle(username, ip, now);
        this.d.staff.addLoginFailure({ username, ip, at: now });
        return { account: this.d.staff.byUsername(username), delayMs };
      });
      this.pruneFailures(now);
      // Every attempt waits, the right password too: a fast success would tell a guesser it had hit.
      if (delayMs > 0) await this.sleep(delayMs);
      const stored = account?.passwordHash ?? (await this.decoy());
      const matches = await this.gate.run(() => this.verify(password, stored));
      // A hash stored at a lower cost fails faster than the decoy would: pay the difference, so timing does not tell which usernames exist.
      if (account && !matches && (hashCost(stored) ?? 0) < this.o.passwordCost) {
        const decoy = await this.decoy();
        await this.gate.run(() => this.verify(password, decoy));
      }
      return account && matches ? account : undefined;
    } finally {
      const left = (this.inFlight.get(username) ?? 1) - 1;
      if (left > 0) this.inFlight.set(username, left);
      else this.inFlight.delete(username);
    }
  }

  /** Throws when the account's row is no longer what the password was checked against (inside the issuing transaction). */
  private assertUnchanged(checked: StaffRow): void {
    const now = this.d.staff.byId(checked.id);
    if (!now || !now.active || now.passwordHash !== checked.passwordHash || now.mustChangePassword !== checked.mustChangePassword) {
      throw new Unauthorized(CHANGED_MEANWHILE);
    }
  }

  /** A hash at today's cost, waiting for a slot of the process-wide limit. */
  private hash(password: string): Promise<string> {
    return this.gate.run(() => hashPassword(password, this.o.passwordCost));
  }

  /** The hash of a random password, made once; a failed attempt (e.g. Busy) is tried again next time. */
  private decoy(): Promise<string> {
    this.decoyHash ??= this.hash(randomBytes(16).toString('hex')).catch((err: unknown) => {
      this.decoyHash = undefined;
      throw err;
    });
    return this.decoyHash;
  }

  /**
   * Hard limits are per account and address, and per address: a guesser elsewhere cannot lock the real user out
   * of their own desk. Failures of the account from every address only add a growing, capped delay.
   */
  private throttle(username: string, ip: string, now: Date): number {
    const since = new Date(now.getTime() - this.o.failureWindowMs);
    const limits = [
      [this.d.staff.recentLoginFailures({ username, ip }, since, this.o.maxFailuresPerAccountAndAddress), this.o.maxFailuresPerAccountAndAddress],
      [this.d.staff.recentLoginFailures({ ip }, since, this.o.maxFailuresPerAddress), this.o.maxFailuresPerAddress],
    ] as const;
    let retryAfterMs = 0;
    for (const [failures, max] of limits) {
      // Attempts open again when the max-th most recent failure leaves the window.
      if (failures.length >= max) retryAfterMs = Math.max(retryAfterMs, failures[max - 1].getTime() + this.o.failureWindowMs - now.getTime());
    }
    if (retryAfterMs > 0) throw new TooManyAttempts(Math.ceil(retryAfterMs / 1000));
    return this.slowdownMs(this.d.staff.recentLoginFailures({ username }, since, this.o.slowdownAfterFailures + 32).length);
  }

  /** The delay for an account with `failures` recent failures across all addresses. */
  slowdownMs(failures: number): number {
    if (failures < this.o.slowdownAfterFailures) return 0;
    return Math.min(this.o.slowdownBaseMs * 2 ** Math.min(failures - this.o.slowdownAfterFailures, 30), this.o.slowdownMaxMs);
  }

  private issueToken(account: Pick<StaffRow, 'id' | 'username' | 'displayName' | 'role' | 'teamId' | 'mustChangePassword'>, now: Date): LoginResult {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.o.tokenTtlMs);
    this.d.staff.insertToken({ tokenHash: tokenHash(token), staffId: account.id, createdAt: now, expiresAt });
    const { id, username, displayName, role, teamId } = account;
    return { token, expiresAt, staff: { id, username, displayName, role, teamId }, mustChangePassword: account.mustChangePassword };
  }

  /** Old failures count in no window; dropping them at most once a window keeps the table small under attack. */
  private pruneFailures(now: Date): void {
    if (now.getTime() - this.lastPrune < this.o.failureWindowMs) return;
    this.lastPrune = now.getTime();
    this.d.staff.pruneLoginFailures(new Date(now.getTime() - this.o.failureWindowMs));
  }
}

/** Tokens are stored only as this digest: a stolen table holds no usable token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
