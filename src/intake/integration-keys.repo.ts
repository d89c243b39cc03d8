// Reads and writes the order system's integration keys (drizzle only): only their sha256 is ever stored.
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { integrationKeys } from '../db/schema/index';

export type IntegrationKeyRow = typeof integrationKeys.$inferSelect;

export class IntegrationKeysRepo {
  private readonly byHashQuery;

  constructor(private readonly db: Db) {
    this.byHashQuery = db.select().from(integrationKeys).where(eq(integrationKeys.keyHash, sql.placeholder('hash'))).prepare();
  }

  insert(k: Omit<typeof integrationKeys.$inferInsert, 'id'>): IntegrationKeyRow {
    return this.db.insert(integrationKeys).values(k).returning().get();
  }

  byHash(keyHash: string): IntegrationKeyRow | undefined {
    return this.byHashQuery.get({ hash: keyHash });
  }

  get(id: number): IntegrationKeyRow | undefined {
    return this.db.select().from(integrationKeys).where(eq(integrationKeys.id, id)).get();
  }

  /** Newest first. */
  list(): IntegrationKeyRow[] {
    return this.db.select().from(integrationKeys).orderBy(desc(integrationKeys.id)).all();
  }

  revoke(id: number, at: Date): void {
    this.db.update(integrationKeys).set({ revokedAt: at }).where(eq(integrationKeys.id, id)).run();
  }

  touch(id: number, at: Date): void {
    this.db.update(integrationKeys).set({ lastUsedAt: at }).where(eq(integrationKeys.id, id)).run();
  }
}
