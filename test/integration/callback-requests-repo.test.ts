import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { callbackRequests, customers, doNotCall, type CallbackType } from '../../src/db/schema/index';
import { CallbackRequestsRepo, type NewCallbackRequest } from '../../src/outbound/callback-requests.repo';

/** 14:00 in Shanghai and Urumqi's 12:00; 22:00 the day before in Los Angeles, 06:00 in London: both outside 09-21. */
const T0 = new Date('2026-11-30T06:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const AGENT = 7;
const OTHER_AGENT = 8;

describe('callback list repository (real SQLite)', () => {
  let db: Db;
  let repo: CallbackRequestsRepo;
  let phoneNo = 0;

  beforeEach(() => {
    db = openDatabase(':memory:');
    repo = new CallbackRequestsRepo(db, { timeZone: 'Asia/Urumqi' });
    phoneNo = 0;
  });
  afterEach(() => db.$client.close());

  const add = (r: Partial<NewCallbackRequest> = {}): number => {
    const id = repo.add({ phone: `+86139000${String(++phoneNo).padStart(5, '0')}`, reason: 'test', requestedAt: T0, timeZone: 'Asia/Shanghai', ...r });
    expect(id, 'added').to.be.a('number');
    return id!;
  };
  const row = (id: number) => repo.get(id)!;
  const customer = (timeZone: string) =>
    db.insert(customers).values({ accountNumber: `YT${Math.random().toString().slice(2, 10)}`, name: 'c', tier: 'new', timeZone, createdAt: T0 }).returning().get().id;

  describe('add', () => {
    it('fills the due time (now), its place in line, the time zone of the customer and the update time', () => {
      const id = add({ timeZone: undefined, customerId: customer('Asia/Shanghai'), source: 'need_info', desk: 'middle' });
      expect(row(id)).to.deep.include({ status: 'open', timeZone: 'Asia/Shanghai', source: 'need_info', attempts: 0, outcome: null });
      expect(row(id).dueAt.getTime()).to.equal(T0.getTime());
      expect(row(id).eligibleAt.getTime()).to.equal(T0.getTime());
      expect(row(id).updatedAt!.getTime()).to.equal(T0.getTime());
    });

    it('places an item due outside its calling hours at the next local 09:00; an unknown caller has the center’s time zone', () => {
      const la = add({ timeZone: undefined, customerId: customer('America/Los_Angeles') });
      expect(row(la).timeZone).to.equal('America/Los_Angeles');
      expect(row(la).eligibleAt.toISOString()).to.equal('2026-11-30T17:00:00.000Z'); // 09:00 PST
      const unknown = add({ timeZone: undefined, customerId: null, dueAt: new Date('2026-11-30T16:00:00Z') }); // 22:00 in Urumqi
      expect(row(unknown).timeZone).to.equal('Asia/Urumqi');
      expect(row(unknown).dueAt.toISOString()).to.equal('2026-11-30T16:00:00.000Z');
      expect(row(unknown).eligibleAt.toISOString()).to.equal('2026-12-01T03:00:00.000Z'); // 09:00 UTC+6
    });

    it('a virtual-hold callback keeps the time its caller waited: before a later request of the same priority', () => {
      const earlier = add({ source: 'ivr', priority: 20, requestedAt: at(-2) });
      const held = add({ source: 'queue', priority: 20, queueSeconds: 300 });
      expect(row(held).eligibleAt.getTime()).to.equal(at(-5).getTime());
      expect(repo.nextFor(AGENT, ['front'], T0)!.id).to.equal(held);
      expect(repo.reserve(held, AGENT, T0)).to.equal(true);
      expect(repo.nextFor(OTHER_AGENT, ['front'], T0)!.id).to.equal(earlier);
    });

    it('stores a do-not-call number closed at once, and a repeated dedupe key adds nothing', () => {
      db.insert(doNotCall).values({ phone: '+8613900099999', addedAt: T0 }).run();
      const id = add({ phone: '+8613900099999' });
      expect(row(id)).to.deep.include({ status: 'failed', outcome: 'do_not_call' });
      expect(row(id).closedAt!.getTime()).to.equal(T0.getTime());
      expect(repo.nextFor(AGENT, ['front'], T0)).to.equal(undefined);
      add({ dedupeKey: 'rma:1:refunded', source: 'rma_status', desk: 'back' });
      expect(repo.add({ phone: '+8613900000001', reason: 'again', requestedAt: T0, dedupeKey: 'rma:1:refunded' })).to.equal(undefined);
    });
  });

  describe('nextFor', () => {
    it('offers the agent’s own items before the pools, and only the pools of their desks', () => {
      const poolVip = add({ priority: 40 });
      const own = add({ priority: 10, ownerId: AGENT });
      add({ priority: 40, ownerId: OTHER_AGENT });
      add({ priority: 40, desk: 'back', source: 'rma_status' });
      expect(repo.nextFor(AGENT, ['front'], T0)!.id).to.equal(own);
      expect(repo.nextFor(OTHER_AGENT + 1, ['front'], T0)!.id).to.equal(poolVip);
      expect(repo.nextFor(OTHER_AGENT + 1, ['middle'], T0)).to.equal(undefined);
    });

    it('takes the highest priority first, then the place in line, across the agent’s desks; never an item not yet due', () => {
      const notYet = add({ priority: 40, dueAt: at(30) });
      const second = add({ priority: 20, desk: 'middle', source: 'need_info', requestedAt: at(-10) });
      const first = add({ priority: 30, desk: 'back', source: 'rma_status' });
      const third = add({ priority: 20, desk: 'back', source: 'rma_status', requestedAt: at(-5) });
      const order: number[] = [];
      for (;;) {
        const next = repo.nextFor(AGENT, ['front', 'middle', 'back'], T0);
        if (!next) break;
        order.push(next.id);
        expect(repo.reserve(next.id, AGENT, T0)).to.equal(true);
      }
      expect(order).to.deep.equal([first, second, third]);
      expect(row(notYet).status).to.equal('open');
      expect(repo.nextFor(AGENT, ['front'], at(30))!.id).to.equal(notYet);
    });

    it('skips a customer outside their calling hours and moves the item to their next window', () => {
      const london = add({ priority: 40, timeZone: 'Europe/London', dueAt: at(-60) });
      // Its stored place says "now" (the hours changed, or the item waited overnight): the pick finds it outside.
      db.update(callbackRequests).set({ eligibleAt: at(-60) }).where(eq(callbackRequests.id, london)).run();
      const shanghai = add({ priority: 10 });
      expect(repo.nextFor(AGENT, ['front'], T0)!.id).to.equal(shanghai);
      expect(row(london).eligibleAt.toISOString()).to.equal('2026-11-30T09:00:00.000Z'); // 09:00 GMT
      expect(row(london).status).to.equal('open');
      expect(repo.nextFor(AGENT, ['front'], new Date('2026-11-30T09:00:00Z'))!.id).to.equal(london);
    });

    it('the calling-window sweep moves every item whose window closed, per time zone and type, and nothing else', () => {
      const london = add({ priority: 40, timeZone: 'Europe/London', dueAt: at(-60) });
      const londonRma = add({ priority: 40, timeZone: 'Europe/London', dueAt: at(-60), source: 'rma_status', desk: 'back' });
      const londonLater = add({ priority: 40, timeZone: 'Europe/London', dueAt: new Date('2026-12-01T10:00:00Z') });
      const shanghai = add({ priority: 10, dueAt: at(-60) });
      const closed = add({ priority: 40, timeZone: 'Europe/London', dueAt: at(-60) });
      repo.close(closed, 'reached', T0);
      // Their stored places say "an hour ago", as for items that waited overnight.
      db.update(callbackRequests).set({ eligibleAt: at(-60) }).where(eq(callbackRequests.status, 'open')).run();
      db.update(callbackRequests).set({ eligibleAt: new Date('2026-12-01T10:00:00Z') }).where(eq(callbackRequests.id, londonLater)).run();
      expect(repo.moveClosedWindows(T0)).to.equal(2);
      expect(row(london).eligibleAt.toISOString()).to.equal('2026-11-30T09:00:00.000Z'); // 09:00 GMT
      expect(row(londonRma).eligibleAt.toISOString()).to.equal('2026-11-30T09:00:00.000Z');
      expect(row(londonLater).eligibleAt.toISOString()).to.equal('2026-12-01T10:00:00.000Z');
      expect(row(shanghai).eligibleAt.getTime()).to.equal(at(-60).getTime()); // inside its hours: its place stays
      expect(row(closed).status).to.equal('done');
      // The pick then only reads: nothing left to move.
      const changes = db.$client.prepare('SELECT total_changes()').pluck();
      const before = changes.get();
      expect(repo.nextFor(AGENT, ['front'], T0)!.id).to.equal(shanghai);
      expect(changes.get()).to.equal(before);
      expect(repo.moveClosedWindows(T0)).to.equal(0);
    });

    it('closes an item whose number went on the do-not-call list when it comes up, and offers the next', () => {
      const blocked = add({ priority: 40, phone: '+8613900011111' });
      const next = add({ priority: 10 });
      db.insert(doNotCall).values({ phone: '+8613900011111', addedAt: T0 }).run();
      expect(repo.nextFor(AGENT, ['front'], T0)!.id).to.equal(next);
      expect(row(blocked)).to.deep.include({ status: 'failed', outcome: 'do_not_call' });
    });

    it('never offers a preview type, and leaves its place in line alone; other repos on the connection see the change', () => {
      const preview = add({ priority: 40, desk: 'middle', source: 'need_info' });
      const own = add({ priority: 40, desk: 'middle', source: 'need_info', ownerId: AGENT });
      const progressive = add({ priority: 10, desk: 'middle', source: 'rma_status' });
      const dialer = new CallbackRequestsRepo(db);
      expect(dialer.nextFor(AGENT, ['middle'], T0)!.id).to.equal(own); // warms the dialer's cache and statements
      repo.saveSetting('need_info', { mode: 'preview' }, T0);
      const before = [row(preview).eligibleAt.getTime(), row(own).eligibleAt.getTime()];
      for (let i = 0; i < 3; i++) expect(dialer.nextFor(AGENT, ['middle'], T0)!.id).to.equal(progressive);
      expect([row(preview).eligibleAt.getTime(), row(own).eligibleAt.getTime()]).to.deep.equal(before);
      expect(dialer.reserve(progressive, AGENT, T0)).to.equal(true);
      expect(dialer.nextFor(AGENT, ['middle'], at(60 * 24))).to.equal(undefined);
      repo.saveSetting('need_info', { mode: 'progressive' }, T0);
      expect(dialer.nextFor(AGENT, ['middle'], T0)!.id).to.equal(own);
    });

    it('with a preview type on a desk, still takes the best of the other types in order; with every type in preview, nothing', () => {
      repo.saveSetting('ivr', { mode: 'preview' }, T0);
      const ivr = add({ source: 'ivr', priority: 40 });
      const queueLate = add({ source: 'queue', priority: 20 });
      const work = add({ source: 'work_order', priority: 20, requestedAt: at(-3) });
      const queueVip = add({ source: 'queue', priority: 30 });
      const order: number[] = [];
      for (let next = repo.nextFor(AGENT, ['front'], T0); next; next = repo.nextFor(AGENT, ['front'], T0)) {
        order.push(next.id);
        repo.reserve(next.id, AGENT, T0);
      }
      expect(order).to.deep.equal([queueVip, work, queueLate]);
      expect(row(ivr).status).to.equal('open');
      for (const id of order) repo.release(id, T0);
      for (const t of ['queue', 'work_order', 'need_info', 'rma_status'] as const) repo.saveSetting(t, { mode: 'preview' }, T0);
      expect(repo.nextFor(AGENT, ['front', 'middle', 'back'], T0)).to.equal(undefined);
    });

    it('sees settings changed by another process (another connection to the file)', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbacks-'));
      const a = openDatabase(path.join(dir, 'db.sqlite'));
      const b = openDatabase(path.join(dir, 'db.sqlite'));
      try {
        const web = new CallbackRequestsRepo(a);
        const worker = new CallbackRequestsRepo(b);
        const id = web.add({ phone: '+8613900000001', reason: 'x', requestedAt: T0, source: 'ivr' })!;
        expect(worker.nextFor(AGENT, ['front'], T0)!.id).to.equal(id);
        web.saveSetting('ivr', { mode: 'preview' }, T0);
        expect(worker.nextFor(AGENT, ['front'], T0)).to.equal(undefined);
        expect(worker.settings('ivr').mode).to.equal('preview');
      } finally {
        a.$client.close();
        b.$client.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('picks by index seeks (EXPLAIN QUERY PLAN shows no scan and no sort of the pool)', () => {
      add();
      repo.nextFor(AGENT, ['front'], T0);
      const plan = (q: string) => (db.$client.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
      const pool = plan(
        "select * from callback_requests where status = 'open' and desk = 'front' and owner_id is null and priority = 10 and eligible_at <= 0 order by eligible_at, id limit 1",
      );
      expect(pool).to.match(/SEARCH callback_requests USING INDEX callback_requests_pool/);
      expect(pool).not.to.match(/SCAN|TEMP B-TREE/);
      const top = plan("select priority from callback_requests where status = 'open' and desk = 'front' and owner_id is null and priority < 99 order by priority desc limit 1");
      expect(top).to.match(/SEARCH callback_requests USING COVERING INDEX callback_requests_pool/);
      expect(top).not.to.match(/SCAN|TEMP B-TREE/);
    });
  });

  describe('reserve, release and attempts', () => {
    it('reserves an item for one agent only; release puts it back in its place', () => {
      const a = add({ requestedAt: at(-3) });
      const b = add();
      expect(repo.reserve(a, AGENT, T0)).to.equal(true);
      expect(repo.reserve(a, OTHER_AGENT, T0)).to.equal(false);
      expect(row(a)).to.deep.include({ status: 'in_progress', reservedBy: AGENT });
      expect(repo.nextFor(OTHER_AGENT, ['front'], T0)!.id).to.equal(b);
      repo.release(a, at(1));
      expect(row(a)).to.deep.include({ status: 'open', reservedBy: null });
      expect(repo.nextFor(OTHER_AGENT, ['front'], at(1))!.id).to.equal(a);
    });

    it('retries after busy, no answer and a machine with a doubling wait, then closes at the maximum attempts', () => {
      repo.saveSetting('work_order', { retryMinutes: 10, maxAttempts: 4 }, T0);
      const id = add({ source: 'work_order' });
      const waits: number[] = [];
      let now = T0;
      for (const result of ['busy', 'no-answer', 'machine'] as const) {
        expect(repo.reserve(id, AGENT, now)).to.equal(true);
        expect(repo.attemptFinished(id, result, now)).to.equal('retry');
        const r = row(id);
        expect(r).to.deep.include({ status: 'open', reservedBy: null, lastResult: result });
        waits.push((r.dueAt.getTime() - now.getTime()) / 60_000);
        expect(r.eligibleAt.getTime()).to.equal(r.dueAt.getTime()); // inside Shanghai's hours
        now = r.dueAt;
      }
      expect(waits).to.deep.equal([10, 20, 40]);
      expect(row(id).attempts).to.equal(3);
      repo.reserve(id, AGENT, now);
      expect(repo.attemptFinished(id, 'failed', now)).to.equal('closed');
      expect(row(id)).to.deep.include({ status: 'failed', outcome: 'max_attempts', attempts: 4, reservedBy: null });
      expect(repo.attemptFinished(id, 'busy', now)).to.equal('unchanged');
    });

    it('a retry that falls after hours waits for the customer’s next window', () => {
      const id = add({ dueAt: new Date('2026-11-30T12:50:00Z') }); // 20:50 in Shanghai
      const now = new Date('2026-11-30T12:50:00Z');
      repo.reserve(id, AGENT, now);
      repo.attemptFinished(id, 'busy', now);
      expect(row(id).dueAt.toISOString()).to.equal('2026-11-30T13:00:00.000Z');
      expect(row(id).eligibleAt.toISOString()).to.equal('2026-12-01T01:00:00.000Z');
    });

    it('a wrong number closes at once; an answered call stays with the agent; a missed offer costs no attempt and keeps the place', () => {
      const wrong = add();
      repo.reserve(wrong, AGENT, T0);
      expect(repo.attemptFinished(wrong, 'wrong_number', T0)).to.equal('closed');
      expect(row(wrong)).to.deep.include({ status: 'failed', outcome: 'wrong_number', attempts: 1 });

      const answered = add();
      repo.reserve(answered, AGENT, T0);
      expect(repo.attemptFinished(answered, 'answered', T0)).to.equal('answered');
      expect(row(answered)).to.deep.include({ status: 'in_progress', reservedBy: AGENT, attempts: 1, lastResult: 'answered' });
      expect(repo.close(answered, 'reached', at(5), { answer: '地址已确认' })).to.equal(true);
      expect(row(answered)).to.deep.include({ status: 'done', outcome: 'reached', answer: '地址已确认', reservedBy: null });
      expect(repo.close(answered, 'cancelled', at(6))).to.equal(false);

      const missed = add({ requestedAt: at(-1) });
      const place = row(missed).eligibleAt.getTime();
      repo.reserve(missed, AGENT, T0);
      expect(repo.attemptFinished(missed, 'agent_missed', at(1))).to.equal('retry');
      expect(row(missed)).to.deep.include({ status: 'open', attempts: 0, lastResult: 'agent_missed' });
      expect(row(missed).eligibleAt.getTime()).to.equal(place);
    });
  });

  it('moves waiting items of a type to the new calling hours when they change', () => {
    const tomorrow = add({ source: 'ivr', dueAt: new Date('2026-11-30T14:00:00Z') }); // 22:00 → 09:00 tomorrow
    expect(row(tomorrow).eligibleAt.toISOString()).to.equal('2026-12-01T01:00:00.000Z');
    repo.saveSetting('ivr' as CallbackType, { callingEndMinute: 1380 }, T0); // until 23:00
    expect(row(tomorrow).eligibleAt.toISOString()).to.equal('2026-11-30T14:00:00.000Z');
  });
});
