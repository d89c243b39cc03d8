import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { GroupCommit, type GroupOutcome } from '../../src/db/group-commit';
import { CallsRepo } from '../../src/calls/calls.repo';

describe('group commit (real SQLite file)', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  let calls: CallsRepo;
  let errors: unknown[];
  let group: GroupCommit;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-gc-'));
    db = openDatabase(path.join(dir, 'h.sqlite'));
    other = new Database(path.join(dir, 'h.sqlite'), { readonly: true });
    calls = new CallsRepo(db);
    errors = [];
    // No time bound here (a loaded machine must not split these tests' groups): the bound has its own test.
    group = new GroupCommit(db.$client, (err) => errors.push(err), { maxGroupMs: Infinity });
  });
  afterEach(() => {
    other.close();
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (sid: string) => ({ sid, direction: 'inbound', from: '+8613700001111', to: '+864008008888', status: 'ringing', startedAt: new Date() });
  const seenByOthers = (sid: string) => other.prepare('select count(*) as n from calls where sid = ?').get(sid) as { n: number };
  const turn = () => new Promise((r) => setImmediate(r));

  const ok = (o: GroupOutcome<unknown>) => o.committed;

  it('runs the webhooks of one turn in one transaction and tells each only after the commit', async () => {
    const told: boolean[] = [];
    group.run(() => calls.insert(call('CA1')), (o) => told.push(ok(o)));
    group.run(() => calls.insert(call('CA2')), (o) => told.push(ok(o)));
    expect(db.$client.inTransaction).to.equal(true);
    expect(told).to.deep.equal([]);
    expect(seenByOthers('CA1').n).to.equal(0); // not committed yet: nobody else sees it
    await turn();
    expect(told).to.deep.equal([true, true]);
    expect(db.$client.inTransaction).to.equal(false);
    expect(seenByOthers('CA1').n + seenByOthers('CA2').n).to.equal(2);
  });

  it('a failing webhook rolls back only its own savepoint; the others commit', async () => {
    const transact = transactor(db, group);
    const told: boolean[] = [];
    expect(() =>
      group.run(
        () =>
          transact(() => {
            calls.insert(call('CA3'));
            throw new Error('flow bug');
          }),
        (o) => told.push(ok(o)),
      ),
    ).to.throw('flow bug');
    group.run(() => transact(() => calls.insert(call('CA4'))), (o) => told.push(ok(o)));
    await turn();
    expect(told).to.deep.equal([true]);
    expect(seenByOthers('CA3').n).to.equal(0);
    expect(seenByOthers('CA4').n).to.equal(1);
  });

  /** A webhook whose write is refused only at COMMIT: a queue entry naming a call that does not exist, foreign keys deferred. */
  const poison = () => {
    db.$client.pragma('defer_foreign_keys = ON');
    db.$client.prepare("insert into queue_entries (call_sid, queue, desk, priority, status, enqueued_at) values ('CAnone', 'front-general', 'front', 10, 'waiting', 0)").run();
    return 'poison';
  };

  it('when the commit fails, each webhook is retried once alone: only the culprit is lost, the others commit with their answer', async () => {
    const told: GroupOutcome<unknown>[] = [];
    let runs = 0;
    group.run(() => {
      runs++;
      calls.insert(call('CA5'));
      return 'twiml-5';
    }, (o) => told.push(o));
    group.run(poison, (o) => told.push(o));
    group.run(() => calls.insert(call('CA6')) && 'twiml-6', (o) => told.push(o));
    await turn();
    expect(told).to.deep.equal([{ committed: true, value: 'twiml-5' }, { committed: false }, { committed: true, value: 'twiml-6' }]);
    expect(runs).to.equal(2); // the group's run and the retry alone
    expect(errors).to.have.length(2); // the group's commit, then the culprit's own
    expect(String(errors[0])).to.match(/FOREIGN KEY/);
    expect(db.$client.inTransaction).to.equal(false);
    expect(seenByOthers('CA5').n + seenByOthers('CA6').n).to.equal(2);
    // The next turn works as a group again.
    group.run(() => calls.insert(call('CA7')), (o) => told.push(o));
    await turn();
    expect(told[3]).to.deep.equal({ committed: true, value: true });
  });

  it('an API write during an open group does not join it: the group commits first, and the API write is on disk before it answers', async () => {
    const transact = transactor(db, group);
    const told: GroupOutcome<unknown>[] = [];
    group.run(poison, (o) => told.push(o));
    group.run(() => calls.insert(call('CA8')) && 'twiml-8', (o) => told.push(o));
    // The API handler runs in the same turn, before the group's own commit.
    const apiResult = transact(() => calls.insert(call('CA9')));
    expect(apiResult).to.equal(true);
    expect(db.$client.inTransaction).to.equal(false);
    expect(seenByOthers('CA9').n, 'committed when the API handler returns, so a 2xx is true').to.equal(1);
    // The webhooks learnt their fate when the group was committed early; the culprit alone is lost.
    expect(told).to.deep.equal([{ committed: false }, { committed: true, value: 'twiml-8' }]);
    expect(seenByOthers('CA8').n).to.equal(1);
    await turn();
    expect(told).to.have.length(2);
  });

  it('an API write whose own transaction fails throws (so the API answers an error, never a 2xx), and the webhooks still commit', async () => {
    const transact = transactor(db, group);
    const told: GroupOutcome<unknown>[] = [];
    group.run(() => calls.insert(call('CA10')) && 'twiml-10', (o) => told.push(o));
    expect(() =>
      transact(() => {
        calls.insert(call('CA11'));
        throw new Error('constraint');
      }),
    ).to.throw('constraint');
    await turn();
    expect(told).to.deep.equal([{ committed: true, value: 'twiml-10' }]);
    expect(seenByOthers('CA11').n).to.equal(0);
  });

  it('a group whose work has taken maxGroupMs is committed at once, and the rest of the turn opens another', async () => {
    let ms = 0;
    const bounded = new GroupCommit(db.$client, (err) => errors.push(err), { maxGroupMs: 4, now: () => ms });
    const told: string[] = [];
    const webhook = (sid: string, workMs: number) =>
      bounded.run(
        () => {
          calls.insert(call(sid));
          ms += workMs;
        },
        (o) => told.push(`${sid}:${o.committed}`),
      );
    webhook('CB1', 1);
    webhook('CB2', 1);
    expect(told).to.deep.equal([]); // 2 ms of work: the group stays open
    webhook('CB3', 2);
    // 4 ms: committed and answered before the turn ends, on disk for everyone
    expect(told).to.deep.equal(['CB1:true', 'CB2:true', 'CB3:true']);
    expect(seenByOthers('CB3').n).to.equal(1);
    expect(db.$client.inTransaction).to.equal(false);
    webhook('CB4', 1);
    expect(db.$client.inTransaction).to.equal(true); // a new group for the rest of the turn
    expect(seenByOthers('CB4').n).to.equal(0);
    await turn();
    expect(told).to.deep.equal(['CB1:true', 'CB2:true', 'CB3:true', 'CB4:true']);
    expect(seenByOthers('CB4').n).to.equal(1);
    expect(errors).to.deep.equal([]);
  });

  it('a webhook run inside another webhook\'s work never commits the group under it', async () => {
    const bounded = new GroupCommit(db.$client, (err) => errors.push(err), { maxGroupMs: 0 });
    const told: string[] = [];
    bounded.run(
      () => {
        calls.insert(call('CB5'));
        bounded.run(() => calls.insert(call('CB6')), (o) => told.push(`CB6:${o.committed}`));
        expect(db.$client.inTransaction).to.equal(true); // still the outer webhook's group
        calls.insert(call('CB7'));
      },
      (o) => told.push(`CB5:${o.committed}`),
    );
    // The outer one ended past the bound: the group (with all three rows) is committed now.
    expect(told).to.deep.equal(['CB6:true', 'CB5:true']);
    expect(seenByOthers('CB5').n + seenByOthers('CB6').n + seenByOthers('CB7').n).to.equal(3);
    await turn();
  });
});
