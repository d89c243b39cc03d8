// The production guards as an operator meets them: the web process, `npm run seed` and `npm run staff:create-admin`, run as child processes on a temp database.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../src/db/client';
import { seedDemoStaff, DEMO_STAFF } from '../../src/db/seed/demo-staff';
import { StaffRepo } from '../../src/auth/staff.repo';
import { accountsWithDemoPassword } from '../../src/auth/demo-passwords';
import { hashCost, verifyPassword } from '../../src/auth/password';
import { AuditRepo } from '../../src/audit/audit.repo';
import { TEST_PASSWORD_COST } from '../support/password-cost';

const LIVE = { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'not-a-real-token', PUBLIC_BASE_URL: 'https://hotline.example.com' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point with tsx, as the npm scripts do, with only the given environment (plus PATH). */
function run(script: string, args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: path.resolve('.'),
      env: { PATH: process.env.PATH ?? '', ENV_FILE: '', PORT: '0', LOG_LEVEL: 'error', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe('production guards (child processes on a temp database)', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-guards-'));
    file = path.join(dir, 'hotline.sqlite');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const withDb = <T>(fn: (db: ReturnType<typeof openDatabase>) => T): T => {
    const db = openDatabase(file);
    try {
      return fn(db);
    } finally {
      db.$client.close();
    }
  };
  const withDbAsync = async (fn: (db: ReturnType<typeof openDatabase>) => Promise<void>): Promise<void> => {
    const db = openDatabase(file);
    try {
      await fn(db);
    } finally {
      db.$client.close();
    }
  };

  it('the web process refuses NODE_ENV=production without Twilio credentials with one line', async () => {
    const r = await run('src/main.ts', [], { NODE_ENV: 'production', DATABASE_FILE: file });
    expect(r.code).to.equal(1);
    expect(r.stderr.trim()).to.equal(
      'Invalid NODE_ENV=production: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required in production (the carrier simulator is for development only)',
    );
  });

  it('the web process refuses live credentials while accounts have the demo password, naming them and the fix', async () => {
    withDb((db) => seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST }));
    const r = await run('src/main.ts', [], { ...LIVE, DATABASE_FILE: file });
    expect(r.code).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Refusing to start with live Twilio credentials: 16 active account\(s\) still have the published demo password \(agent1, agent2, .* and 8 more\)/);
    expect(lines[0]).to.include('npm run staff:create-admin');
  });

  it('staff:create-admin reads the password from stdin, creates an admin at the production cost, and can deactivate the demo accounts', async () => {
    withDb((db) => seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST }));
    const r = await run('scripts/create-admin.ts', ['--username', 'alice', '--display-name', '林 Alice', '--deactivate-demo'], { ...LIVE, DATABASE_FILE: file }, 'a long admin password\n');
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/created admin alice \(id 17\)/);
    expect(r.stdout).to.include(`deactivated ${DEMO_STAFF.length} account(s) with the demo password`);
    await withDbAsync(async (db) => {
      const repo = new StaffRepo(db);
      const alice = repo.byUsername('alice')!;
      expect(alice).to.include({ role: 'admin', displayName: '林 Alice', active: true, mustChangePassword: false, demoPassword: false });
      expect(hashCost(alice.passwordHash)).to.equal(2 ** 17);
      expect(await verifyPassword('a long admin password', alice.passwordHash)).to.equal(true);
      expect(await accountsWithDemoPassword(repo)).to.deep.equal([]);
      expect(new AuditRepo(db).list({ action: 'staff.deactivated' })).to.have.length(DEMO_STAFF.length);
    });
  });

  it('staff:create-admin gives an existing account a new password, and refuses a weak one', async () => {
    withDb((db) => seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST }));
    const weak = await run('scripts/create-admin.ts', ['--username', 'admin1'], { DATABASE_FILE: file }, 'hotline-demo\n');
    expect(weak.code).to.equal(1);
    expect(weak.stderr.trim()).to.equal('password: must not be the published demo password');

    const r = await run('scripts/create-admin.ts', ['--username', 'admin1'], { DATABASE_FILE: file }, 'admin1 has a new one\r\n');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/set a new password for admin1 \(admin\)/);
    await withDbAsync(async (db) => {
      const admin1 = new StaffRepo(db).byUsername('admin1')!;
      expect(admin1.demoPassword).to.equal(false);
      expect(await verifyPassword('admin1 has a new one', admin1.passwordHash)).to.equal(true);
      expect(await accountsWithDemoPassword(new StaffRepo(db))).not.to.include('admin1');
    });
  });

  it('npm run seed seeds the demo staff in simulator mode, and refuses demo staff with live credentials', async () => {
    const live = await run('scripts/seed.ts', [], { ...LIVE, DATABASE_FILE: file });
    expect(live.code, live.stderr).to.equal(0);
    expect(live.stdout).to.include('no demo staff: Twilio credentials are set').and.include('npm run staff:create-admin');
    expect(withDb((db) => new StaffRepo(db).count())).to.equal(0);

    const sim = await run('scripts/seed.ts', [], { DATABASE_FILE: file });
    expect(sim.code, sim.stderr).to.equal(0);
    expect(sim.stdout).to.include(`seeded ${DEMO_STAFF.length} demo staff in 2 teams`);
    expect(withDb((db) => new StaffRepo(db).count())).to.equal(DEMO_STAFF.length);
  });
});
