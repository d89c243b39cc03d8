import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { eq } from 'drizzle-orm';
import { authTokens, staff } from '../../src/db/schema/index';
import { hashCost, hashPassword, hashPasswordSync, needsRehash, PASSWORD_COST, verifyPassword } from '../../src/auth/password';
import { DEMO_PASSWORD, passwordProblems } from '../../src/auth/password-policy';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService, type AuthOptions } from '../../src/auth/auth.service';
import { SessionRevocations, type SessionsRevoked } from '../../src/auth/session-revocations';
import { WsTickets } from '../../src/auth/ws-tickets';
import { AuditRepo } from '../../src/audit/audit.repo';
import { Busy, Forbidden, Invalid, TooManyAttempts, Unauthorized } from '../../src/errors/domain-errors';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { rejection } from '../support/rejection';

const T0 = new Date('2026-11-23T01:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('password hashing', () => {
  it('hashes at OWASP cost by default: scrypt$131072$salt$hash, N=2^17 r=8 p=1, verified only with the right password', async () => {
    expect(PASSWORD_COST).to.equal(2 ** 17);
    const started = Date.now();
    const stored = await hashPassword('s3cret-密码');
    const [scheme, n, salt, key] = stored.split('$');
    expect([scheme, n]).to.deep.equal(['scrypt', '131072']);
    expect(Buffer.from(salt, 'base64')).to.have.length(16);
    expect(Buffer.from(key, 'base64')).to.have.length(32);
    expect(await verifyPassword('s3cret-密码', stored)).to.equal(true);
    // A hash and a check at 2^17: memory-hard work, not a cheap digest.
    expect(Date.now() - started).to.be.above(100);
    expect(needsRehash(stored)).to.equal(false);
  });

  it('salts every hash, keeps N in the stored form, and the sync variant verifies the same way', async () => {
    const a = await hashPassword('same', TEST_PASSWORD_COST);
    expect(a).not.to.equal(await hashPassword('same', TEST_PASSWORD_COST));
    expect(hashCost(a)).to.equal(TEST_PASSWORD_COST);
    expect(needsRehash(a)).to.equal(true);
    expect(needsRehash(a, TEST_PASSWORD_COST)).to.equal(false);
    expect(await verifyPassword('same', hashPasswordSync('same', TEST_PASSWORD_COST))).to.equal(true);
    expect(await verifyPassword('Same', a)).to.equal(false);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'plain', 'bcrypt$10$abc$def', 'scrypt$1000$c2FsdA==$a2V5', 'scrypt$16384$$a2V5', 'scrypt$99999999$c2FsdA==$a2V5']) {
      expect(await verifyPassword('x', stored), stored).to.equal(false);
    }
  });

  it('has a policy: 10 characters, not the username, not the demo password', () => {
    expect(passwordProblems('long enough pass', 'agent1')).to.deep.equal([]);
    expect(passwordProblems('short', 'agent1')).to.deep.equal(['password: at least 10 characters']);
    expect(passwordProblems('Supervisor1', 'supervisor1')).to.deep.equal(['password: must not be the username']);
    expect(passwordProblems(DEMO_PASSWORD + 'x', 'a')).to.deep.equal([]);
    expect(passwordProblems(DEMO_PASSWORD, 'a', 'newPassword')).to.include('newPassword: must not be the published demo password');
  });
});

describe('AuthService', () => {
  let db: Db;
  let repo: StaffRepo;
  let auth: AuthService;
  let hash: string;
  let slept: number[];
  let revoked: SessionsRevoked[];
  before(async () => (hash = await hashPassword('right-password', TEST_PASSWORD_COST)));

  function setup(options?: AuthOptions) {
    db = openDatabase(':memory:');
    repo = new StaffRepo(db);
    slept = [];
    revoked = [];
    const revocations = new SessionRevocations();
    revocations.subscribe((r) => revoked.push(r));
    auth = new AuthService({
      staff: repo,
      transact: transactor(db),
      audit: new AuditRepo(db),
      revocations,
      options: { passwordCost: TEST_PASSWORD_COST, ...options },
      sleep: async (ms) => void slept.push(ms),
    });
    const team = repo.createTeam({ name: '前台一组' });
    repo.createStaff({ username: 'agent1', displayName: '陈静', role: 'agent', teamId: team.id, passwordHash: hash, createdAt: T0 });
    repo.createStaff({ username: 'boss', displayName: '黄蕾', role: 'supervisor', passwordHash: hash, createdAt: T0 });
    repo.createStaff({ username: 'gone', displayName: '离职', role: 'agent', passwordHash: hash, active: false, createdAt: T0 });
  }
  beforeEach(() => setup());
  afterEach(() => db.$client.close());

  it('logs in with a 12-hour token and authenticates it; only the token hash is stored', async () => {
    const r = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    expect(r.token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(r.expiresAt).to.deep.equal(at(12 * HOUR));
    expect(r.staff).to.deep.equal({ id: 1, username: 'agent1', displayName: '陈静', role: 'agent', teamId: 1 });
    expect(r.mustChangePassword).to.equal(false);
    expect(auth.authenticate(r.token, at(HOUR))).to.deep.equal(r.staff);
    const rows = db.select().from(authTokens).all();
    expect(rows).to.have.length(1);
    expect(rows[0].tokenHash).to.match(/^[0-9a-f]{64}$/).and.not.include(r.token);
  });

  it('answers an unknown user and a wrong password with the same Unauthorized message', async () => {
    const wrong = await rejection(auth.login('agent1', 'wrong', '10.0.0.1', T0));
    const unknown = await rejection(auth.login('nobody', 'right-password', '10.0.0.1', T0));
    expect(wrong).to.be.instanceOf(Unauthorized);
    expect(unknown).to.be.instanceOf(Unauthorized);
    expect(unknown.message).to.equal(wrong.message);
  });

  it('refuses an inactive account even with the right password', async () => {
    expect(await rejection(auth.login('gone', 'right-password', '10.0.0.1', T0))).to.be.instanceOf(Unauthorized);
  });

  it('refuses an expired token, a revoked token and garbage; a logout announces the one token', async () => {
    const r = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    expect(() => auth.authenticate(r.token, at(12 * HOUR))).to.throw(Unauthorized);
    const r2 = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    auth.logout(r2.token, at(MIN));
    expect(() => auth.authenticate(r2.token, at(2 * MIN))).to.throw(Unauthorized);
    auth.logout(r2.token, at(3 * MIN)); // a second logout is harmless
    expect(revoked).to.deep.equal([{ staffId: 1, token: r2.token, reason: 'signed out' }]);
    expect(() => auth.authenticate('not-a-token', T0)).to.throw(Unauthorized);
    expect(() => auth.authenticate(undefined, T0)).to.throw(Unauthorized);
    expect(() => auth.authenticate('', T0)).to.throw(Unauthorized);
  });

  it('honours a shorter token lifetime', async () => {
    db.$client.close();
    setup({ tokenTtlMs: 30 * MIN });
    const r = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    expect(auth.authenticate(r.token, at(29 * MIN)).username).to.equal('agent1');
    expect(() => auth.authenticate(r.token, at(30 * MIN))).to.throw(Unauthorized);
  });

  it('upgrades a hash of an older, lower cost at the next successful sign-in, to the production cost by default', async () => {
    db.$client.close();
    setup({ passwordCost: PASSWORD_COST });
    const old = hashPasswordSync('right-password', 16384); // what the previous version stored
    db.update(staff).set({ passwordHash: old }).where(eq(staff.username, 'agent1')).run();
    await rejection(auth.login('agent1', 'wrong', '10.0.0.1', T0));
    expect(repo.byUsername('agent1')!.passwordHash).to.equal(old); // a failure changes nothing
    await auth.login('agent1', 'right-password', '10.0.0.1', at(1));
    const upgraded = repo.byUsername('agent1')!.passwordHash;
    expect(hashCost(upgraded)).to.equal(2 ** 17);
    expect(await verifyPassword('right-password', upgraded)).to.equal(true);
    expect(needsRehash(upgraded)).to.equal(false); // done once
  });

  it('keeps the demo-password flag true to what the last sign-in proved', async () => {
    db.update(staff).set({ passwordHash: hashPasswordSync(DEMO_PASSWORD, TEST_PASSWORD_COST), demoPassword: null }).where(eq(staff.username, 'boss')).run();
    await auth.login('boss', DEMO_PASSWORD, '10.0.0.1', T0);
    expect(repo.byUsername('boss')!.demoPassword).to.equal(true);
    await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    expect(repo.byUsername('agent1')!.demoPassword).to.equal(false);
  });

  describe('throttling', () => {
    it('after 5 failures for an account from one address refuses even the right password from there until the window passes', async () => {
      for (let i = 0; i < 5; i++) expect(await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(i * MIN)))).to.be.instanceOf(Unauthorized);
      const refused = await rejection(auth.login('agent1', 'right-password', '10.0.0.1', at(5 * MIN)));
      expect(refused).to.be.instanceOf(TooManyAttempts);
      expect((refused as TooManyAttempts).retryAfterSeconds).to.equal(10 * 60); // the first failure leaves the window at 15 min
      expect(await rejection(auth.login('agent1', 'right-password', '10.0.0.1', at(15 * MIN - 1)))).to.be.instanceOf(TooManyAttempts);
      expect((await auth.login('agent1', 'right-password', '10.0.0.1', at(15 * MIN))).staff.username).to.equal('agent1');
    });

    it('a guesser elsewhere cannot lock the user out: other addresses only slow the account down, with a capped delay', async () => {
      for (let ip = 1; ip <= 20; ip++) {
        for (let i = 0; i < 5; i++) await rejection(auth.login('agent1', 'wrong', `203.0.113.${ip}`, at(ip)));
        expect(await rejection(auth.login('agent1', 'wrong', `203.0.113.${ip}`, at(ip)))).to.be.instanceOf(TooManyAttempts);
      }
      slept.length = 0;
      const r = await auth.login('agent1', 'right-password', '10.0.0.1', at(MIN));
      expect(r.staff.username).to.equal('agent1');
      expect(slept).to.deep.equal([8000]); // slowed to the cap, never refused
      // The user's success clears only their own address: the guessers stay locked out.
      expect(await rejection(auth.login('agent1', 'right-password', '203.0.113.7', at(2 * MIN)))).to.be.instanceOf(TooManyAttempts);
    });

    it('slows an account down as its failures grow across addresses: 0 under 5, then 0.5 s doubling to 8 s', async () => {
      expect([0, 4, 5, 6, 7, 8, 9, 10, 50].map((n) => auth.slowdownMs(n))).to.deep.equal([0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
      for (let i = 0; i < 7; i++) await rejection(auth.login('agent1', 'wrong', `198.51.100.${i}`, at(i)));
      expect(slept).to.deep.equal([500, 1000]);
      // The right password waits too, so a fast answer cannot tell a guesser it hit.
      await auth.login('agent1', 'right-password', '10.0.0.1', at(10));
      expect(slept).to.deep.equal([500, 1000, 2000]);
    });

    it('a successful login clears the failures of that account from that address only', async () => {
      for (let i = 0; i < 4; i++) await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(i)));
      await rejection(auth.login('agent1', 'wrong', '10.0.0.2', at(5)));
      await auth.login('agent1', 'right-password', '10.0.0.1', at(10));
      expect(repo.recentLoginFailures({ username: 'agent1', ip: '10.0.0.1' }, T0, 10)).to.deep.equal([]);
      expect(repo.recentLoginFailures({ username: 'agent1' }, T0, 10)).to.have.length(1);
      for (let i = 0; i < 4; i++) await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(20 + i)));
      expect((await auth.login('agent1', 'right-password', '10.0.0.1', at(30))).staff.username).to.equal('agent1');
    });

    it('after 100 failures from one address refuses every account from it, but not from other addresses', async () => {
      for (let i = 0; i < 100; i++) await rejection(auth.login(`guess${i}`, 'wrong', '203.0.113.9', at(i)));
      expect(await rejection(auth.login('boss', 'right-password', '203.0.113.9', at(100)))).to.be.instanceOf(TooManyAttempts);
      expect((await auth.login('boss', 'right-password', '10.0.0.1', at(100))).staff.role).to.equal('supervisor');
    });

    it('counts parallel guesses before the slow hash check, so they cannot slip past the throttle', async () => {
      db.$client.close();
      setup({ maxInFlightPerAccount: 12 }); // the cap on attempts at once would refuse some before the throttle
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => auth.login('agent1', 'wrong', '10.0.0.1', T0)));
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor.name : 'fulfilled'));
      expect(reasons.filter((n) => n === 'Unauthorized')).to.have.length(5);
      expect(reasons.filter((n) => n === 'TooManyAttempts')).to.have.length(7);
    });
  });

  describe('password changes', () => {
    it('changes the own password after checking the current one; every old token is revoked, a new one issued, the change audited', async () => {
      const a = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
      const b = await auth.login('agent1', 'right-password', '10.0.0.2', T0);
      const r = await auth.changePassword(a.staff, 'right-password', 'a brand new one', '10.0.0.1', at(MIN));
      for (const t of [a.token, b.token]) expect(() => auth.authenticate(t, at(2 * MIN))).to.throw(Unauthorized);
      expect(auth.authenticate(r.token, at(2 * MIN)).username).to.equal('agent1');
      expect(revoked).to.deep.equal([{ staffId: 1, reason: 'password changed' }]);
      expect(await rejection(auth.login('agent1', 'right-password', '10.0.0.3', at(3 * MIN)))).to.be.instanceOf(Unauthorized);
      expect((await auth.login('agent1', 'a brand new one', '10.0.0.3', at(3 * MIN))).staff.username).to.equal('agent1');
      expect(new AuditRepo(db).list({ action: 'staff.password_changed' }).map((e) => [e.actorId, e.subjectId, e.ip])).to.deep.equal([[1, '1', '10.0.0.1']]);
    });

    it('refuses a wrong current password (counted as a failed login) and a new password against the policy', async () => {
      const a = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
      const wrong = await rejection(auth.changePassword(a.staff, 'wrong', 'a brand new one', '10.0.0.1', T0));
      expect(wrong).to.be.instanceOf(Invalid); // 400: a 401 would make a client sign the user out
      expect(wrong.message).to.equal('The current password is wrong');
      expect(repo.recentLoginFailures({ username: 'agent1' }, new Date(0), 10)).to.have.length(1);
      const invalid = await rejection(auth.changePassword(a.staff, 'right-password', DEMO_PASSWORD, '10.0.0.1', T0));
      expect(invalid).to.be.instanceOf(Invalid);
      expect(invalid.message).to.equal('newPassword: must not be the published demo password');
      expect((await rejection(auth.changePassword(a.staff, 'right-password', 'agent1', '10.0.0.1', T0))).message).to.include('at least 10');
      expect(() => auth.authenticate(a.token, T0)).not.to.throw();
    });

    it('a must-change account signs in with the flag; its token is Forbidden elsewhere until it changes the password', async () => {
      db.update(staff).set({ mustChangePassword: true }).where(eq(staff.username, 'boss')).run();
      const r = await auth.login('boss', 'right-password', '10.0.0.1', T0);
      expect(r.mustChangePassword).to.equal(true);
      expect(() => auth.authenticate(r.token, T0)).to.throw(Forbidden, /Change your password first/);
      expect(auth.authenticate(r.token, T0, { allowPendingPasswordChange: true }).username).to.equal('boss');
      const changed = await auth.changePassword(r.staff, 'right-password', 'my own password', '10.0.0.1', T0);
      expect(changed.mustChangePassword).to.equal(false);
      expect(auth.authenticate(changed.token, T0).username).to.equal('boss');
      expect(repo.byUsername('boss')!.mustChangePassword).to.equal(false);
    });
  });
});

describe('WebSocket tickets', () => {
  it('redeem once, within 30 s, for the token they stand for', () => {
    const tickets = new WsTickets();
    const t = tickets.issue('the-token', 1, T0);
    expect(t.expiresAt).to.deep.equal(at(30_000));
    expect(t.ticket).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(tickets.redeem(t.ticket, at(29_999))).to.equal('the-token');
    expect(tickets.redeem(t.ticket, at(29_999))).to.equal(undefined);
    const late = tickets.issue('the-token', 1, T0);
    expect(tickets.redeem(late.ticket, at(30_000))).to.equal(undefined);
    expect(tickets.redeem('made-up', T0)).to.equal(undefined);
  });

  it('keep at most 5 per staff member, dropping only that person\'s oldest', () => {
    const tickets = new WsTickets();
    const others = [1, 2, 3].map((n) => tickets.issue(`other${n}`, 2, T0));
    const mine = Array.from({ length: 8 }, (_, n) => tickets.issue(`mine${n}`, 1, T0));
    expect(tickets.size()).to.equal(3 + 5);
    expect(mine.slice(0, 3).map((t) => tickets.redeem(t.ticket, T0))).to.deep.equal([undefined, undefined, undefined]);
    expect(mine.slice(3).map((t) => tickets.redeem(t.ticket, T0))).to.deep.equal(['mine3', 'mine4', 'mine5', 'mine6', 'mine7']);
    // Someone else's burst never evicted these.
    expect(others.map((t) => tickets.redeem(t.ticket, T0))).to.deep.equal(['other1', 'other2', 'other3']);
  });

  it('refuse new tickets beyond the global cap (Busy) instead of evicting other people\'s', () => {
    const tickets = new WsTickets({ maxPending: 3 });
    const held = [1, 2, 3].map((n) => tickets.issue(`t${n}`, n, T0));
    const refused = (() => {
      try {
        tickets.issue('t4', 4, T0);
      } catch (err) {
        return err;
      }
    })();
    expect(refused).to.be.instanceOf(Busy);
    expect((refused as Busy).retryAfterSeconds).to.equal(30);
    expect(held.map((t) => tickets.redeem(t.ticket, T0))).to.deep.equal(['t1', 't2', 't3']);
    // Redeemed or expired tickets make room again.
    expect(tickets.redeem(tickets.issue('t5', 5, T0).ticket, T0)).to.equal('t5');
  });
});
