// Calls and their append-only event log.
import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callEvents, calls } from '../db/schema/index';

export type CallRow = typeof calls.$inferSelect;
export type NewCall = typeof calls.$inferInsert;

export interface CallEvent {
  callSid: string;
  dedupeKey: string;
  type: string;
  data?: Record<string, unknown>;
  at: Date;
}

/** Statements prepared per shape of the values (which columns are given, which of them are null); more shapes than this run unprepared. */
const MAX_SHAPES = 32;
/** Columns whose value drizzle computes when it builds the statement ($defaultFn, $onUpdate) would be frozen by preparing it. */
const COMPUTED_COLUMNS = Object.values(getTableColumns(calls)).some((c) => c.defaultFn || c.onUpdateFn);

export class CallsRepo {
  private readonly getQuery;
  private readonly insertEventQuery;
  private readonly hasEventQuery;
  private readonly insertQueries = new Map<string, ReturnType<CallsRepo['prepareInsert']>>();
  private readonly updateQueries = new Map<string, ReturnType<CallsRepo['prepareUpdate']>>();

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(calls).where(eq(calls.sid, sql.placeholder('sid'))).prepare();
    this.insertEventQuery = db
      .insert(callEvents)
      .values({
        callSid: sql.placeholder('callSid'),
        dedupeKey: sql.placeholder('dedupeKey'),
        type: sql.placeholder('type'),
        data: sql.placeholder('data'),
        at: sql.placeholder('at'),
      })
      .onConflictDoNothing()
      .prepare();
    this.hasEventQuery = db.$client.prepare<[string, string], number>('SELECT 1 FROM call_events WHERE call_sid = ? AND dedupe_key = ?').pluck();
  }

  get(sid: string): CallRow | undefined {
    return this.getQuery.get({ sid });
  }

  /** Inserts the call unless the carrier already told us about it; true when inserted. */
  insert(call: NewCall): boolean {
    const shape = shapeKey(call);
    const query = shape && cached(this.insertQueries, shape, () => this.prepareInsert(template(call) as NewCall));
    if (!query) return this.db.insert(calls).values(call).onConflictDoNothing().run().changes > 0;
    return query.run(call).changes > 0;
  }

  update(sid: string, changes: Partial<Omit<CallRow, 'sid'>>): void {
    const shape = shapeKey(changes);
    const query = shape && cached(this.updateQueries, shape, () => this.prepareUpdate(template(changes)));
    if (!query) return void this.db.update(calls).set(changes).where(eq(calls.sid, sid)).run();
    query.run({ ...changes, [WHERE_SID]: sid });
  }

  // The same statements drizzle builds for these values, built once per shape: building and preparing the SQL
  // cost more than running it.
  private prepareInsert(template: NewCall) {
    return this.db.insert(calls).values(template).onConflictDoNothing().prepare();
  }

  private prepareUpdate(template: Partial<Omit<CallRow, 'sid'>>) {
    return this.db.update(calls).set(template).where(eq(calls.sid, sql.placeholder(WHERE_SID))).prepare();
  }

  /** Appends an event; false when an event with the same key is already there (a retried webhook). */
  appendEvent(e: CallEvent): boolean {
    return this.insertEventQuery.run({ ...e, data: JSON.stringify(e.data ?? {}), at: e.at }).changes > 0;
  }

  /** Whether the call has the event with this dedupe key (one seek on call_events_dedupe). */
  hasEvent(callSid: string, dedupeKey: string): boolean {
    return this.hasEventQuery.get(callSid, dedupeKey) !== undefined;
  }

  events(callSid: string) {
    return this.db.select().from(callEvents).where(eq(callEvents.callSid, callSid)).orderBy(callEvents.id).all();
  }
}

const WHERE_SID = 'where.sid';

/**
 * Names the shape of a set of column values: which are given (drizzle leaves undefined ones out, so the column's
 * default applies) and which of them are null (drizzle writes null as a literal; a placeholder would go through the
 * column's encoder, which does not take null). Undefined when a statement cannot be prepared once for all: computed
 * columns, or a value that is itself SQL.
 */
function shapeKey(values: object): string | undefined {
  if (COMPUTED_COLUMNS) return undefined;
  let key = '';
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) return undefined;
    key += v === null ? `${k}=null,` : `${k},`;
  }
  return key || undefined;
}

/** The values for a statement of this shape: a placeholder for each given value, null for null. */
function template(values: object): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) t[k] = v === null ? null : sql.placeholder(k);
  return t;
}

function cached<Q>(queries: Map<string, Q>, key: string, prepare: () => Q): Q | undefined {
  let q = queries.get(key);
  if (!q) {
    if (queries.size >= MAX_SHAPES) return undefined;
    q = prepare();
    queries.set(key, q);
  }
  return q;
}
