import { expect } from 'chai';
import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { STATEMENT_CACHE_SIZE, openDatabase, withStatementCache } from '../../src/db/client';
import { staff } from '../../src/db/schema/index';

describe('the statement cache drizzle prepares through', () => {
  let sqlite: Database.Database;
  beforeEach(() => {
    sqlite = new Database(':memory:');
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (\'a\'), (\'b\'), (\'c\')');
  });
  afterEach(() => sqlite.close());

  it('hands out one statement per SQL text, with raw mode reset', () => {
    const cached = withStatementCache(sqlite);
    const first = cached.prepare('SELECT id, v FROM t WHERE id = ?');
    expect(first.raw().get(2)).to.deep.equal([2, 'b']);
    const again = cached.prepare('SELECT id, v FROM t WHERE id = ?');
    expect(again).to.equal(first);
    expect(again.get(3)).to.deep.equal({ id: 3, v: 'c' });
    expect(cached.prepare('SELECT v FROM t')).to.not.equal(first);
  });

  it('never hands out a statement that is still iterating', () => {
    const cached = withStatementCache(sqlite);
    const outer = cached.prepare('SELECT id FROM t ORDER BY id');
    const seen: number[][] = [];
    for (const row of outer.iterate() as IterableIterator<{ id: number }>) {
      seen.push((cached.prepare('SELECT id FROM t ORDER BY id').all() as { id: number }[]).map((r) => r.id + row.id));
    }
    expect(seen).to.deep.equal([[2, 3, 4], [3, 4, 5], [4, 5, 6]]);
  });

  it('keeps at most STATEMENT_CACHE_SIZE statements, dropping the least recently used', () => {
    const cached = withStatementCache(sqlite);
    const kept = cached.prepare('SELECT 0');
    for (let i = 1; i <= STATEMENT_CACHE_SIZE; i++) {
      cached.prepare(`SELECT ${i}`);
      if (i === STATEMENT_CACHE_SIZE - 1) expect(cached.prepare('SELECT 0')).to.equal(kept);
    }
    expect(cached.prepare(`SELECT ${STATEMENT_CACHE_SIZE}`)).to.equal(cached.prepare(`SELECT ${STATEMENT_CACHE_SIZE}`));
    expect(cached.prepare('SELECT 1')).to.not.equal(cached.prepare('SELECT 2')); // 1 fell out, was prepared anew
  });

  it('runs drizzle queries of every shape through the cache, and leaves $client plain', () => {
    const db = openDatabase(':memory:');
    try {
      db.insert(staff).values({ username: 'cache-1', displayName: 'One', role: 'agent', passwordHash: 'x', createdAt: new Date() }).run();
      for (let i = 0; i < 3; i++) {
        expect(db.select({ u: staff.username }).from(staff).where(eq(staff.username, 'cache-1')).get()).to.deep.equal({ u: 'cache-1' });
        expect(db.all<{ username: string }>(sql`SELECT username FROM staff WHERE username = ${'cache-1'}`)).to.deep.equal([{ username: 'cache-1' }]);
        expect(db.select({ u: staff.username }).from(staff).where(eq(staff.username, 'cache-1')).all()).to.deep.equal([{ u: 'cache-1' }]);
      }
      expect(db.$client).to.be.instanceOf(Database);
    } finally {
      db.$client.close();
    }
  });
});
