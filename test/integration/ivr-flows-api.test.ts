// GET /api/ivr/flows: the flows the server loaded, with their nodes, for admins and supervisors only (through HTTP).
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { createLogger } from '../../src/logging/logger';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { createApiApp } from '../../src/http/app';
import { authRoutes } from '../../src/http/auth.routes';
import { ivrFlowRoutes, type IvrFlowJson } from '../../src/http/ivr-flows.routes';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { TEST_PASSWORD_COST } from '../support/password-cost';

describe('IVR flows, read-only (GET /api/ivr/flows)', () => {
  let db: Db;
  let server: http.Server;
  let base: string;

  before(async () => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), options: { passwordCost: TEST_PASSWORD_COST } });
    const flows = FlowRegistry.load(path.resolve('ivr-flows'));
    const api = createApiApp({ log: createLogger('error', true), health: () => ({ ok: true, simulator: false }), routers: [authRoutes({ auth }), ivrFlowRoutes({ auth, flows })] });
    server = http.createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  async function get(username: string): Promise<{ status: number; body: any }> {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${base}/api/ivr/flows`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  }

  it('an admin reads the hotline and survey flows with every node, in the file’s order, with its id and fields', async () => {
    const { status, body } = await get('admin1');
    expect(status).to.equal(200);
    const flows = body.flows as IvrFlowJson[];
    expect(flows.map((f) => f.id).sort()).to.deep.equal(['hotline', 'survey']);
    const hotline = flows.find((f) => f.id === 'hotline')!;
    expect(hotline.start).to.equal('welcome');
    expect(hotline.purpose).to.equal('inbound');
    expect(hotline.nodes[0]).to.include({ id: 'welcome', type: 'say', next: 'language' });
    const vip = hotline.nodes.find((n) => n.id === 'vipQueue') as unknown as Record<string, unknown>;
    expect(vip).to.include({ type: 'queue', queue: 'front-vip', desk: 'front' });
    expect(hotline.nodes.length).to.equal(Object.keys(FlowRegistry.load(path.resolve('ivr-flows')).get('hotline')!.nodes).length);
  });

  it('a supervisor reads them too; an agent and a dispatcher get 403 with a message', async () => {
    expect((await get('supervisor1')).status).to.equal(200);
    for (const u of ['agent1', 'dispatcher1']) {
      const r = await get(u);
      expect(r.status, u).to.equal(403);
      expect(r.body.message, u).to.be.a('string').and.not.match(/at .*\.ts/);
    }
  });
});
