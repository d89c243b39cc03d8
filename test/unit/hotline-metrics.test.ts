// The metrics' own arithmetic: counters from domain events (the queue of an answer comes from its offer) and the
// service level gauge read from queue entries (short abandons left out, each queue's own target).
import { expect } from 'chai';
import { HotlineMetrics } from '../../src/metrics/hotline-metrics';
import { EventBus } from '../../src/events/domain-events';
import { openDatabase, type Db } from '../../src/db/client';
import { QueueEntriesRepo } from '../../src/acd/queue-entries.repo';
import { CallsRepo } from '../../src/calls/calls.repo';
import { seedQueueSettings } from '../../src/acd/queue-settings.repo';

const at = new Date('2026-11-23T03:00:00Z');

async function value(m: HotlineMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = metric?.values.find((s) => Object.entries(labels).every(([k, want]) => String((s.labels as Record<string, unknown>)[k]) === want));
  return v?.value;
}

describe('HotlineMetrics', () => {
  let m: HotlineMetrics;
  afterEach(() => m.close());

  it('counts queue and agent events; an answer or a miss is labelled with the queue of its offer', async () => {
    const events = new EventBus();
    m = new HotlineMetrics({ process: 'web' }).countEvents(events);
    events.publish({ type: 'CallQueued', callSid: 'CA1', queue: 'front-vip', desk: 'front', priority: 40, at });
    events.publish({ type: 'CallQueued', callSid: 'CA2', queue: 'front-vip', desk: 'front', priority: 40, at });
    events.publish({ type: 'CallOffered', interactionId: 7, callSid: 'CA1', agentId: 3, queue: 'front-vip', at });
    events.publish({ type: 'CallMissed', interactionId: 7, callSid: 'CA1', agentId: 3, at });
    events.publish({ type: 'CallOffered', interactionId: 8, callSid: 'CA1', agentId: 4, queue: 'front-vip', at });
    events.publish({ type: 'CallAnswered', interactionId: 8, callSid: 'CA1', agentId: 4, waitSeconds: 12, at });
    events.publish({ type: 'CallAbandoned', callSid: 'CA2', queue: 'front-vip', waitSeconds: 30, at });
    events.publish({ type: 'CallbackAttemptEnded', attemptId: 1, callbackId: 1, agentId: 4, result: 'no-answer', next: 'retry', at });
    events.publish({ type: 'CallbackAttemptEnded', attemptId: 2, callbackId: 1, agentId: 4, result: 'something-new', next: 'retry', at });
    expect(await value(m, 'hotline_queue_calls_offered_total', { queue: 'front-vip' })).to.equal(2);
    expect(await value(m, 'hotline_agent_offers_total', { queue: 'front-vip' })).to.equal(2);
    expect(await value(m, 'hotline_agent_missed_rings_total', { queue: 'front-vip' })).to.equal(1);
    expect(await value(m, 'hotline_queue_calls_answered_total', { queue: 'front-vip' })).to.equal(1);
    expect(await value(m, 'hotline_queue_calls_abandoned_total', { queue: 'front-vip' })).to.equal(1);
    expect(await value(m, 'hotline_dialer_attempts_total', { result: 'no-answer' })).to.equal(1);
    expect(await value(m, 'hotline_dialer_attempts_total', { result: 'other' }), 'an unknown result does not make a new series').to.equal(1);
  });

  describe('service level (last hour, from queue entries)', () => {
    let db: Db;
    beforeEach(() => {
      db = openDatabase(':memory:');
      seedQueueSettings(db);
    });
    afterEach(() => db.$client.close());

    it('answered within the queue target / (answered + abandoned after 5 s); older calls and short abandons are left out', async () => {
      const now = new Date(at.getTime());
      m = new HotlineMetrics({ process: 'web' }).readDatabase(db, { now: () => now });
      const calls = new CallsRepo(db);
      const queue = new QueueEntriesRepo(db);
      let n = 0;
      const entry = (q: string, status: 'bridged' | 'abandoned', wait: number, endedMinutesAgo: number) => {
        const sid = `CA${(++n).toString(16).padStart(32, '0')}`;
        const ended = new Date(now.getTime() - endedMinutesAgo * 60_000);
        calls.insert({ sid, direction: 'inbound', from: '+8613900000000', to: '+864008008888', status: 'completed', startedAt: ended });
        queue.enqueue({ callSid: sid, queue: q, desk: 'front', priority: 10, reason: null, status, enqueuedAt: new Date(ended.getTime() - wait * 1000), endedAt: ended, waitSeconds: wait });
      };
      // front-vip's target is 10 s: 2 of 4 counted calls within it.
      entry('front-vip', 'bridged', 8, 5);
      entry('front-vip', 'bridged', 10, 10);
      entry('front-vip', 'bridged', 14, 20);
      entry('front-vip', 'abandoned', 40, 30);
      entry('front-vip', 'abandoned', 3, 30); // short abandon: not counted
      entry('front-vip', 'bridged', 60, 90); // over an hour ago: not counted
      // front-general's target is 15 s: 1 of 1.
      entry('front-general', 'bridged', 14, 1);
      expect(await value(m, 'hotline_queue_service_level_ratio', { queue: 'front-vip' })).to.equal(0.5);
      expect(await value(m, 'hotline_queue_service_level_ratio', { queue: 'front-general' })).to.equal(1);
      expect(await value(m, 'hotline_queue_service_level_ratio', { queue: 'front-returns' }), 'no calls: no figure').to.equal(undefined);
    });
  });
});
