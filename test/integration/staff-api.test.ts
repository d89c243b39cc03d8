import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { Router } from 'express';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { agentDesks, agentPresence, agentStateLog, staff } from '../../src/db/schema/index';
import { seedDemoStaff, DEMO_PASSWORD, DEMO_STAFF } from '../../src/db/seed/demo-staff';
import { createLogger } from '../../src/logging/logger';
import { EventBus, type DomainEvent } from '../../src/events/domain-events';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { StaffAdminRepo } from '../../src/staff/staff-admin.repo';
import { StaffAdminService } from '../../src/staff/staff-admin.service';
import { AgentDesksRepo } from '../../src/acd/agent-desks.repo';
import { DesksService } from '../../src/acd/desks.service';
import { QueueSettingsRepo } from '../../src/acd/queue-settings.repo';
import { QueueSettingsService } from '../../src/acd/queue-settings.service';
import { createApiApp } from '../../src/http/app';
import { authRoutes } from '../../src/http/auth.routes';
import { staffRoutes } from '../../src/http/staff.routes';
import { agentsRoutes } from '../../src/http/agents.routes';
import { queuesRoutes } from '../../src/http/queues.routes';
import { AuditRepo } from '../../src/audit/audit.repo';
import { hashPassword } from '../../src/auth/password';
import { TEST_PASSWORD_COST } from '../support/password-cost';

type Json = Record<string, any>;

describe('staff, desks and queues administration API (through HTTP)', () => {
  let db: Db;
  let server: http.Server;
  let base: string;
  let events: DomainEvent[];
  let bus: EventBus;
  let queues: QueueSettingsRepo;
  let audit: AuditRepo;
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};

  beforeEach(async () => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const transact = transactor(db);
    bus = new EventBus();
    events = [];
    bus.subscribe((e) => events.push(e));
    audit = new AuditRepo(db);
    const auth = new AuthService({ staff: new StaffRepo(db), transact, audit, options: { passwordCost: TEST_PASSWORD_COST } });
    queues = new QueueSettingsRepo(db);
    // Stands in for the agents' own API, mounted after ours, to show /api/agents/me/… reaches it.
    const ownApi = Router();
    ownApi.put('/api/agents/me/desks', (_req, res) => void res.json({ reached: 'own api' }));
    const api = createApiApp({
      log: createLogger('error', true),
      health: () => ({ ok: true, simulator: false }),
      routers: [
        authRoutes({ auth }),
        staffRoutes({ auth, staffAdmin: new StaffAdminService({ staff: new StaffAdminRepo(db), transact, events: bus, audit, hash: (p) => hashPassword(p, TEST_PASSWORD_COST) }) }),
        agentsRoutes({ auth, desks: new DesksService({ desks: new AgentDesksRepo(db), transact, events: bus, audit: new AuditRepo(db) }) }),
        queuesRoutes({ auth, queues: new QueueSettingsService({ queues, transact, audit: new AuditRepo(db) }) }),
        ownApi,
      ],
    });
    server = http.createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const r of db.select({ id: staff.id, username: staff.username }).from(staff).all()) ids[r.username] = r.id;
    await Promise.all(['admin1', 'supervisor1', 'dispatcher1', 'lead1', 'agent1'].map(async (u) => (tokens[u] = await login(u))));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  async function call(method: string, path: string, as?: string, body?: unknown): Promise<{ status: number; body: Json; text: string }> {
    const headers: Record<string, string> = {};
    if (as) headers.authorization = `Bearer ${tokens[as] ?? as}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, text };
  }

  async function login(username: string, password = DEMO_PASSWORD): Promise<string> {
    const res = await call('POST', '/api/auth/login', undefined, { username, password });
    expect(res.status, `login ${username}: ${res.text}`).to.equal(200);
    return res.body.token;
  }

  const setPresence = (username: string, state: 'available' | 'on_call' | 'reserved') =>
    db.update(agentPresence).set({ state, since: new Date() }).where(eq(agentPresence.staffId, ids[username])).run();

  describe('staff accounts', () => {
    it('lists every account with team, role and desks to an admin and a supervisor, never a password hash', async () => {
      for (const as of ['admin1', 'supervisor1']) {
        const res = await call('GET', '/api/staff', as);
        expect(res.status).to.equal(200);
        expect(res.text).not.to.match(/scrypt|password/i);
        const list: Json[] = res.body.staff;
        expect(list.map((s) => s.username)).to.deep.equal(DEMO_STAFF.map((m) => m.username));
        const agent1 = list.find((s) => s.username === 'agent1')!;
        expect(agent1).to.deep.equal({
          id: ids.agent1,
          username: 'agent1',
          displayName: '陈静',
          role: 'agent',
          teamId: agent1.team.id,
          department: null,
          active: true,
          createdAt: agent1.createdAt,
          team: { id: agent1.team.id, name: '前台一组' },
          desks: [{ desk: 'front', skill: 5 }, { desk: 'middle', skill: 2 }],
        });
        expect(Date.parse(agent1.createdAt)).to.be.closeTo(Date.now(), 60_000);
        expect(list.find((s) => s.username === 'supervisor1')).to.include({ role: 'supervisor', teamId: null, team: null }).and.have.property('desks').that.is.empty;
      }
    });

    it('creates an agent with a hashed password and an offline presence; the new agent can sign in', async () => {
      const teamId = (await call('GET', '/api/staff', 'admin1')).body.staff.find((s: Json) => s.username === 'agent1').teamId;
      const res = await call('POST', '/api/staff', 'admin1', { username: 'agent7', displayName: '高翔', role: 'agent', teamId, password: 'correct horse' });
      expect(res.status, res.text).to.equal(201);
      expect(res.text).not.to.match(/scrypt|password/i);
      expect(res.body).to.include({ username: 'agent7', displayName: '高翔', role: 'agent', teamId, department: null, active: true });
      expect(res.body.team).to.deep.equal({ id: teamId, name: '前台一组' });

      const row = db.select().from(staff).where(eq(staff.username, 'agent7')).get()!;
      expect(row.passwordHash).to.match(/^scrypt\$1024\$/).and.not.include('correct horse');
      expect(row).to.include({ demoPassword: false, mustChangePassword: false });
      expect(db.select().from(agentPresence).where(eq(agentPresence.staffId, row.id)).get()).to.include({ state: 'offline' });
      const me = await call('GET', '/api/auth/me', await login('agent7', 'correct horse'));
      expect(me.body).to.include({ username: 'agent7', role: 'agent' });
    });

    it('creates a department account only with its department, and no presence for non-agents', async () => {
      const without = await call('POST', '/api/staff', 'admin1', { username: 'wh2', displayName: '仓储 二', role: 'department', password: 'long-enough-1' });
      expect(without.status).to.equal(400);
      expect(without.body).to.deep.equal({ error: 'invalid', message: "department: required for role 'department'", details: ["department: required for role 'department'"] });

      const misplaced = await call('POST', '/api/staff', 'admin1', { username: 'qc2', displayName: '质控 二', role: 'quality_controller', department: 'finance', password: 'long-enough-1' });
      expect(misplaced.status).to.equal(400);
      expect(misplaced.body.message).to.equal("department: only for role 'department'");

      const ok = await call('POST', '/api/staff', 'admin1', { username: 'wh2', displayName: '仓储 二', role: 'department', department: 'warehouse', password: 'long-enough-1' });
      expect(ok.status, ok.text).to.equal(201);
      expect(ok.body).to.include({ role: 'department', department: 'warehouse', teamId: null });
      expect(db.select().from(agentPresence).where(eq(agentPresence.staffId, ok.body.id)).get()).to.equal(undefined);
    });

    it('refuses a short password, unknown fields, a taken username and an unknown team; only an admin creates', async () => {
      const body = { username: 'agent8', displayName: '新人', role: 'agent', password: 'short' };
      const short = await call('POST', '/api/staff', 'admin1', body);
      expect(short.status).to.equal(400);
      expect(short.body).to.deep.equal({ error: 'invalid', message: 'password: at least 10 characters', details: ['password: at least 10 characters'] });

      const extra = await call('POST', '/api/staff', 'admin1', { ...body, password: 'long-enough-1', passwordHash: 'x' });
      expect(extra.status).to.equal(400);
      expect(extra.body.message).to.include('passwordHash');

      const taken = await call('POST', '/api/staff', 'admin1', { ...body, username: 'agent1', password: 'long-enough-1' });
      expect(taken.status).to.equal(409);
      expect(taken.body).to.deep.equal({ error: 'conflict', message: 'The username agent1 is taken' });

      const noTeam = await call('POST', '/api/staff', 'admin1', { ...body, teamId: 999, password: 'long-enough-1' });
      expect(noTeam.status).to.equal(400);
      expect(noTeam.body.message).to.equal('teamId: no team with id 999');

      const bySupervisor = await call('POST', '/api/staff', 'supervisor1', { ...body, password: 'long-enough-1' });
      expect(bySupervisor.status).to.equal(403);
      expect(db.select().from(staff).where(eq(staff.username, 'agent8')).get()).to.equal(undefined);
    });

    it('changes display name, role and team', async () => {
      const teams: Json[] = (await call('GET', '/api/teams', 'admin1')).body.teams;
      const middleBack = teams.find((t) => t.name === '中后台组')!;
      const res = await call('PATCH', `/api/staff/${ids.qc1}`, 'admin1', { displayName: '郑洁（组长）', role: 'team_lead', teamId: middleBack.id });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ id: ids.qc1, displayName: '郑洁（组长）', role: 'team_lead', teamId: middleBack.id, active: true });
      expect(res.body.team).to.deep.equal({ id: middleBack.id, name: '中后台组' });
      expect(audit.list({ action: 'staff.role_changed' }).map((e) => [e.subjectId, JSON.parse(e.detail!)])).to.deep.equal([[String(ids.qc1), { from: 'quality_controller', to: 'team_lead' }]]);
      // A role change ends the sessions; the new role applies from the next sign-in.
      const qc = await login('qc1');
      expect((await call('GET', '/api/teams', qc)).status).to.equal(200);

      const cleared = await call('PATCH', `/api/staff/${ids.qc1}`, 'admin1', { teamId: null });
      expect(cleared.body).to.include({ teamId: null, team: null });
    });

    it('deactivates an available agent: tokens revoked, sign-in refused, presence offline and AgentStateChanged published', async () => {
      const agentToken = await login('agent2');
      expect((await call('GET', '/api/auth/me', agentToken)).status).to.equal(200);
      setPresence('agent2', 'available');

      const res = await call('PATCH', `/api/staff/${ids.agent2}`, 'admin1', { active: false });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ username: 'agent2', active: false });

      const me = await call('GET', '/api/auth/me', agentToken);
      expect(me.status).to.equal(401);
      const again = await call('POST', '/api/auth/login', undefined, { username: 'agent2', password: DEMO_PASSWORD });
      expect(again.status).to.equal(401);
      expect(again.body.message).to.equal('This account is disabled; ask a supervisor');

      expect(db.select().from(agentPresence).where(eq(agentPresence.staffId, ids.agent2)).get()).to.include({ state: 'offline', reason: 'account deactivated' });
      expect(db.select().from(agentStateLog).where(eq(agentStateLog.staffId, ids.agent2)).all().map((l) => [l.from, l.to])).to.deep.equal([['available', 'offline']]);
      expect(events.map((e) => ({ ...e, at: undefined }))).to.deep.equal([{ type: 'AgentStateChanged', agentId: ids.agent2, from: 'available', to: 'offline', reason: 'account deactivated', at: undefined }]);

      // Still on the published demo password: not reactivated until it has one of its own.
      const refused = await call('PATCH', `/api/staff/${ids.agent2}`, 'admin1', { active: true });
      expect(refused.status).to.equal(409);
      expect(refused.body.message).to.equal('agent2 still has the published demo password; reset its password before reactivating it');
      expect((await call('POST', `/api/staff/${ids.agent2}/password-reset`, 'admin1', { password: 'temporary-42' })).status).to.equal(200);
      const back = await call('PATCH', `/api/staff/${ids.agent2}`, 'admin1', { active: true });
      expect(back.body.active).to.equal(true);
      expect((await call('GET', '/api/auth/me', await login('agent2', 'temporary-42'))).status).to.equal(200);
      expect(audit.list({ actionPrefix: 'staff.', subjectId: String(ids.agent2) }).map((e) => [e.action, e.actorId, e.ip])).to.deep.equal([
        ['staff.reactivated', ids.admin1, '127.0.0.1'],
        ['staff.password_reset', ids.admin1, '127.0.0.1'],
        ['staff.deactivated', ids.admin1, '127.0.0.1'],
      ]);
    });

    it('refuses to deactivate an agent while a call rings or runs, and changes nothing', async () => {
      const agentToken = await login('agent3');
      for (const state of ['on_call', 'reserved'] as const) {
        setPresence('agent3', state);
        const res = await call('PATCH', `/api/staff/${ids.agent3}`, 'admin1', { active: false });
        expect(res.status).to.equal(409);
        expect(res.body.message).to.match(/^李娜 is (on a call|being offered a call); try again when it is over$/);
        const role = await call('PATCH', `/api/staff/${ids.agent3}`, 'admin1', { role: 'dispatcher' });
        expect(role.status).to.equal(409);
      }
      expect(db.select().from(staff).where(eq(staff.id, ids.agent3)).get()).to.include({ active: true, role: 'agent' });
      expect((await call('GET', '/api/auth/me', agentToken)).status).to.equal(200);
      expect(events).to.deep.equal([]);
    });

    it('does not let an admin lock themselves out, answers 404 for an unknown id and a non-numeric one, 400 for an empty change', async () => {
      const self = await call('PATCH', `/api/staff/${ids.admin1}`, 'admin1', { active: false, role: 'agent' });
      expect(self.status).to.equal(400);
      expect(self.body.details).to.deep.equal(['active: you cannot deactivate your own account', 'role: you cannot change the role of your own account']);
      expect((await call('PATCH', `/api/staff/${ids.admin1}`, 'admin1', { displayName: '林峰 (admin)' })).status).to.equal(200);

      const unknown = await call('PATCH', '/api/staff/9999', 'admin1', { displayName: 'x' });
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.deep.equal({ error: 'not_found', message: 'No staff member with id 9999' });
      const word = await call('PATCH', '/api/staff/agent1', 'admin1', { displayName: 'x' });
      expect(word.status).to.equal(404);
      expect(word.body).to.deep.equal({ error: 'not_found', message: 'No such route' });
      const empty = await call('PATCH', `/api/staff/${ids.agent1}`, 'admin1', {});
      expect(empty.status).to.equal(400);
      expect(empty.body.message).to.equal('send at least one of displayName, role, teamId, department, active');
    });

    it('gives an account that becomes an agent a presence row, and takes an agent who leaves the floor offline', async () => {
      const dispatcher = await call('PATCH', `/api/staff/${ids.dispatcher1}`, 'admin1', { role: 'agent' });
      expect(dispatcher.status).to.equal(200);
      expect(db.select().from(agentPresence).where(eq(agentPresence.staffId, ids.dispatcher1)).get()).to.include({ state: 'offline' });

      setPresence('agent4', 'available');
      const promoted = await call('PATCH', `/api/staff/${ids.agent4}`, 'admin1', { role: 'team_lead' });
      expect(promoted.status).to.equal(200);
      expect(db.select().from(agentPresence).where(eq(agentPresence.staffId, ids.agent4)).get()).to.include({ state: 'offline', reason: 'no longer an agent' });
      const agents: Json[] = (await call('GET', '/api/agents', 'supervisor1')).body.agents;
      expect(agents.map((a) => a.username)).to.include('dispatcher1').and.not.include('agent4');
    });
  });

  describe('account lifecycle', () => {
    it('an admin resets a password: a temporary one is returned once, every session ends, the person must change it at sign-in', async () => {
      const before = await login('agent1');
      const res = await call('POST', `/api/staff/${ids.agent1}/password-reset`, 'admin1', {});
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ id: ids.agent1, username: 'agent1', mustChangePassword: true });
      const temporary: string = res.body.temporaryPassword;
      expect(temporary).to.match(/^[A-Za-z0-9_-]{16}$/);
      expect((await call('GET', '/api/auth/me', before)).status).to.equal(401);
      expect((await call('POST', '/api/auth/login', undefined, { username: 'agent1', password: DEMO_PASSWORD })).status).to.equal(401);

      const signIn = await call('POST', '/api/auth/login', undefined, { username: 'agent1', password: temporary });
      expect(signIn.status).to.equal(200);
      expect(signIn.body.mustChangePassword).to.equal(true);
      const pending: string = signIn.body.token;
      // Until the change, the token reaches only the password change, who-am-I and logout.
      const other = await call('GET', '/api/teams', pending);
      expect(other.status).to.equal(403);
      expect(other.body).to.deep.equal({ error: 'forbidden', message: 'Change your password first: POST /api/auth/password with {currentPassword, newPassword}' });
      expect((await call('GET', '/api/auth/me', pending)).status).to.equal(200);
      const wrong = await call('POST', '/api/auth/password', pending, { currentPassword: 'not-it', newPassword: 'my-own-password' });
      // 400, not 401: a client must not read a typo in the current password as "session ended".
      expect(wrong.status).to.equal(400);
      expect(wrong.body).to.include({ error: 'invalid', message: 'The current password is wrong' });
      expect((await call('GET', '/api/auth/me', pending)).status).to.equal(200);
      const changed = await call('POST', '/api/auth/password', pending, { currentPassword: temporary, newPassword: 'my-own-password' });
      expect(changed.status, changed.text).to.equal(200);
      expect(changed.body.mustChangePassword).to.equal(false);
      expect((await call('GET', '/api/auth/me', pending)).status).to.equal(401);
      expect((await call('GET', '/api/auth/me', changed.body.token)).status).to.equal(200);
      expect((await call('GET', '/api/teams', changed.body.token)).body.message).to.equal('This needs one of the roles: team_lead, dispatcher, supervisor, admin');
      expect(db.select().from(staff).where(eq(staff.id, ids.agent1)).get()).to.include({ mustChangePassword: false, demoPassword: false });

      const entries = audit.list({ actionPrefix: 'staff.', subjectId: String(ids.agent1) });
      expect(entries.map((e) => [e.action, e.actorId, e.outcome])).to.deep.equal([
        ['staff.password_changed', ids.agent1, 'success'],
        ['staff.password_changed', ids.agent1, 'denied'],
        ['staff.password_reset', ids.admin1, 'success'],
      ]);
      expect(JSON.stringify(entries)).not.to.include(temporary).and.not.include('my-own-password');
    });

    it('a reset may set a given password, which must follow the policy; only an admin resets', async () => {
      const demo = await call('POST', `/api/staff/${ids.lead1}/password-reset`, 'admin1', { password: DEMO_PASSWORD });
      expect(demo.status).to.equal(400);
      expect(demo.body.message).to.equal('password: must not be the published demo password');
      const own = await call('POST', `/api/staff/${ids.lead1}/password-reset`, 'admin1', { password: 'lead1' });
      expect(own.body.details).to.deep.equal(['password: at least 10 characters', 'password: must not be the username']);
      expect((await call('POST', `/api/staff/${ids.lead1}/password-reset`, 'supervisor1', {})).status).to.equal(403);
      expect((await call('POST', '/api/staff/9999/password-reset', 'admin1', {})).status).to.equal(404);
      const given = await call('POST', `/api/staff/${ids.lead1}/password-reset`, 'admin1', { password: 'given-by-admin' });
      expect(given.status).to.equal(200);
      expect(given.body).to.deep.equal({ id: ids.lead1, username: 'lead1', mustChangePassword: true });
      expect((await call('POST', '/api/auth/login', undefined, { username: 'lead1', password: 'given-by-admin' })).body.mustChangePassword).to.equal(true);
    });

    it('changing one\'s own password checks the current one and the policy, and ends every other session', async () => {
      const other = await login('supervisor1');
      const bad = await call('POST', '/api/auth/password', 'supervisor1', { currentPassword: DEMO_PASSWORD, newPassword: 'short' });
      expect(bad.status).to.equal(400);
      expect(bad.body.message).to.equal('newPassword: at least 10 characters');
      const ok = await call('POST', '/api/auth/password', 'supervisor1', { currentPassword: DEMO_PASSWORD, newPassword: 'supervisor-secret' });
      expect(ok.status, ok.text).to.equal(200);
      for (const t of [other, tokens.supervisor1]) expect((await call('GET', '/api/auth/me', t)).status).to.equal(401);
      expect((await call('GET', '/api/staff', ok.body.token)).status).to.equal(200);
    });

    it('a role change revokes the person\'s tokens', async () => {
      const res = await call('PATCH', `/api/staff/${ids.dispatcher1}`, 'admin1', { role: 'quality_controller' });
      expect(res.status).to.equal(200);
      expect((await call('GET', '/api/auth/me', 'dispatcher1')).status).to.equal(401);
      const renamed = await call('PATCH', `/api/staff/${ids.lead1}`, 'admin1', { displayName: '孙丽丽' });
      expect(renamed.status).to.equal(200);
      expect((await call('GET', '/api/auth/me', 'lead1')).status).to.equal(200); // other changes keep the sessions
    });
  });

  describe('teams', () => {
    it('shows a team lead only their own team, and every team to dispatchers, supervisors and admins', async () => {
      const own = await call('GET', '/api/teams', 'lead1');
      expect(own.status).to.equal(200);
      expect(own.body.teams.map((t: Json) => t.name)).to.deep.equal(['前台一组']);
      const [front] = own.body.teams;
      expect(front.leadId).to.equal(ids.lead1);
      expect(front.members.map((m: Json) => m.username)).to.deep.equal(['agent1', 'agent2', 'agent3', 'agent4', 'lead1']);
      expect(JSON.stringify(own.body)).not.to.match(/scrypt|password/i);

      for (const as of ['dispatcher1', 'supervisor1', 'admin1']) {
        const all = await call('GET', '/api/teams', as);
        expect(all.body.teams.map((t: Json) => t.name)).to.deep.equal(['前台一组', '中后台组']);
        expect(all.body.teams[1].members.map((m: Json) => m.username)).to.deep.equal(['agent5', 'agent6', 'lead2']);
      }
      expect((await call('GET', '/api/teams', 'agent1')).status).to.equal(403);
    });
  });

  describe('agents and their desks', () => {
    it('lists every agent with desks, skills and current presence', async () => {
      setPresence('agent5', 'available');
      const res = await call('GET', '/api/agents', 'dispatcher1');
      expect(res.status).to.equal(200);
      const agents: Json[] = res.body.agents;
      expect(agents.map((a) => a.username)).to.deep.equal(['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6']);
      const agent5 = agents.find((a) => a.username === 'agent5')!;
      expect(agent5).to.deep.equal({
        id: ids.agent5,
        username: 'agent5',
        displayName: '刘洋',
        active: true,
        team: { id: agent5.team.id, name: '中后台组' },
        desks: [{ desk: 'front', skill: 3 }, { desk: 'middle', skill: 4 }],
        presence: { state: 'available', reason: null, since: agent5.presence.since },
      });
      expect(Date.parse(agent5.presence.since)).to.be.closeTo(Date.now(), 60_000);
      expect(agents.find((a) => a.username === 'agent1')!.presence.state).to.equal('offline');
    });

    it('replaces an agent’s desks in one go and publishes AgentDesksChanged after the commit', async () => {
      const seenAtPublish: unknown[] = [];
      bus.on('AgentDesksChanged', (e) => seenAtPublish.push({ inTransaction: db.$client.inTransaction, desks: db.select().from(agentDesks).where(eq(agentDesks.staffId, e.agentId)).all().length }));
      const desks = [{ desk: 'back', skill: 2 }, { desk: 'front', skill: 4 }, { desk: 'middle', skill: 1 }];
      const res = await call('PUT', `/api/agents/${ids.agent2}/desks`, 'dispatcher1', { desks });
      expect(res.status, res.text).to.equal(200);
      const ordered = [{ desk: 'front', skill: 4 }, { desk: 'middle', skill: 1 }, { desk: 'back', skill: 2 }];
      expect(res.body).to.include({ id: ids.agent2, username: 'agent2' });
      expect(res.body.desks).to.deep.equal(ordered);
      expect(events).to.have.length(1);
      expect(events[0]).to.deep.include({ type: 'AgentDesksChanged', agentId: ids.agent2, desks: ordered });
      expect((events[0] as { at: Date }).at).to.be.instanceOf(Date);
      expect(seenAtPublish).to.deep.equal([{ inTransaction: false, desks: 3 }]);

      const narrowed = await call('PUT', `/api/agents/${ids.agent2}/desks`, 'supervisor1', { desks: [{ desk: 'back', skill: 5 }] });
      expect(narrowed.body.desks).to.deep.equal([{ desk: 'back', skill: 5 }]);
      const listed = (await call('GET', '/api/agents', 'lead1')).body.agents.find((a: Json) => a.username === 'agent2');
      expect(listed.desks).to.deep.equal([{ desk: 'back', skill: 5 }]);
    });

    it('refuses no desk, a desk twice, a skill out of 1..5, and answers 404 for a non-agent or unknown id; nothing is published', async () => {
      const path = `/api/agents/${ids.agent1}/desks`;
      for (const [body, message] of [
        [{ desks: [] }, 'desks: an agent needs at least one desk'],
        [{}, 'desks: a list of {desk, skill} is required'],
        [{ desks: [{ desk: 'front', skill: 6 }] }, 'desks.0.skill: Too big: expected number to be <=5'],
        [{ desks: [{ desk: 'lobby', skill: 3 }] }, 'desks.0.desk: Invalid option: expected one of "front"|"middle"|"back"'],
      ] as const) {
        const res = await call('PUT', path, 'dispatcher1', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.message).to.equal(message);
      }
      const twice = await call('PUT', path, 'dispatcher1', { desks: [{ desk: 'front', skill: 3 }, { desk: 'front', skill: 4 }] });
      expect(twice.status).to.equal(400);
      expect(twice.body.details).to.deep.equal(['desks.1.desk: front is listed twice']);

      const supervisor = await call('PUT', `/api/agents/${ids.supervisor1}/desks`, 'dispatcher1', { desks: [{ desk: 'front', skill: 3 }] });
      expect(supervisor.status).to.equal(404);
      expect(supervisor.body).to.deep.equal({ error: 'not_found', message: `No agent with id ${ids.supervisor1}` });
      expect((await call('PUT', '/api/agents/4242/desks', 'dispatcher1', { desks: [{ desk: 'front', skill: 3 }] })).status).to.equal(404);

      expect(db.select().from(agentDesks).where(eq(agentDesks.staffId, ids.agent1)).all().map((d) => [d.desk, d.skill])).to.deep.equal([['front', 5], ['middle', 2]]);
      expect(db.select().from(agentDesks).where(eq(agentDesks.staffId, ids.supervisor1)).all()).to.deep.equal([]);
      expect(events).to.deep.equal([]);
    });

    it('leaves /api/agents/me/… to the routes mounted after it', async () => {
      const own = await call('PUT', '/api/agents/me/desks', 'agent1', { desks: [] });
      expect(own.status).to.equal(200);
      expect(own.body).to.deep.equal({ reached: 'own api' });
      const other = await call('PUT', '/api/agents/me/state', 'agent1', {});
      expect(other.status).to.equal(404);
      expect(other.body.message).to.equal('No such route');
    });
  });

  describe('queues and their rules', () => {
    it('lists the demo queues: front-vip answered within 10 s and waiting at most 300 s, front-general with the survey, the others on the defaults', async () => {
      const res = await call('GET', '/api/queues', 'lead1');
      expect(res.status).to.equal(200);
      const defaults = { desk: 'front', serviceLevelSeconds: 15, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail', overflowQueue: null, wrapUpSeconds: 30, postCallSurvey: false };
      expect(res.body.queues).to.deep.equal([
        { name: 'front-complaints', ...defaults },
        { name: 'front-general', ...defaults, postCallSurvey: true },
        { name: 'front-returns', ...defaults },
        { name: 'front-vip', ...defaults, serviceLevelSeconds: 10, maxWaitSeconds: 300 },
      ]);
    });

    it('creates a queue with 201 and its desk from the name, replaces it with 200, and the ACD reads the stored rules', async () => {
      expect(queues.get('back-rma')).to.deep.equal({ name: 'back-rma', desk: 'back', serviceLevelSeconds: 15, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail', overflowQueue: null, wrapUpSeconds: 30, postCallSurvey: false });
      const created = await call('PUT', '/api/queues/back-rma', 'supervisor1', { serviceLevelSeconds: 20, wrapUpSeconds: 60 });
      expect(created.status, created.text).to.equal(201);
      expect(created.body).to.deep.equal({ name: 'back-rma', desk: 'back', serviceLevelSeconds: 20, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail', overflowQueue: null, wrapUpSeconds: 60, postCallSurvey: false });

      const replaced = await call('PUT', '/api/queues/back-rma', 'admin1', { desk: 'middle', maxWaitSeconds: 1200, overflowAction: 'queue', overflowQueue: 'front-general', postCallSurvey: true });
      expect(replaced.status, replaced.text).to.equal(200);
      const stored = { name: 'back-rma', desk: 'middle', serviceLevelSeconds: 15, maxWaitSeconds: 1200, overflowAction: 'queue', overflowQueue: 'front-general', wrapUpSeconds: 30, postCallSurvey: true };
      expect(replaced.body).to.deep.equal(stored);
      expect(queues.get('back-rma')).to.deep.equal(stored);
      expect((await call('GET', '/api/queues', 'dispatcher1')).body.queues.map((q: Json) => q.name)).to.include('back-rma');
    });

    it('checks the overflow target: required for a queue overflow, another existing queue, no loop', async () => {
      const cases: [Json, string][] = [
        [{ overflowAction: 'queue' }, "overflowQueue: required when overflowAction is 'queue'"],
        [{ overflowAction: 'queue', overflowQueue: 'front-vip' }, 'overflowQueue: must name another queue'],
        [{ overflowAction: 'queue', overflowQueue: 'front-nowhere' }, 'overflowQueue: no queue named front-nowhere; configure it first'],
        [{ overflowAction: 'voicemail', overflowQueue: 'front-general' }, "overflowQueue: only used when overflowAction is 'queue'"],
      ];
      for (const [body, message] of cases) {
        const res = await call('PUT', '/api/queues/front-vip', 'supervisor1', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'invalid', message, details: [message] });
      }
      expect((await call('PUT', '/api/queues/front-vip', 'supervisor1', { overflowAction: 'queue', overflowQueue: 'front-general' })).status).to.equal(200);
      expect((await call('PUT', '/api/queues/front-general', 'supervisor1', { overflowAction: 'queue', overflowQueue: 'front-returns' })).status).to.equal(200);
      const loop = await call('PUT', '/api/queues/front-returns', 'supervisor1', { overflowAction: 'queue', overflowQueue: 'front-vip' });
      expect(loop.status).to.equal(400);
      expect(loop.body.message).to.equal('overflowQueue: front-vip overflows back to front-returns, so callers would go round in a loop');
      expect(queues.get('front-returns').overflowAction).to.equal('callback_or_voicemail');
      expect(queues.get('front-vip')).to.include({ serviceLevelSeconds: 15, overflowQueue: 'front-general' });
    });

    it('checks the ranges and the name, and lets only supervisors and admins change rules', async () => {
      const cases: [string, Json, string][] = [
        ['front-vip', { serviceLevelSeconds: 0 }, 'serviceLevelSeconds: at least 1'],
        ['front-vip', { serviceLevelSeconds: 301 }, 'serviceLevelSeconds: at most 300'],
        ['front-vip', { maxWaitSeconds: 29 }, 'maxWaitSeconds: at least 30'],
        ['front-vip', { maxWaitSeconds: 7201 }, 'maxWaitSeconds: at most 7200'],
        ['front-vip', { wrapUpSeconds: -1 }, 'wrapUpSeconds: at least 0'],
        ['front-vip', { wrapUpSeconds: 601 }, 'wrapUpSeconds: at most 600'],
        ['front-vip', { serviceLevelSeconds: 12.5 }, 'serviceLevelSeconds: a whole number of seconds'],
        ['front-vip', { serviceLevelSeconds: 60, maxWaitSeconds: 45 }, 'maxWaitSeconds: must not be shorter than serviceLevelSeconds'],
        ['Front VIP', {}, 'queue name: lower-case letters, digits and single hyphens, like front-vip'],
        ['front-vip', { priority: 1 }, 'Unrecognized key: "priority"'],
        ['front-vip', { postCallSurvey: 'yes' }, 'postCallSurvey: true or false'],
      ];
      for (const [name, body, message] of cases) {
        const res = await call('PUT', `/api/queues/${encodeURIComponent(name)}`, 'admin1', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.message).to.equal(message);
      }
      expect(queues.get('front-vip')).to.include({ serviceLevelSeconds: 10, maxWaitSeconds: 300 });
      for (const as of ['dispatcher1', 'lead1', 'agent1']) expect((await call('PUT', '/api/queues/front-vip', as, {})).status).to.equal(403);
    });
  });
});
