import { expect } from 'chai';
import { and, eq, gt } from 'drizzle-orm';
import { auditLog, callbackAttempts, customers, staff } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import type { NewCallbackRequest } from '../../src/outbound/callback-requests.repo';
import { startHotline, type Fixture } from '../support/hotline-fixture';

type Json = Record<string, any>;

// The fixture's clock: Monday 23 November 2026, 11:00 in Shanghai.
const NOW = new Date('2026-11-23T03:00:00Z');
const WANG_FANG = '+8613800138000'; // YT00000001, VIP

describe('callback list API (through the server)', () => {
  let f: Fixture;
  const tokens = new Map<string, string>();

  before(async () => {
    f = await startHotline();
  });
  after(async () => {
    await f.close();
  });
  // The audit trail is append-only (a trigger refuses DELETE): each test reads only the rows written after it began.
  let auditFloor = 0;
  beforeEach(() => {
    f.hotline.db.$client.exec('DELETE FROM callback_attempts; DELETE FROM callback_requests; DELETE FROM do_not_call');
    auditFloor = (f.hotline.db.$client.prepare('SELECT coalesce(max(id), 0) AS n FROM audit_log').get() as { n: number }).n;
    f.hotline.repos.callbacks.saveSetting('ivr', { mode: 'progressive', callingStartMinute: 540, callingEndMinute: 1260, maxAttempts: 4, retryMinutes: 10 }, NOW);
  });

  const call = async (method: string, path: string, as?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (as) {
      if (!tokens.has(as)) {
        const r = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: as, password: DEMO_PASSWORD }) });
        tokens.set(as, ((await r.json()) as Json).token);
      }
      headers.authorization = `Bearer ${tokens.get(as)}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(f.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const db = () => f.hotline.db;
  const staffId = (username: string) => db().select().from(staff).where(eq(staff.username, username)).get()!.id;
  const customerId = (account: string) => db().select().from(customers).where(eq(customers.accountNumber, account)).get()!.id;
  let n = 0;
  const add = (r: Partial<NewCallbackRequest> = {}) => f.hotline.repos.callbacks.add({ phone: `+86139${String(++n).padStart(8, '0')}`, reason: 'test', requestedAt: NOW, ...r })!;
  const ids = (r: { body: Json }) => (r.body.items as Json[]).map((i) => i.id);
  const audits = (action: string) => db().select().from(auditLog).where(and(eq(auditLog.action, action), gt(auditLog.id, auditFloor))).all();

  it('shows an agent their own items and the pools of their desks, not another desk’s or another agent’s', async () => {
    const frontPool = add({ desk: 'front', priority: 10 });
    const backPool = add({ desk: 'back', source: 'rma_status' });
    const mine = add({ desk: 'front', ownerId: staffId('agent2'), priority: 5 });
    const someoneElses = add({ desk: 'front', ownerId: staffId('agent4') });
    const middleOwned = add({ desk: 'middle', source: 'need_info', ownerId: staffId('agent5') });

    const agent2 = await call('GET', '/api/callbacks', 'agent2'); // front only
    expect(agent2.status).to.equal(200);
    expect(ids(agent2).sort()).to.deep.equal([frontPool, mine].sort());
    const agent3 = await call('GET', '/api/callbacks', 'agent3'); // front and back
    expect(ids(agent3).sort()).to.deep.equal([frontPool, backPool].sort());
    expect((await call('GET', `/api/callbacks/${backPool}`, 'agent2')).status).to.equal(403);
    expect((await call('GET', `/api/callbacks/${someoneElses}`, 'agent2')).status).to.equal(403);
    expect((await call('GET', `/api/callbacks/${middleOwned}`, 'agent5')).status).to.equal(200);
    expect((await call('GET', '/api/callbacks', 'qc1')).status).to.equal(403);
  });

  it('shows each item with its customer, local time, attempts and links; full numbers to those who call, masked to a team lead', async () => {
    const id = add({ customerId: customerId('YT00000001'), phone: WANG_FANG, desk: 'middle', source: 'need_info', priority: 40, question: '发票抬头是什么？', ownerId: staffId('agent5') });
    db().insert(callbackAttempts).values({ callbackId: id, agentId: staffId('agent5'), state: 'ended', result: 'busy', note: '忙音', createdAt: NOW }).run();
    const got = await call('GET', `/api/callbacks/${id}`, 'dispatcher1');
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.include({
      id,
      type: 'need_info',
      desk: 'middle',
      status: 'open',
      priority: 40,
      phone: WANG_FANG,
      timeZone: 'Asia/Shanghai',
      customerLocalTime: '2026-11-23 11:00',
      insideCallingHours: true,
      question: '发票抬头是什么？',
      answer: null,
      outcome: null,
      dueAt: NOW.toISOString(),
      eligibleAt: NOW.toISOString(),
    });
    expect(got.body.owner).to.deep.equal({ id: staffId('agent5'), name: '刘洋' });
    expect(got.body.customer).to.deep.equal({ id: customerId('YT00000001'), name: '王芳', tier: 'vip' });
    expect(got.body.attempts).to.have.length(1);
    expect(got.body.attempts[0]).to.deep.include({ result: 'busy', note: '忙音', at: NOW.toISOString(), agent: { id: staffId('agent5'), name: '刘洋' } });
    expect((await call('GET', `/api/callbacks/${id}`, 'lead1')).body.phone).to.equal('+86138****8000');
    expect((await call('GET', `/api/callbacks/${id}`, 'agent5')).body.phone).to.equal(WANG_FANG);
  });

  it('lets a dispatcher filter, page and see the list in dialing order', async () => {
    const low = add({ priority: 10, requestedAt: new Date(NOW.getTime() - 60_000) });
    const vip = add({ priority: 40, phone: WANG_FANG, customerId: customerId('YT00000001') });
    const later = add({ priority: 10 });
    const back = add({ desk: 'back', source: 'rma_status', priority: 20, ownerId: staffId('agent6') });
    const tomorrow = add({ priority: 30, dueAt: new Date('2026-11-24T02:00:00Z') });
    const closed = add({ priority: 10 });
    f.hotline.repos.callbacks.close(closed, 'reached', NOW);

    expect(ids(await call('GET', '/api/callbacks', 'dispatcher1'))).to.deep.equal([vip, tomorrow, back, low, later]);
    expect(ids(await call('GET', '/api/callbacks?type=rma_status', 'supervisor1'))).to.deep.equal([back]);
    expect(ids(await call('GET', '/api/callbacks?desk=front&owner=none', 'dispatcher1'))).to.deep.equal([vip, tomorrow, low, later]);
    expect(ids(await call('GET', `/api/callbacks?owner=${staffId('agent6')}`, 'dispatcher1'))).to.deep.equal([back]);
    expect(ids(await call('GET', `/api/callbacks?phone=${encodeURIComponent(WANG_FANG)}`, 'dispatcher1'))).to.deep.equal([vip]);
    expect(ids(await call('GET', `/api/callbacks?customerId=${customerId('YT00000001')}`, 'dispatcher1'))).to.deep.equal([vip]);
    expect(ids(await call('GET', '/api/callbacks?dueAfter=2026-11-23T12:00:00Z', 'dispatcher1'))).to.deep.equal([tomorrow]);
    expect(ids(await call('GET', '/api/callbacks?dueBefore=2026-11-23T12:00:00Z&desk=front', 'dispatcher1'))).to.deep.equal([vip, low, later]);
    expect(ids(await call('GET', '/api/callbacks?status=done', 'dispatcher1'))).to.deep.equal([closed]);
    expect(ids(await call('GET', '/api/callbacks?status=open,done', 'dispatcher1'))).to.have.length(6);
    const page1 = await call('GET', '/api/callbacks?limit=2', 'dispatcher1');
    expect(ids(page1)).to.deep.equal([vip, tomorrow]);
    expect(page1.body.nextOffset).to.equal(2);
    const page3 = await call('GET', '/api/callbacks?limit=2&offset=4', 'dispatcher1');
    expect(ids(page3)).to.deep.equal([later]);
    expect(page3.body.nextOffset).to.equal(null);

    const bad = await call('GET', '/api/callbacks?type=email&phone=123', 'dispatcher1');
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.include('type must be one or more of').and.include('phone must be an E.164 number');
  });

  it('reassigns (only to an active agent on the desk, with a reason, audited) and reschedules', async () => {
    const id = add({ desk: 'middle', source: 'need_info' });
    const noReason = await call('PATCH', `/api/callbacks/${id}`, 'dispatcher1', { ownerId: staffId('agent5') });
    expect(noReason.status).to.equal(400);
    expect(noReason.body.message).to.include('reason');
    const wrongDesk = await call('PATCH', `/api/callbacks/${id}`, 'dispatcher1', { ownerId: staffId('agent2'), reason: 'agent2 knows the case' });
    expect(wrongDesk.status).to.equal(400);
    expect(wrongDesk.body.message).to.equal(`ownerId: ${staffId('agent2')} is not an active agent on the middle desk`);

    const moved = await call('PATCH', `/api/callbacks/${id}`, 'dispatcher1', { ownerId: staffId('agent5'), priority: 30, reason: 'agent5 took the order' });
    expect(moved.status).to.equal(200);
    expect(moved.body).to.deep.include({ priority: 30, owner: { id: staffId('agent5'), name: '刘洋' } });
    const [audit] = audits('callback.changed');
    expect(audit).to.deep.include({ actorId: staffId('dispatcher1'), subjectType: 'callback', subjectId: String(id), reason: 'agent5 took the order' });
    expect(JSON.parse(audit.detail!)).to.deep.equal({
      before: { ownerId: null, dueAt: NOW.toISOString(), priority: 10 },
      after: { ownerId: staffId('agent5'), dueAt: NOW.toISOString(), priority: 30 },
    });

    // After hours in Shanghai: the place in line is the next morning's 09:00.
    const later = await call('PATCH', `/api/callbacks/${id}`, 'supervisor1', { dueAt: '2026-11-23T14:00:00Z', reason: 'customer is in a meeting' });
    expect(later.status).to.equal(200);
    expect(later.body).to.deep.include({ dueAt: '2026-11-23T14:00:00.000Z', eligibleAt: '2026-11-24T01:00:00.000Z' });
    const pool = await call('PATCH', `/api/callbacks/${id}`, 'dispatcher1', { ownerId: null, reason: 'agent5 is off sick' });
    expect(pool.body.owner).to.equal(null);
    expect(audits('callback.changed')).to.have.length(3);
  });

  it('lets an agent reschedule their own item without an audit, and nothing else', async () => {
    const mine = add({ ownerId: staffId('agent2') });
    const pool = add();
    const r = await call('PATCH', `/api/callbacks/${mine}`, 'agent2', { dueAt: '2026-11-23T07:00:00Z' }); // "call me at 3 pm"
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ dueAt: '2026-11-23T07:00:00.000Z', eligibleAt: '2026-11-23T07:00:00.000Z' });
    expect(audits('callback.changed')).to.deep.equal([]);
    expect((await call('PATCH', `/api/callbacks/${mine}`, 'agent2', { priority: 40 })).status).to.equal(403);
    expect((await call('PATCH', `/api/callbacks/${pool}`, 'agent2', { dueAt: '2026-11-23T07:00:00Z' })).status).to.equal(403);
    f.hotline.repos.callbacks.reserve(mine, staffId('agent2'), NOW);
    const busy = await call('PATCH', `/api/callbacks/${mine}`, 'agent2', { dueAt: '2026-11-23T08:00:00Z' });
    expect(busy.status).to.equal(409);
    expect(busy.body.message).to.include('being called now');
  });

  it('cancels with a reason (audited); a closed item cannot be cancelled again', async () => {
    const id = add();
    expect((await call('POST', `/api/callbacks/${id}/cancel`, 'dispatcher1', {})).status).to.equal(400);
    const r = await call('POST', `/api/callbacks/${id}/cancel`, 'dispatcher1', { reason: 'customer came to the store' });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ status: 'failed', outcome: 'cancelled', closedAt: NOW.toISOString() });
    expect(audits('callback.cancelled')[0]).to.deep.include({ subjectId: String(id), reason: 'customer came to the store' });
    expect((await call('POST', `/api/callbacks/${id}/cancel`, 'dispatcher1', { reason: 'again' })).status).to.equal(409);
    expect(f.hotline.repos.callbacks.nextFor(staffId('agent2'), ['front'], NOW)).to.equal(undefined);
  });

  it('adds a manual callback: an agent for themselves on their desk, a dispatcher for anyone (audited)', async () => {
    const own = await call('POST', '/api/callbacks', 'agent5', { customerId: customerId('YT00000001'), desk: 'middle', reason: '客户要求下午回电', dueAt: '2026-11-23T07:00:00Z' });
    expect(own.status).to.equal(201);
    expect(own.body).to.deep.include({ type: 'manual', desk: 'middle', phone: WANG_FANG, priority: 40, dueAt: '2026-11-23T07:00:00.000Z', owner: { id: staffId('agent5'), name: '刘洋' } });
    expect(audits('callback.added')).to.deep.equal([]);
    expect((await call('POST', '/api/callbacks', 'agent5', { phone: '+8613900000001', desk: 'back', reason: 'x' })).status).to.equal(403);
    const noPhone = await call('POST', '/api/callbacks', 'agent5', { desk: 'middle', reason: 'x' });
    expect(noPhone.status).to.equal(400);
    expect(noPhone.body.message).to.include('phone');

    const forAgent6 = await call('POST', '/api/callbacks', 'dispatcher1', { phone: '+8613900000002', desk: 'back', reason: '退款进度', ownerId: staffId('agent6'), note: 'escalated by e-mail' });
    expect(forAgent6.status).to.equal(201);
    expect(forAgent6.body).to.deep.include({ type: 'manual', timeZone: 'Asia/Shanghai', status: 'open' });
    expect(audits('callback.added')[0]).to.deep.include({ subjectId: String(forAgent6.body.id), reason: 'escalated by e-mail' });
  });

  it('puts a number on the do-not-call list (closing its waiting items), lists and removes it, all audited', async () => {
    const waiting = add({ phone: WANG_FANG });
    const other = add();
    const bad = await call('POST', '/api/do-not-call', 'supervisor1', { phone: '13800138000', reason: 'asked on the phone' });
    expect(bad.status).to.equal(400);
    expect(bad.body.message).to.include('E.164');
    const r = await call('POST', '/api/do-not-call', 'supervisor1', { phone: WANG_FANG, reason: 'asked on the phone' });
    expect(r.status).to.equal(201);
    expect(r.body).to.deep.include({ phone: WANG_FANG, added: true, closedCallbacks: [waiting], addedBy: staffId('supervisor1') });
    expect((await call('GET', `/api/callbacks/${waiting}`, 'dispatcher1')).body).to.deep.include({ status: 'failed', outcome: 'do_not_call' });
    expect((await call('GET', `/api/callbacks/${other}`, 'dispatcher1')).body.status).to.equal('open');
    expect((await call('POST', '/api/do-not-call', 'dispatcher1', { phone: WANG_FANG, reason: 'again' })).status).to.equal(200);
    const added = audits('do_not_call.added');
    expect(added).to.have.length(1);
    expect(added[0].subjectId).to.equal('+86138****8000');
    expect(added[0].detail).not.to.include(WANG_FANG);

    // A new request for the number is stored closed.
    expect(f.hotline.repos.callbacks.get(add({ phone: WANG_FANG }))).to.deep.include({ status: 'failed', outcome: 'do_not_call' });
    const list = await call('GET', '/api/do-not-call', 'admin1');
    expect(list.body.entries.map((e: Json) => e.phone)).to.deep.equal([WANG_FANG]);

    expect((await call('DELETE', `/api/do-not-call/${encodeURIComponent(WANG_FANG)}`, 'admin1')).status).to.equal(400);
    expect((await call('DELETE', `/api/do-not-call/${encodeURIComponent(WANG_FANG)}?reason=${encodeURIComponent('customer asked again to be called')}`, 'admin1')).status).to.equal(204);
    expect((await call('DELETE', `/api/do-not-call/${encodeURIComponent(WANG_FANG)}`, 'admin1', { reason: 'twice' })).status).to.equal(404);
    expect(audits('do_not_call.removed')[0]).to.deep.include({ reason: 'customer asked again to be called', actorId: staffId('admin1') });
    expect(f.hotline.repos.callbacks.isDoNotCall(WANG_FANG)).to.equal(false);
  });

  it('validates callback settings, and a change reaches the dialer’s picks in the same process at once', async () => {
    const list = await call('GET', '/api/callback-settings', 'dispatcher1');
    expect(list.body.find((s: Json) => s.type === 'ivr')).to.deep.equal({ type: 'ivr', mode: 'progressive', callingStart: '09:00', callingEnd: '21:00', maxAttempts: 4, retryMinutes: 10 });
    for (const [body, words] of [
      [{ callingStart: '9am' }, 'callingStart: a time of day HH:MM'],
      [{ callingStart: '21:00', callingEnd: '09:00' }, 'callingEnd: must be after callingStart (21:00)'],
      [{ maxAttempts: 0 }, 'maxAttempts must be 1 to 20'],
      [{ retryMinutes: 1.5 }, 'retryMinutes must be a whole number'],
      [{ mode: 'robocall' }, 'mode must be progressive or preview'],
      [{}, 'Nothing to change'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const r = await call('PATCH', '/api/callback-settings/ivr', 'supervisor1', body);
      expect(r.status, JSON.stringify(body)).to.equal(400);
      expect(r.body.message, JSON.stringify(body)).to.include(words);
    }
    expect((await call('PATCH', '/api/callback-settings/email', 'supervisor1', { mode: 'preview' })).status).to.equal(400);

    const id = add({ source: 'ivr' });
    const agent = staffId('agent2');
    expect(f.hotline.repos.callbacks.nextFor(agent, ['front'], NOW)!.id).to.equal(id);
    const r = await call('PATCH', '/api/callback-settings/ivr', 'admin1', { mode: 'preview', callingEnd: '20:30', retryMinutes: 15 });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ type: 'ivr', mode: 'preview', callingStart: '09:00', callingEnd: '20:30', maxAttempts: 4, retryMinutes: 15 });
    expect(f.hotline.repos.callbacks.nextFor(agent, ['front'], NOW)).to.equal(undefined);
    const changed = db().select().from(auditLog).where(and(eq(auditLog.action, 'callback_settings.changed'), eq(auditLog.subjectId, 'ivr'), gt(auditLog.id, auditFloor))).all();
    expect(changed).to.have.length(1);
    expect(JSON.parse(changed[0].detail!).after.mode).to.equal('preview');
  });
});
