// What a suite whose tests each run the worker (bull on real Redis) keeps per test: its own key prefix, the agents'
// desks it signed in and the stops for what it started. Call `redisSuite` at the top of a describe: it checks Redis
// before the suite; after each test it closes the desks, runs the stops last-first, closes the fixture and deletes the
// test's keys; after the suite it asserts that none of the suite's keys is left.
import { expect } from 'chai';
import Redis from 'ioredis';
import type { AgentDesk } from './agent-desk';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key matching `match` (a SCAN pattern). */
export async function deleteKeys(redis: Redis, match: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match, count: 500 })) keys.push(...(batch as string[]));
  if (keys.length) await redis.del(...keys);
}

export interface RedisSuite {
  /** The suite's connection (open from its first `before` to its last `after`). */
  readonly redis: Redis;
  /** The running test's key prefix, for the worker. */
  readonly prefix: string;
  /** Desks the running test signed in: closed after it. */
  readonly desks: AgentDesk[];
  /** Stops for what the running test started (the worker, a Redis link): run last-first after it, before the fixture closes. */
  readonly cleanups: (() => Promise<void>)[];
}

/**
 * Registers the suite's hooks; `name` tells its keys apart (`hotline-test-<name>-<pid>-<time>-<test no>:…`) and
 * `closeFixture` closes the running test's hotline after its desks and stops.
 */
export function redisSuite(name: string, closeFixture: () => Promise<void> | undefined): RedisSuite {
  const runId = `hotline-test-${name}-${process.pid}-${Date.now().toString(36)}`;
  let testNo = 0;
  const s = { redis: undefined as unknown as Redis, prefix: '', desks: [] as AgentDesk[], cleanups: [] as (() => Promise<void>)[] };

  before(async () => {
    s.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await s.redis.ping()).to.equal('PONG');
  });
  after(async () => {
    expect(await s.redis.keys(`${runId}*`)).to.deep.equal([]);
    await s.redis.quit();
  });
  beforeEach(() => {
    testNo += 1;
    s.prefix = `${runId}-${testNo}`;
    s.desks = [];
    s.cleanups = [];
  });
  afterEach(async () => {
    for (const d of s.desks) d.close();
    for (const c of s.cleanups.reverse()) await c().catch(() => undefined);
    await closeFixture();
    await deleteKeys(s.redis, `${s.prefix}:*`);
  });
  return s;
}
