import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { GroupCommit } from '../../src/db/group-commit';
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
    group = new GroupCommit(db.$client, (err) => errors.push(err));
  });
  afterEach(() => {
    other.close();
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (sid: string) => ({ sid, direction: 'inbound', from: '+8613700001111', to: '+864008008888', status: 'ringing', startedAt: new Date() });
  const seenByOthers = (sid: string) => other.prepare('select count(*) as n from calls where sid = ?').get(sid) as { n: number };
  const turn = () => new Promise((r) => setImmediate(r));

  it('runs the webhooks of one turn in one transaction and tells each only after the commit', async () => {
    const told: boolean[] = [];
    group.run(() => calls.insert(call('CA1')), (ok) => told.push(ok));
    group.run(() => calls.insert(call('CA2')), (ok) => told.push(ok));
    expect(db.$client.inTransaction).to.equal(true);
    expect(told).to.deep.equal([]);
    expect(seenByOthers('CA1').n).to.equal(0); // not committed yet: nobody else sees it
    await turn();
    expect(told).to.deep.equal([true, true]);
    expect(db.$client.inTransaction).to.equal(false);
    expect(seenByOthers('CA1').n + seenByOthers('CA2').n).to.equal(2);
  });

  it('a failing webhook rolls back only its own savepoint; the others commit', async () => {
    const transact = transactor(db);
    const told: boolean[] = [];
    expect(() =>
      group.run(
        () =>
          transact(() => {
            calls.insert(call('CA3'));
            throw new Error('flow bug');
          }),
        (ok) => told.push(ok),
      ),
    ).to.throw('flow bug');
    group.run(() => transact(() => calls.insert(call('CA4'))), (ok) => told.push(ok));
    await turn();
    expect(told).to.deep.equal([true, true]);
    expect(seenByOthers('CA3').n).to.equal(0);
    expect(seenByOthers('CA4').n).to.equal(1);
  });

  it('when the commit fails, every webhook of the turn learns it, nothing is kept, and the error is reported', async () => {
    const told: boolean[] = [];
    group.run(() => calls.insert(call('CA5')), (ok) => told.push(ok));
    group.run(() => {
      // A foreign key checked at COMMIT: the queue entry names a call that does not exist.
      db.$client.pragma('defer_foreign_keys = ON');
      db.$client.prepare("insert into queue_entries (call_sid, queue, desk, priority, status, enqueued_at) values ('CAnone', 'front-general', 'front', 10, 'waiting', 0)").run();
    }, (ok) => told.push(ok));
    await turn();
    expect(told).to.deep.equal([false, false]);
    expect(errors).to.have.length(1);
    expect(String(errors[0])).to.match(/FOREIGN KEY/);
    expect(db.$client.inTransaction).to.equal(false);
    expect(seenByOthers('CA5').n).to.equal(0);
    // The next turn works again.
    group.run(() => calls.insert(call('CA6')), (ok) => told.push(ok));
    await turn();
    expect(told).to.deep.equal([false, false, true]);
  });
});
