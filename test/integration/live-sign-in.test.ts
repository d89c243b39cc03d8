// Under live Twilio credentials the web process refuses a sign-in with the published demo password (wired in hotline.ts).
import { expect } from 'chai';
import winston from 'winston';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { staff } from '../../src/db/schema/index';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { hashPasswordSync } from '../../src/auth/password';
import { createHotline, type Hotline } from '../../src/hotline';
import { testConfig } from '../support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../support/password-cost';

const LIVE = { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'not-a-real-token', PUBLIC_BASE_URL: 'https://hotline.example.com' };

describe('sign-in with live credentials', () => {
  let db: Db;
  let hotline: Hotline;
  let base: string;

  beforeEach(async () => {
    const config = await testConfig(LIVE);
    expect(config.simulator).to.equal(undefined);
    db = openDatabase(':memory:');
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    db.update(staff).set({ passwordHash: hashPasswordSync('a-real-password', TEST_PASSWORD_COST), demoPassword: false }).where(eq(staff.username, 'admin1')).run();
    hotline = createHotline({ config, log: winston.createLogger({ silent: true }), db, passwordCost: TEST_PASSWORD_COST });
    await hotline.listen(config.port, '127.0.0.1');
    base = `http://127.0.0.1:${config.port}`;
  });
  afterEach(async () => {
    await hotline.close();
    db.$client.close();
  });

  const login = async (username: string, password: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('refuses the demo password with 401 saying an admin must set a new one; a password of its own signs in', async () => {
    const refused = await login('agent1', DEMO_PASSWORD);
    expect(refused.status).to.equal(401);
    expect(refused.body.error).to.equal('unauthorized');
    expect(refused.body.message).to.match(/published demo password; an admin must give it a new password/);
    expect((await login('admin1', 'a-real-password')).status).to.equal(200);
  });
});
