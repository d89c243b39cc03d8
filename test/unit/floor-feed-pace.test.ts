import { expect } from 'chai';
import { FloorFeed, type FloorOutput } from '../../src/floor/floor-feed';
import type { Board, FloorBoard } from '../../src/floor/floor-board';
import type { AlertsService } from '../../src/floor/alerts.service';
import type { DomainEvent } from '../../src/events/domain-events';

/** A board whose `at` moves at each computation, so every computation is a change the listeners hear. */
function countingFeed(o: { computeMs?: number; refreshMs?: number } = {}) {
  let computed = 0;
  let publish: (e: DomainEvent) => void = () => {};
  const board = {
    compute: (): Board => {
      computed++;
      const until = performance.now() + (o.computeMs ?? 0);
      while (performance.now() < until);
      return { at: new Date(), queues: [{ name: 'q', n: computed }], agents: [], desks: [], roster: [], monitoring: [] } as unknown as Board;
    },
    teamOf: () => null,
  } as unknown as FloorBoard;
  const alerts = { evaluate: () => ({ raised: [], cleared: [] }), active: () => [] } as unknown as AlertsService;
  const events = { subscribe: (l: (e: DomainEvent) => void) => ((publish = l), () => {}) };
  const feed = new FloorFeed({ board, alerts, events, options: { minIntervalMs: 20, refreshMs: o.refreshMs ?? 400 } });
  return { feed, computed: () => computed, event: () => publish({ type: 'AgentStateChanged' } as unknown as DomainEvent) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the floor feed\'s pace', () => {
  it('recomputes at the refresh only while nobody watches, and within minIntervalMs once someone does', async () => {
    const { feed, computed, event } = countingFeed();
    const heard: FloorOutput[] = [];
    feed.subscribe((out) => heard.push(out), { passive: true });
    feed.start();
    try {
      const atStart = computed();
      for (let i = 0; i < 10; i++) {
        event();
        await sleep(10);
      }
      expect(computed() - atStart, 'events without a watcher wait for the refresh').to.be.at.most(1);
      const unwatch = feed.watch();
      await sleep(60);
      const watchedFrom = computed();
      expect(watchedFrom - atStart, 'the pending change goes out once someone watches').to.be.at.least(1);
      for (let i = 0; i < 10; i++) {
        event();
        await sleep(25);
      }
      expect(computed() - watchedFrom, 'watched: about one update per event').to.be.at.least(6);
      unwatch();
      unwatch(); // twice is once
      const after = computed();
      for (let i = 0; i < 10; i++) {
        event();
        await sleep(10);
      }
      expect(computed() - after).to.be.at.most(1);
      expect(heard.length).to.be.at.least(computed() - atStart - 1);
    } finally {
      feed.stop();
    }
  });

  it('refreshes at every refresh while someone watches, and at every fifth while nobody does (for the alerts)', async () => {
    const { feed, computed } = countingFeed({ refreshMs: 20 });
    feed.start();
    try {
      let from = computed();
      await sleep(600);
      const unwatched = computed() - from;
      const unwatch = feed.watch();
      from = computed();
      await sleep(600);
      const watched = computed() - from;
      unwatch();
      // 600 ms: about 30 refreshes watched, about 6 unwatched (timers on a loaded machine fire late, never early).
      expect(unwatched).to.be.within(2, 8);
      expect(watched).to.be.at.least(2 * unwatched);
    } finally {
      feed.stop();
    }
  });

  it('keeps a listener that is not passive quick, as before', async () => {
    const { feed, computed, event } = countingFeed();
    const unsubscribe = feed.subscribe(() => {});
    feed.start();
    try {
      const from = computed();
      for (let i = 0; i < 5; i++) {
        event();
        await sleep(30);
      }
      expect(computed() - from).to.be.at.least(4);
    } finally {
      unsubscribe();
      feed.stop();
    }
  });

  it('spaces updates to ten times a slow computation, so the board takes at most a tenth of the process', async () => {
    const { feed, computed, event } = countingFeed({ computeMs: 8 });
    feed.watch();
    feed.start();
    try {
      const from = computed();
      const started = Date.now();
      while (Date.now() - started < 400) {
        event();
        await sleep(5);
      }
      // 400 ms at one computation per 80 ms (10 × 8 ms) is about 5; at minIntervalMs (20 ms) it would be about 14.
      expect(computed() - from).to.be.within(3, 8);
    } finally {
      feed.stop();
    }
  });
});
