// Reads and writes the queues' rules (desk, service level, maximum wait, overflow, wrap-up), with the defaults of an unconfigured queue.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { queueSettings } from '../db/schema/index';

export type QueueSettings = typeof queueSettings.$inferSelect;
export type QueueDesk = QueueSettings['desk'];
export type OverflowAction = QueueSettings['overflowAction'];

export const OVERFLOW_ACTIONS = ['callback_or_voicemail', 'voicemail', 'queue'] as const satisfies readonly OverflowAction[];

/** The rules of a queue nobody has configured; three rings (≈ 15 s) is the service-level standard. */
export const QUEUE_DEFAULTS = {
  serviceLevelSeconds: 15,
  maxWaitSeconds: 600,
  overflowAction: 'callback_or_voicemail',
  overflowQueue: null,
  wrapUpSeconds: 30,
  postCallSurvey: false,
} as const satisfies Omit<QueueSettings, 'name' | 'desk'>;

/** The desk a queue's name says (`middle-…`, `back-…`); anything else is the front desk's. */
export function deskOfQueue(name: string): QueueDesk {
  const prefix = /^(front|middle|back)-/.exec(name)?.[1];
  return (prefix as QueueDesk | undefined) ?? 'front';
}

export function defaultQueueSettings(name: string): QueueSettings {
  return { name, desk: deskOfQueue(name), ...QUEUE_DEFAULTS };
}

/**
 * The queues of the demo hotline (ivr-flows/hotline.yaml); VIP callers are answered faster and wait less. The general
 * queue (0 at the main menu) offers the post-call survey, so whoever tries the demo hears it.
 */
export const DEMO_QUEUES: readonly QueueSettings[] = [
  { ...defaultQueueSettings('front-vip'), serviceLevelSeconds: 10, maxWaitSeconds: 300 },
  defaultQueueSettings('front-complaints'),
  defaultQueueSettings('front-returns'),
  { ...defaultQueueSettings('front-general'), postCallSurvey: true },
];

export class QueueSettingsRepo {
  private readonly getQuery;

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(queueSettings).where(eq(queueSettings.name, sql.placeholder('name'))).prepare();
  }

  /** The queue's stored rules, or the defaults when it has none: what the ACD applies. */
  get(name: string): QueueSettings {
    return this.find(name) ?? defaultQueueSettings(name);
  }

  find(name: string): QueueSettings | undefined {
    return this.getQuery.get({ name });
  }

  list(): QueueSettings[] {
    return this.db.select().from(queueSettings).orderBy(asc(queueSettings.name)).all();
  }

  upsert(s: QueueSettings): void {
    const { name, ...rules } = s;
    this.db.insert(queueSettings).values(s).onConflictDoUpdate({ target: queueSettings.name, set: rules }).run();
  }
}

/** Stores DEMO_QUEUES when no queue is configured yet; returns how many were inserted. */
export function seedQueueSettings(db: Db): number {
  if (db.select({ name: queueSettings.name }).from(queueSettings).limit(1).get()) return 0;
  db.insert(queueSettings).values([...DEMO_QUEUES]).run();
  return DEMO_QUEUES.length;
}
