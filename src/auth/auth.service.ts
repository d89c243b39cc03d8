// Owns signing in and out: password checks, bearer tokens, and the throttle on failed logins.
import { createHash, randomBytes } from 'node:crypto';
import type { Transact } from '../db/transaction';
import { TooManyAttempts, Unauthorized } from '../errors/domain-errors';
import { hashPassword, verifyPassword } from './password';
import type { StaffRepo, TokenHolder } from './staff.repo';

/** The signed-in staff member a request acts for. */
export type Principal = TokenHolder;

export interface LoginResult {
  token: string;
  expiresAt: Date;
  staff: Principal;
}

export interface AuthOptions {
  /** How long a token is valid after login. @default 12 h */
  tokenTtlMs?: number;
  /** Failed logins for one username within the window before every attempt is refused. @default 5 */
  maxFailuresPerUsername?: number;
  /** Failed logins from one IP address within the window before every attempt is refused. @default 20 */
  maxFailuresPerIp?: number;
  /** @default 15 min */
  failureWindowMs?: number;
}

const BAD_CREDENTIALS = 'Wrong username or password';
const NO_SESSION = 'Sign in first: the token is missing, expired or revoked';

export class AuthService {
  private readonly o: Required<AuthOptions>;
  /** Checked when the username is unknown, so that answer takes as long as a wrong password. */
  private decoyHash?: Promise<string>;

  constructor(private readonly d: { staff: StaffRepo; transact: Transact; options?: AuthOptions }) {
    this.o = { tokenTtlMs: 12 * 3600_000, maxFailuresPerUsername: 5, maxFailuresPerIp: 20, failureWindowMs: 15 * 60_000, ...d.options };
  }

  async login(username: string, password: string, ip: string, now: Date): Promise<LoginResult> {
    // The attempt is counted as a failure before the slow hash check, so parallel guesses cannot slip past the throttle.
    const account = this.d.transact(() => {
      this.throttle(username, ip, now);
      this.d.staff.addLoginFailure({ username, ip, at: now });
      return this.d.staff.byUsername(username);
    });
    const matches = await verifyPassword(password, account?.passwordHash ?? (await (this.decoyHash ??= hashPassword(randomBytes(16).toString('hex')))));
    if (!account || !matches) throw new Unauthorized(BAD_CREDENTIALS);
    if (!account.active) throw new Unauthorized('This account is disabled; ask a supervisor');

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.o.tokenTtlMs);
    this.d.transact(() => {
      this.d.staff.clearLoginFailures(username);
      this.d.staff.insertToken({ tokenHash: tokenHash(token), staffId: account.id, createdAt: now, expiresAt });
    });
    const { id, displayName, role, teamId } = account;
    return { token, expiresAt, staff: { id, username: account.username, displayName, role, teamId } };
  }

  /** The principal holding `token`; throws Unauthorized when it is missing, unknown, expired or revoked. */
  authenticate(token: string | undefined, now: Date): Principal {
    const holder = token ? this.d.staff.findValidToken(tokenHash(token), now) : undefined;
    if (!holder) throw new Unauthorized(NO_SESSION);
    return holder;
  }

  /** Revokes the token; harmless when it is already revoked or unknown. */
  logout(token: string, now: Date): void {
    this.d.staff.revokeToken(tokenHash(token), now);
  }

  private throttle(username: string, ip: string, now: Date): void {
    const since = new Date(now.getTime() - this.o.failureWindowMs);
    const waits = [
      [this.d.staff.recentLoginFailures({ username }, since, this.o.maxFailuresPerUsername), this.o.maxFailuresPerUsername],
      [this.d.staff.recentLoginFailures({ ip }, since, this.o.maxFailuresPerIp), this.o.maxFailuresPerIp],
    ] as const;
    let retryAfterMs = 0;
    for (const [failures, max] of waits) {
      // Attempts open again when the max-th most recent failure leaves the window.
      if (failures.length >= max) retryAfterMs = Math.max(retryAfterMs, failures[max - 1].getTime() + this.o.failureWindowMs - now.getTime());
    }
    if (retryAfterMs > 0) throw new TooManyAttempts(Math.ceil(retryAfterMs / 1000));
  }
}

/** Tokens are stored only as this digest: a stolen table holds no usable token. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
