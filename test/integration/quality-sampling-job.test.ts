// The weekly quality sampling as a bull repeatable job on real Redis: scheduled once (however many processes declare
// it), and a run samples the week that ended into the work list.
import { expect } from 'chai';
import Redis from 'ioredis';
import { createLogger } from '../../src/logging/logger';
import { QUALITY_SAMPLING, startBackground } from '../../src/background';
import type { CallControl } from '../../src/telephony/call-control';
import { qaAssignments, recordings, staff } from '../../src/db/schema/index';
import { previousWeek, weekRange } from '../../src/quality/sampling';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { deleteKeys } from '../support/redis-suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the weekly quality sampling job (real Redis)', function () {
  this.timeout(30_000);
  const prefix = `hotline-test-quality-${process.pid}-${Date.now().toString(36)}`;
  let redis: Redis;
  let f: Fixture;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    f = await startHotline();
  });

  after(async () => {
    for (const stop of stops) await stop();
    await f.close();
    await deleteKeys(redis, `${prefix}:*`);
    await redis.quit();
  });

  function background() {
    // The carrier is not called by this job.
    const bg = startBackground({ config: f.config, db: f.hotline.db, log: createLogger('error', true), callControl: {} as CallControl, prefix });
    stops.push(() => bg.stop());
    return bg;
  }

  it('is scheduled once for Mondays 00:30 in the center time zone, even when two processes declare it', async () => {
    const web = background();
    background();
    const queue = web.queues.queue(QUALITY_SAMPLING.queue);
    await eventually(async () => {
      const repeatable = await queue.getRepeatableJobs();
      expect(repeatable.map((r) => [r.name, r.cron, r.tz])).to.deep.equal([[QUALITY_SAMPLING.name, '30 0 * * 1', f.config.timeZone]]);
    }, 5000);
  });

  it('samples the week that just ended when it runs', async () => {
    const tz = f.config.timeZone;
    const period = previousWeek(new Date(), tz);
    const { from } = weekRange(period, tz)!;
    const agent = f.hotline.db.select().from(staff).all().find((s) => s.username === 'agent3')!;
    for (let i = 0; i < 2; i++) {
      f.hotline.db
        .insert(recordings)
        .values({ recordingSid: `RE${'9'.repeat(31)}${i}`, callSid: `CA${'9'.repeat(31)}${i}`, agentId: agent.id, teamId: agent.teamId, desk: 'front', direction: 'inbound', startedAt: new Date(from.getTime() + 86_400_000 * (i + 1)), durationSeconds: 60, status: 'stored', flags: i ? '["long_silence"]' : '[]' })
        .run();
    }
    const bg = background();
    await eventually(() => expect(bg.queues.redisState()).to.equal('up'), 5000);
    await bg.queues.add(QUALITY_SAMPLING.queue, QUALITY_SAMPLING.name, {}, `test-run-${Date.now()}`);
    await eventually(() => {
      const rows = f.hotline.db.select().from(qaAssignments).all();
      expect(rows.map((r) => [r.period, r.reason]).sort()).to.deep.equal([
        [period, 'flagged'],
        [period, 'random'],
      ]);
    }, 10_000);
  });
});
