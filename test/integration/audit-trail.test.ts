// The one audit trail: privileged actions (and refused attempts) through the real API land in audit_log with who,
// what, target, when, from where and outcome; the table refuses UPDATE and DELETE; supervisors read it with filters and CSV.
import Bull from 'bull';
import { expect } from 'chai';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { DEFAULT_SCORECARD } from '../../src/quality/scorecards';
import { auditPageSchema } from '../../src/http/audit.routes';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { insertHeldOrder } from '../support/office-records';

type Json = Record<string, any>;

describe('audit trail: one append-only record of privileged actions', () => {
  let f: Fixture;
  const tokens = new Map<string, string>();

  before(async () => {
    f = await startHotline();
  });
  after(async () => {
    await f.close();
  });

  const raw = async (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(f.base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  };
  const login = async (username: string, password = DEMO_PASSWORD) => raw('POST', '/api/auth/login', { body: { username, password } });
  const token = async (username: string) => {
    if (!tokens.has(username)) {
      const res = await login(username);
      expect(res.status, `login ${username}`).to.equal(200);
      tokens.set(username, ((await res.json()) as Json).token);
    }
    return tokens.get(username)!;
  };
  const call = async (as: string, method: string, path: string, body?: unknown) => {
    const res = await raw(method, path, { token: await token(as), body });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const staffId = (username: string) => (f.hotline.db.$client.prepare('SELECT id FROM staff WHERE username = ?').get(username) as { id: number }).id;
  /** The newest audit rows of an action, straight from the table. */
  const rows = (action: string) => f.hotline.db.$client.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC').all(action) as Json[];

  it('writes sign-ins, and refused sign-ins as denied with the address and no actor', async () => {
    expect((await login('supervisor1')).status).to.equal(200);
    expect((await login('supervisor1', 'wrong-password-1')).status).to.equal(401);
    expect((await login('nobody-here', 'wrong-password-1')).status).to.equal(401);
    const [unknown, wrong, ok] = rows('auth.signed_in');
    expect(ok).to.include({ actor_id: staffId('supervisor1'), subject_type: 'staff', subject_id: String(staffId('supervisor1')), outcome: 'success' });
    expect(ok.ip).to.match(/127\.0\.0\.1/);
    expect(wrong).to.include({ actor_id: null, subject_id: String(staffId('supervisor1')), outcome: 'denied' });
    expect(wrong.reason).to.be.a('string').and.not.empty;
    // An unknown username is not kept: it may be a password typed into the wrong field.
    expect(unknown).to.include({ actor_id: null, subject_id: 'unknown', outcome: 'denied' });
    expect(JSON.stringify(unknown)).not.to.include('nobody-here');
  });

  it('writes a wrong current password as a denied password change, and a sign-out', async () => {
    const t = ((await (await login('agent3')).json()) as Json).token as string;
    const res = await raw('POST', '/api/auth/password', { token: t, body: { currentPassword: 'not-my-password', newPassword: 'a-long-new-password-9' } });
    expect(res.status).to.equal(400);
    expect(rows('staff.password_changed')[0]).to.include({ actor_id: staffId('agent3'), outcome: 'denied', reason: 'wrong current password' });
    expect((await raw('POST', '/api/auth/logout', { token: t })).status).to.equal(204);
    expect(rows('auth.signed_out')[0]).to.include({ actor_id: staffId('agent3'), subject_id: String(staffId('agent3')), outcome: 'success' });
  });

  it('writes configuration changes: queue settings, agent desks, staff, scorecards, callback settings', async () => {
    expect((await call('supervisor1', 'PUT', '/api/queues/front-general', { serviceLevelSeconds: 25 })).status).to.be.oneOf([200, 201]);
    const queue = rows('queue_settings.changed')[0] ?? rows('queue_settings.created')[0];
    expect(queue).to.include({ actor_id: staffId('supervisor1'), subject_type: 'queue', subject_id: 'front-general', outcome: 'success' });
    expect(JSON.parse(queue.detail).after.serviceLevelSeconds).to.equal(25);

    expect((await call('dispatcher1', 'PUT', `/api/agents/${staffId('agent6')}/desks`, { desks: [{ desk: 'back', skill: 5 }] })).status).to.equal(200);
    expect(JSON.parse(rows('agent.desks_changed')[0].detail).to).to.deep.equal([{ desk: 'back', skill: 5 }]);

    const made = await call('admin1', 'POST', '/api/staff', { username: 'audit-probe', displayName: 'Probe', role: 'quality_controller', password: 'probe-password-1' });
    expect(made.status).to.equal(201);
    expect(rows('staff.created')[0]).to.include({ actor_id: staffId('admin1'), subject_id: String(made.body.id) });
    expect((await call('admin1', 'PATCH', `/api/staff/${made.body.id}`, { role: 'supervisor', displayName: 'Probe Two' })).status).to.equal(200);
    expect(JSON.parse(rows('staff.role_changed')[0].detail)).to.deep.equal({ from: 'quality_controller', to: 'supervisor' });
    expect(JSON.parse(rows('staff.changed')[0].detail)).to.deep.equal({ displayName: { from: 'Probe', to: 'Probe Two' } });

    const card = await call('supervisor1', 'POST', '/api/scorecards', {
      name: 'audit probe card',
      definition: DEFAULT_SCORECARD,
    });
    expect(card.status, JSON.stringify(card.body)).to.equal(201);
    expect(rows('scorecard.created')[0]).to.include({ actor_id: staffId('supervisor1'), subject_type: 'scorecard', subject_id: String(card.body.id) });

    expect((await call('supervisor1', 'PATCH', '/api/callback-settings/queue', { retryMinutes: 15 })).status).to.equal(200);
    expect(rows('callback_settings.changed')[0]).to.include({ actor_id: staffId('supervisor1'), outcome: 'success' });
  });

  it('writes a signed-in person refused by a role as denied, with the route pattern as target', async () => {
    expect((await call('agent1', 'GET', '/api/audit')).status).to.equal(403);
    expect((await call('agent1', 'PUT', `/api/agents/${staffId('agent2')}/desks`, { desks: [{ desk: 'front', skill: 1 }] })).status).to.equal(403);
    const [desks, audit] = rows('api.access_denied');
    expect(audit).to.include({ actor_id: staffId('agent1'), subject_type: 'route', subject_id: 'GET /api/audit', outcome: 'denied' });
    expect(desks.subject_id).to.equal('PUT /api/agents/:id/desks');
  });

  it('writes every use of an integration key, and refused keys as denied without the secret', async () => {
    const key = await call('admin1', 'POST', '/api/integration-keys', { name: 'audit probe' });
    expect(key.status).to.equal(201);
    const res = await raw('POST', '/api/intake/orders', { headers: { 'x-integration-key': key.body.key }, body: { records: [] } });
    expect(res.status).to.equal(422);
    const used = rows('integration_key.used')[0];
    expect(used).to.include({ actor_id: null, subject_id: String(key.body.id), outcome: 'failed' });
    const forged = `ik_${'x'.repeat(43)}`;
    expect((await raw('POST', '/api/intake/orders', { headers: { 'x-integration-key': forged }, body: {} })).status).to.equal(401);
    const denied = rows('integration_key.used')[0];
    expect(denied).to.include({ outcome: 'denied', reason: 'Unknown integration key' });
    expect(JSON.stringify(denied)).not.to.include(forged);
    expect(JSON.stringify(used)).not.to.include(key.body.key);
  });

  it('refuses UPDATE and DELETE on audit_log (append-only), and a made-up outcome', () => {
    const sql = f.hotline.db.$client;
    expect(() => sql.prepare("UPDATE audit_log SET outcome = 'success' WHERE outcome = 'denied'").run()).to.throw(/append-only/);
    expect(() => sql.prepare('DELETE FROM audit_log').run()).to.throw(/append-only/);
    expect(() => sql.prepare("INSERT INTO audit_log (at, action, subject_type, subject_id, outcome) VALUES (1, 'x', 'y', 'z', 'maybe')").run()).to.throw(/outcome/);
    expect((sql.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).to.be.greaterThan(5);
  });

  it('writes refused dispatch actions, forced states and monitoring attempts as denied, with why; a role refusal once, as api.access_denied', async () => {
    const agent4 = staffId('agent4');
    const before = (action: string) => rows(action).length;
    const endBreaks = before('agent.end-break');
    const res = await call('dispatcher1', 'POST', `/api/floor/agents/${agent4}/end-break`, { reason: 'back to the phones' });
    expect(res.status).to.equal(409);
    expect(rows('agent.end-break')).to.have.length(endBreaks + 1);
    const refused = rows('agent.end-break')[0];
    expect(refused).to.include({ actor_id: staffId('dispatcher1'), subject_type: 'agent', subject_id: String(agent4), outcome: 'denied', reason: 'back to the phones' });
    expect(refused.ip).to.match(/127\.0\.0\.1/);
    expect(JSON.parse(refused.detail).refusal).to.equal(res.body.message);

    expect((await call('dispatcher1', 'POST', `/api/floor/calls/CA${'0'.repeat(32)}/priority`, { priority: 30, reason: 'vip' })).status).to.equal(404);
    expect(rows('call.priority')[0]).to.include({ subject_type: 'call', outcome: 'denied' });
    expect((await call('supervisor1', 'POST', '/api/interactions/424242/force-end', { reason: 'stuck record' })).status).to.equal(404);
    expect(rows('interaction.force-end')[0]).to.include({ actor_id: staffId('supervisor1'), subject_id: '424242', outcome: 'denied', reason: 'stuck record' });
    const monitor = await call('qc1', 'POST', `/api/calls/live/${agent4}/monitor`, { mode: 'listen', reason: 'coaching' });
    expect(monitor.status).to.equal(409);
    expect(rows('monitor.started')[0]).to.include({ actor_id: staffId('qc1'), subject_type: 'agent', subject_id: String(agent4), outcome: 'denied', reason: 'coaching' });
    expect(JSON.parse(rows('monitor.started')[0].detail)).to.include({ mode: 'listen' });

    // Allowed and done: one row, success (not a second one for the attempt).
    expect((await call('agent4', 'PUT', '/api/agents/me/state', { state: 'break', reason: 'lunch' })).status).to.equal(200);
    const n = before('agent.end-break');
    expect((await call('dispatcher1', 'POST', `/api/floor/agents/${agent4}/end-break`, { reason: 'queue is long' })).status).to.equal(204);
    expect(rows('agent.end-break')).to.have.length(n + 1);
    expect(rows('agent.end-break')[0]).to.include({ outcome: 'success', reason: 'queue is long' });
  });

  it('writes the office\'s decisions: an order approved over its checklist, an order cancelled, an RMA rejected', async () => {
    insertHeldOrder(f.hotline.db, { number: 'AUDIT-ORDER-1', heldAt: f.clock.now() });
    insertHeldOrder(f.hotline.db, { number: 'AUDIT-ORDER-2', heldAt: f.clock.now() });
    for (const n of ['AUDIT-ORDER-1', 'AUDIT-ORDER-2']) expect((await call('agent5', 'POST', `/api/orders/${n}/claim`)).status).to.equal(200);
    const approved = await call('agent5', 'POST', '/api/orders/AUDIT-ORDER-1/approve', { override: true, note: 'paid in the shop, confirmed by phone' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const a = rows('order.approved')[0];
    expect(a).to.include({ actor_id: staffId('agent5'), subject_type: 'order', subject_id: 'AUDIT-ORDER-1', outcome: 'success', reason: 'paid in the shop, confirmed by phone' });
    expect(a.ip).to.match(/127\.0\.0\.1/);
    expect(JSON.parse(a.detail)).to.include({ override: true, to: 'confirmed' });
    expect((await call('agent5', 'POST', '/api/orders/AUDIT-ORDER-2/cancel', { reason: 'customer withdrew the order' })).status).to.equal(200);
    expect(rows('order.cancelled')[0]).to.include({ subject_id: 'AUDIT-ORDER-2', reason: 'customer withdrew the order' });

    const list = await call('agent3', 'GET', '/api/rmas/review');
    expect(list.status, JSON.stringify(list.body)).to.equal(200);
    const number = list.body.items[0].number as string;
    expect((await call('agent3', 'POST', `/api/rmas/${number}/claim`)).status).to.equal(200);
    const rejected = await call('agent3', 'POST', `/api/rmas/${number}/reject`, { reason: 'bought more than 30 days ago' });
    expect(rejected.status, JSON.stringify(rejected.body)).to.equal(200);
    expect(rows('rma.rejected')[0]).to.include({ actor_id: staffId('agent3'), subject_type: 'rma', subject_id: number, reason: 'bought more than 30 days ago', outcome: 'success' });
  });

  it('writes alert threshold changes with before and after', async () => {
    const res = await call('supervisor1', 'PUT', '/api/alerts/settings', { longest_wait: { raiseAt: 95, clearAt: 70 } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const row = rows('alert_settings.changed')[0];
    expect(row).to.include({ actor_id: staffId('supervisor1'), subject_type: 'alert_setting', subject_id: 'longest_wait', outcome: 'success' });
    expect(row.ip).to.match(/127\.0\.0\.1/);
    expect(JSON.parse(row.detail).to).to.include({ raiseAt: 95, clearAt: 70 });
  });

  it('writes each softphone token issued (a carrier credential) with its identity, never the token', async () => {
    const res = await call('agent2', 'GET', '/api/voice/token');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const row = rows('voice.token_issued')[0];
    expect(row).to.include({ actor_id: staffId('agent2'), subject_type: 'softphone', subject_id: res.body.identity, outcome: 'success' });
    expect(row.ip).to.match(/127\.0\.0\.1/);
    expect(JSON.parse(row.detail)).to.include({ expiresAt: res.body.expiresAt });
    expect(JSON.stringify(row)).not.to.include(res.body.token);
  });

  describe('the bull dashboard (/admin/queues): sessions opened and every change made through it', function () {
    this.timeout(20_000);
    const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const name = `audit-probe-${process.pid}-${Date.now().toString(36)}`;
    let queue: Bull.Queue;
    before(async () => {
      queue = new Bull(name, REDIS_URL, { prefix: `hotline-test-audit-${process.pid}` });
      await queue.isReady();
      f.hotline.setJobQueues([queue]);
    });
    after(async () => {
      f.hotline.setJobQueues([]);
      await queue.obliterate({ force: true });
      await queue.close();
    });
    const dashboard = async (as: string, method: string, path: string) => (await raw(method, `/admin/queues${path}`, { token: await token(as) })).status;
    const ticketFor = async (as: string) => ((await call(as, 'POST', '/api/auth/ws-ticket')).body as Json).ticket as string;

    it('writes a session opened with a ticket, and a refused one as denied', async () => {
      expect((await fetch(`${f.base}/admin/queues/login?ticket=${await ticketFor('admin1')}`, { redirect: 'manual' })).status).to.equal(303);
      expect(rows('queue_dashboard.opened')[0]).to.include({ actor_id: staffId('admin1'), subject_type: 'queue_dashboard', outcome: 'success' });
      const refused = await fetch(`${f.base}/admin/queues/login?ticket=${await ticketFor('supervisor1')}`, { redirect: 'manual' });
      expect(refused.status).to.equal(403);
      expect(rows('queue_dashboard.opened')[0]).to.include({ actor_id: staffId('supervisor1'), outcome: 'denied' });
      // With the bearer header: the first read opens a session (written once), the next reads within it are not.
      const opened = rows('queue_dashboard.opened').length;
      expect(await dashboard('admin1', 'GET', '/api/queues')).to.equal(200);
      expect(await dashboard('admin1', 'GET', '/api/queues')).to.equal(200);
      expect(rows('queue_dashboard.opened')).to.have.length(opened + 1);
      expect(JSON.parse(rows('queue_dashboard.opened')[0].detail)).to.include({ via: 'bearer' });
      // A non-admin's read is refused and written as denied.
      expect(await dashboard('supervisor1', 'GET', '/')).to.equal(403);
      expect(rows('queue_dashboard.opened')[0]).to.include({ actor_id: staffId('supervisor1'), outcome: 'denied' });
    });

    it('writes each change (pause, resume, promote a job) with its queue, operation and outcome; reading writes nothing', async () => {
      const before = rows('queue_dashboard.action').length;
      expect(await dashboard('admin1', 'GET', `/api/queues?activeQueue=${name}&status=latest`)).to.equal(200);
      expect(rows('queue_dashboard.action').length, 'a read is not a change').to.equal(before);

      expect(await dashboard('admin1', 'PUT', `/api/queues/${encodeURIComponent(name)}/pause`)).to.equal(200);
      expect(await queue.isPaused()).to.equal(true);
      const paused = rows('queue_dashboard.action')[0];
      expect(paused).to.include({ actor_id: staffId('admin1'), subject_type: 'job_queue', subject_id: name, outcome: 'success' });
      expect(paused.ip).to.match(/127\.0\.0\.1/);
      expect(JSON.parse(paused.detail)).to.deep.include({ operation: 'pause', method: 'PUT', status: 200 });
      expect(await dashboard('admin1', 'PUT', `/api/queues/${encodeURIComponent(name)}/resume`)).to.equal(200);
      expect(JSON.parse(rows('queue_dashboard.action')[0].detail)).to.include({ operation: 'resume' });

      const job = await queue.add({ probe: true }, { delay: 3_600_000 });
      expect(await dashboard('admin1', 'PUT', `/api/queues/${encodeURIComponent(name)}/${job.id}/promote`)).to.equal(204);
      expect(await (await queue.getJob(job.id))!.getState()).to.equal('waiting');
      expect(JSON.parse(rows('queue_dashboard.action')[0].detail)).to.include({ operation: 'promote', jobId: String(job.id) });

      // A job that is not there: bull-board refuses, and the row says it failed.
      expect(await dashboard('admin1', 'PUT', `/api/queues/${encodeURIComponent(name)}/999999/promote`)).to.equal(404);
      expect(rows('queue_dashboard.action')[0]).to.include({ outcome: 'failed' });

      // Someone else's change is refused before it reaches the dashboard, and written down as denied.
      expect(await dashboard('supervisor1', 'PUT', `/api/queues/${encodeURIComponent(name)}/pause`)).to.equal(403);
      expect(await queue.isPaused()).to.equal(false);
      expect(rows('queue_dashboard.action')[0]).to.include({ actor_id: staffId('supervisor1'), subject_id: name, outcome: 'denied' });
    });
  });

  it('has the client address on every row a signed-in person caused through the API (all the actions above)', () => {
    const sql = f.hotline.db.$client;
    const total = (sql.prepare('SELECT count(*) AS n FROM audit_log WHERE actor_id IS NOT NULL').get() as { n: number }).n;
    expect(total).to.be.greaterThan(30);
    expect(sql.prepare('SELECT action, id FROM audit_log WHERE actor_id IS NOT NULL AND ip IS NULL').all()).to.deep.equal([]);
    expect(sql.prepare("SELECT DISTINCT outcome FROM audit_log ORDER BY outcome").all().map((r) => (r as { outcome: string }).outcome)).to.deep.equal(['denied', 'failed', 'success']);
  });

  describe('GET /api/audit', () => {
    it('filters by actor, action prefix, subject, outcome and time, and answers in the documented shape', async () => {
      const sup = staffId('supervisor1');
      const byPrefix = await call('supervisor1', 'GET', '/api/audit?actionPrefix=staff.');
      expect(byPrefix.status).to.equal(200);
      const page = auditPageSchema.parse(byPrefix.body);
      expect(page.entries.length).to.be.at.least(3);
      expect(page.entries.every((e) => e.action.startsWith('staff.'))).to.equal(true);

      const denied = auditPageSchema.parse((await call('admin1', 'GET', '/api/audit?outcome=denied&actionPrefix=auth.')).body);
      expect(denied.entries.length).to.be.at.least(2);
      expect(denied.entries.every((e) => e.outcome === 'denied' && e.action === 'auth.signed_in')).to.equal(true);

      const mine = auditPageSchema.parse((await call('supervisor1', 'GET', `/api/audit?actorId=${sup}&subjectType=queue&subjectId=front-general`)).body);
      expect(mine.entries.map((e) => e.action)).to.include('queue_settings.changed');
      expect(mine.entries.every((e) => e.actorId === sup)).to.equal(true);

      const future = auditPageSchema.parse((await call('supervisor1', 'GET', '/api/audit?from=2099-01-01T00:00:00Z')).body);
      expect(future.entries).to.deep.equal([]);
      const past = auditPageSchema.parse((await call('supervisor1', 'GET', '/api/audit?to=2000-01-01T00:00:00Z')).body);
      expect(past.entries).to.deep.equal([]);
    });

    it('refuses bad filters with 400 and a message', async () => {
      const res = await call('supervisor1', 'GET', '/api/audit?outcome=maybe');
      expect(res.status).to.equal(400);
      expect(res.body).to.include({ error: 'invalid' });
      expect(res.body.message).to.match(/outcome must be one of success, denied, failed/);
    });

    it('exports CSV with the same filters (format=csv)', async () => {
      const res = await raw('GET', '/api/audit?format=csv&outcome=denied', { token: await token('supervisor1') });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/csv/);
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="?audit\.csv"?$/);
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).to.equal('id,at,actorId,action,subjectType,subjectId,outcome,reason,ip,detail');
      expect(lines.length - 1).to.equal(Number(res.headers.get('x-audit-rows')));
      expect(lines.length).to.be.at.least(4);
      expect(lines.slice(1).every((l) => l.includes(',denied,'))).to.equal(true);
    });
  });
});
