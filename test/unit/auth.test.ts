import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { authTokens } from '../../src/db/schema/index';
import { hashPassword, hashPasswordSync, verifyPassword } from '../../src/auth/password';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService, type AuthOptions } from '../../src/auth/auth.service';
import { TooManyAttempts, Unauthorized } from '../../src/errors/domain-errors';

const T0 = new Date('2026-11-23T01:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('password hashing', () => {
  it('stores scrypt$16384$salt$hash and verifies only the right password', async () => {
    const stored = await hashPassword('s3cret-密码');
    const [scheme, n, salt, key] = stored.split('$');
    expect([scheme, n]).to.deep.equal(['scrypt', '16384']);
    expect(Buffer.from(salt, 'base64')).to.have.length(16);
    expect(Buffer.from(key, 'base64')).to.have.length(32);
    expect(await verifyPassword('s3cret-密码', stored)).to.equal(true);
    expect(await verifyPassword('s3cret-密碼', stored)).to.equal(false);
    expect(await verifyPassword('', stored)).to.equal(false);
  });

  it('salts every hash, and the sync variant verifies the same way', async () => {
    expect(await hashPassword('same')).not.to.equal(await hashPassword('same'));
    expect(await verifyPassword('same', hashPasswordSync('same'))).to.equal(true);
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'plain', 'bcrypt$10$abc$def', 'scrypt$1000$c2FsdA==$a2V5', 'scrypt$16384$$a2V5', 'scrypt$99999999$c2FsdA==$a2V5']) {
      expect(await verifyPassword('x', stored), stored).to.equal(false);
    }
  });
});

describe('AuthService', () => {
  let db: Db;
  let repo: StaffRepo;
  let auth: AuthService;
  let hash: string;
  before(async () => (hash = await hashPassword('right-password')));

  function setup(options?: AuthOptions) {
    db = openDatabase(':memory:');
    repo = new StaffRepo(db);
    auth = new AuthService({ staff: repo, transact: transactor(db), options });
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

  it('refuses an expired token, a revoked token and garbage', async () => {
    const r = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    expect(() => auth.authenticate(r.token, at(12 * HOUR))).to.throw(Unauthorized);
    const r2 = await auth.login('agent1', 'right-password', '10.0.0.1', T0);
    auth.logout(r2.token, at(MIN));
    expect(() => auth.authenticate(r2.token, at(2 * MIN))).to.throw(Unauthorized);
    auth.logout(r2.token, at(3 * MIN)); // a second logout is harmless
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

  it('after 5 failures for a username refuses even the right password until the window passes', async () => {
    for (let i = 0; i < 5; i++) expect(await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(i * MIN)))).to.be.instanceOf(Unauthorized);
    const refused = await rejection(auth.login('agent1', 'right-password', '10.0.0.2', at(5 * MIN)));
    expect(refused).to.be.instanceOf(TooManyAttempts);
    expect((refused as TooManyAttempts).retryAfterSeconds).to.equal(10 * 60); // the first failure leaves the window at 15 min
    expect(await rejection(auth.login('agent1', 'right-password', '10.0.0.1', at(15 * MIN - 1)))).to.be.instanceOf(TooManyAttempts);
    expect((await auth.login('agent1', 'right-password', '10.0.0.1', at(15 * MIN))).staff.username).to.equal('agent1');
  });

  it('a successful login clears the username failures', async () => {
    for (let i = 0; i < 4; i++) await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(i)));
    await auth.login('agent1', 'right-password', '10.0.0.1', at(10));
    expect(repo.recentLoginFailures({ username: 'agent1' }, T0, 10)).to.deep.equal([]);
    for (let i = 0; i < 4; i++) await rejection(auth.login('agent1', 'wrong', '10.0.0.1', at(20 + i)));
    expect((await auth.login('agent1', 'right-password', '10.0.0.1', at(30))).staff.username).to.equal('agent1');
  });

  it('after 20 failures from one IP refuses every username from it, but not from other addresses', async () => {
    for (let i = 0; i < 20; i++) await rejection(auth.login(`guess${i}`, 'wrong', '203.0.113.9', at(i)));
    expect(await rejection(auth.login('boss', 'right-password', '203.0.113.9', at(100)))).to.be.instanceOf(TooManyAttempts);
    expect((await auth.login('boss', 'right-password', '10.0.0.1', at(100))).staff.role).to.equal('supervisor');
  });

  it('counts parallel guesses before the slow hash check, so they cannot slip past the throttle', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => auth.login('agent1', 'wrong', '10.0.0.1', T0)));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor.name : 'fulfilled'));
    expect(reasons.filter((n) => n === 'Unauthorized')).to.have.length(5);
    expect(reasons.filter((n) => n === 'TooManyAttempts')).to.have.length(7);
  });
});
