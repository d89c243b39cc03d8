// Fixes from the security review of the account code: races between a sign-in and a password change, the demo
// password under live credentials, the limit on concurrent scrypt work, equal-time failures, and address keys.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { authTokens, staff } from '../../src/db/schema/index';
import { hashCost, hashPasswordSync, PASSWORD_COST, verifyPassword } from '../../src/auth/password';
import { DEMO_PASSWORD } from '../../src/auth/password-policy';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService, DEMO_PASSWORD_REFUSED, type AuthOptions } from '../../src/auth/auth.service';
import { HashGate } from '../../src/auth/hash-gate';
import { throttleKey } from '../../src/auth/client-address';
import { StaffAdminRepo } from '../../src/staff/staff-admin.repo';
import { StaffAdminService } from '../../src/staff/staff-admin.service';
import { AuditRepo } from '../../src/audit/audit.repo';
import { Busy, Conflict, TooManyAttempts, Unauthorized } from '../../src/errors/domain-errors';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { rejection } from '../support/rejection';

const T0 = new Date('2026-11-23T01:00:00Z');

describe('account security review', () => {
  let db: Db;
  let repo: StaffRepo;
  let hash: string;
  before(() => (hash = hashPasswordSync('right-password', TEST_PASSWORD_COST)));
  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = new StaffRepo(db);
    repo.createStaff({ username: 'agent1', displayName: '陈静', role: 'agent', passwordHash: hash, createdAt: T0 });
  });
  afterEach(() => db.$client.close());

  function service(o: { options?: AuthOptions; sleep?: (ms: number) => Promise<void>; verify?: (p: string, s: string) => Promise<boolean>; hashGate?: HashGate } = {}) {
    return new AuthService({ staff: repo, transact: transactor(db), audit: new AuditRepo(db), sleep: async () => {}, ...o, options: { passwordCost: TEST_PASSWORD_COST, ...o.options } });
  }
  const liveTokens = () => db.select().from(authTokens).all().filter((t) => t.revokedAt === null);

  describe('a password change during a sign-in (HIGH)', () => {
    it('a login that checked the old password while it was changed gets no token: 401, and only the changer holds one', async () => {
      let changed: Awaited<ReturnType<AuthService['changePassword']>> | undefined;
      let changing = false;
      // Every attempt waits (slowdown from the first failure); the login's wait is where the change lands.
      const auth: AuthService = service({
        options: { slowdownAfterFailures: 0 },
        sleep: async () => {
          if (changing) return;
          changing = true;
          changed = await auth.changePassword({ id: 1, username: 'agent1' }, 'right-password', 'a brand new one', '10.0.0.2', T0);
        },
      });
      const late = await rejection(auth.login('agent1', 'right-password', '10.0.0.1', T0));
      expect(late).to.be.instanceOf(Unauthorized);
      expect(late.message).to.match(/changed while signing in/);
      expect(changed).to.not.equal(undefined);
      expect(liveTokens()).to.have.length(1);
      expect(auth.authenticate(changed!.token, T0).username).to.equal('agent1');
    });

    it('two overlapping changes of the same password: the second stores nothing and issues nothing', async () => {
      let first: Awaited<ReturnType<AuthService['changePassword']>> | undefined;
      let changing = false;
      const auth: AuthService = service({
        options: { slowdownAfterFailures: 0 },
        sleep: async () => {
          if (changing) return;
          changing = true;
          first = await auth.changePassword({ id: 1, username: 'agent1' }, 'right-password', 'the first new one', '10.0.0.2', T0);
        },
      });
      const second = await rejection(auth.changePassword({ id: 1, username: 'agent1' }, 'right-password', 'the second new one', '10.0.0.1', T0));
      expect(second).to.be.instanceOf(Unauthorized);
      expect(await verifyPassword('the first new one', repo.byUsername('agent1')!.passwordHash)).to.equal(true);
      expect(first).to.not.equal(undefined);
      expect(liveTokens()).to.have.length(1);
    });

    it('a login overlapping a deactivation gets no token', async () => {
      const auth: AuthService = service({ options: { slowdownAfterFailures: 0 }, sleep: async () => void db.update(staff).set({ active: false }).run() });
      expect(await rejection(auth.login('agent1', 'right-password', '10.0.0.1', T0))).to.be.instanceOf(Unauthorized);
      expect(liveTokens()).to.have.length(0);
    });
  });

  describe('the demo password under live credentials (MEDIUM)', () => {
    beforeEach(() => db.update(staff).set({ passwordHash: hashPasswordSync(DEMO_PASSWORD, TEST_PASSWORD_COST), demoPassword: null }).run());

    it('with refuseDemoPassword a correct demo password is refused (401, saying an admin must set a new one) and flagged', async () => {
      const refused = await rejection(service({ options: { refuseDemoPassword: true } }).login('agent1', DEMO_PASSWORD, '10.0.0.1', T0));
      expect(refused).to.be.instanceOf(Unauthorized);
      expect(refused.message).to.equal(DEMO_PASSWORD_REFUSED);
      expect(refused.message).to.match(/admin must give it a new password/);
      expect(liveTokens()).to.have.length(0);
      expect(repo.byUsername('agent1')!.demoPassword).to.equal(true);
      // Simulator mode (the default) still signs in with it.
      expect((await service().login('agent1', DEMO_PASSWORD, '10.0.0.1', T0)).staff.username).to.equal('agent1');
    });

    it('reactivating an account whose demo flag is unknown checks it now and refuses when it is the demo password', async () => {
      db.update(staff).set({ active: false }).run();
      repo.createStaff({ username: 'admin1', displayName: 'Admin', role: 'admin', passwordHash: hash, createdAt: T0 });
      const admin = new StaffAdminService({ staff: new StaffAdminRepo(db), transact: transactor(db), events: { publish: () => {} }, audit: new AuditRepo(db), clock: { now: () => T0 } });
      const refused = await rejection(admin.update(1, { active: true }, { id: 2 }));
      expect(refused).to.be.instanceOf(Conflict);
      expect(refused.message).to.match(/still has the published demo password/);
      expect(repo.byUsername('agent1')).to.include({ active: false, demoPassword: true });
      // An unknown flag on a password of its own is checked too, and then allowed.
      db.update(staff).set({ passwordHash: hash, demoPassword: null }).where(eq(staff.id, 1)).run();
      expect((await admin.update(1, { active: true }, { id: 2 })).active).to.equal(true);
      expect(repo.byUsername('agent1')!.demoPassword).to.equal(false);
    });
  });

  describe('concurrent scrypt work (MEDIUM, DoS)', () => {
    it('HashGate runs at most maxConcurrent at once, queues up to maxQueued in order, and refuses more with Busy', async () => {
      const gate = new HashGate({ maxConcurrent: 2, maxQueued: 2, retryAfterSeconds: 3 });
      const release: (() => void)[] = [];
      const order: number[] = [];
      let running = 0;
      let peak = 0;
      const job = (n: number) =>
        gate.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise<void>((r) => release.push(r));
          running--;
          order.push(n);
          return n;
        });
      const accepted = [1, 2, 3, 4].map(job);
      const busy = await rejection(job(5));
      expect(busy).to.be.instanceOf(Busy);
      expect((busy as Busy).retryAfterSeconds).to.equal(3);
      expect(gate.load()).to.deep.equal({ running: 2, queued: 2 });
      while (order.length < 4) {
        release.shift()?.();
        await new Promise((r) => setImmediate(r));
      }
      expect(await Promise.all(accepted)).to.deep.equal([1, 2, 3, 4]);
      expect(peak).to.equal(2);
      expect(gate.load()).to.deep.equal({ running: 0, queued: 0 });
      expect(await gate.run(async () => 'free again')).to.equal('free again');
    });

    it('sign-ins beyond the hash queue are refused with Busy, not queued without end', async () => {
      const gate = new HashGate({ maxConcurrent: 1, maxQueued: 1 });
      let started = 0;
      let finish!: () => void;
      const held = new Promise<void>((r) => (finish = r));
      const auth = service({
        hashGate: gate,
        verify: async (p, s) => {
          started++;
          await held;
          return verifyPassword(p, s);
        },
      });
      const first = auth.login('agent1', 'right-password', '10.0.0.1', T0);
      const second = auth.login('agent1', 'right-password', '10.0.0.2', T0);
      await new Promise((r) => setImmediate(r));
      const third = await rejection(auth.login('nobody', 'whatever', '10.0.0.3', T0));
      expect(third).to.be.instanceOf(Busy);
      expect(started).to.equal(1);
      finish();
      expect((await first).staff.username).to.equal('agent1');
      expect((await second).staff.username).to.equal('agent1');
    });

    it('at most 3 attempts of one account are checked at once; a 4th is refused with 429', async () => {
      let finish!: () => void;
      const held = new Promise<void>((r) => (finish = r));
      const auth = service({ verify: async (p, s) => (await held, verifyPassword(p, s)) });
      const running = [1, 2, 3].map((n) => auth.login('agent1', 'right-password', `10.0.0.${n}`, T0));
      const fourth = await rejection(auth.login('agent1', 'right-password', '10.0.0.4', T0));
      expect(fourth).to.be.instanceOf(TooManyAttempts);
      expect(fourth.message).to.match(/at once/);
      finish();
      expect((await Promise.all(running)).map((r) => r.staff.username)).to.deep.equal(['agent1', 'agent1', 'agent1']);
      expect((await auth.login('agent1', 'right-password', '10.0.0.4', T0)).staff.username).to.equal('agent1');
    });

    it('throttles an IPv6 client by its /64, and IPv4 (mapped or not) by the address', async () => {
      expect(throttleKey('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
      expect(throttleKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).to.equal('2001:db8:1:2::/64');
      expect(throttleKey('2001:db8::7')).to.equal('2001:db8:0:0::/64');
      expect(throttleKey('::1')).to.equal('0:0:0:0::/64');
      expect(throttleKey('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
      expect(throttleKey('::ffff:203.0.113.9')).to.equal('203.0.113.9');
      expect(throttleKey('203.0.113.9')).to.equal('203.0.113.9');
      expect(throttleKey('unknown')).to.equal('unknown');
      // Five wrong guesses from addresses of one /64 lock that pair out, whatever the low bits.
      const auth = service();
      for (let i = 1; i <= 5; i++) await rejection(auth.login('agent1', 'wrong', `2001:db8:1:2::${i}`, T0));
      expect(await rejection(auth.login('agent1', 'right-password', '2001:db8:1:2:ffff::9', T0))).to.be.instanceOf(TooManyAttempts);
      expect((await auth.login('agent1', 'right-password', '2001:db8:1:3::1', T0)).staff.username).to.equal('agent1');
    });
  });

  describe('equal-time failures (LOW)', () => {
    it('a wrong password on a hash of a lower cost also spends the decoy at the current cost; the right one does not', async () => {
      const checked: number[] = [];
      const auth = service({ options: { passwordCost: 4096 }, verify: (p, s) => (checked.push(hashCost(s)!), verifyPassword(p, s)) });
      // agent1's hash is at TEST_PASSWORD_COST (1024), below the current 4096.
      await rejection(auth.login('agent1', 'wrong', '10.0.0.1', T0));
      expect(checked).to.deep.equal([1024, 4096]);
      checked.length = 0;
      await rejection(auth.login('nobody', 'wrong', '10.0.0.1', T0));
      expect(checked).to.deep.equal([4096]);
      checked.length = 0;
      await auth.login('agent1', 'right-password', '10.0.0.1', T0);
      expect(checked).to.deep.equal([1024]);
      checked.length = 0;
      // Now upgraded to 4096: a wrong password is one check, as long as the decoy's.
      await rejection(auth.login('agent1', 'wrong', '10.0.0.1', T0));
      expect(checked).to.deep.equal([4096]);
      expect(PASSWORD_COST).to.be.above(4096);
    });
  });
});
