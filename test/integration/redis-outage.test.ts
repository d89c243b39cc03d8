// A Redis outage, as the web process lives it: logged once when it starts and once when it ends (not on every
// reconnect attempt or relay pass), /health answers 200 'degraded' meanwhile, and jobs written during it are relayed after.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import Redis from 'ioredis';
import winston from 'winston';
import { startBackground } from '../../src/background';
import { createHotline, type Hotline } from '../../src/hotline';
import { openDatabase, type Db } from '../../src/db/client';
import { TwilioCallControl } from '../../src/telephony/call-control';
import { freePort, testConfig } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { RedisLink } from '../support/redis-link';

const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const OUTAGE = 'Redis is unreachable: background jobs wait in the outbox until it is back; the phones keep working';
const RECOVERY = 'Redis is reachable again: background jobs resume';

interface Entry {
  level: string;
  message: string;
  [key: string]: unknown;
}

describe('Redis outage: logged once and its end once, /health degraded (200) meanwhile', function () {
  this.timeout(20000);
  const prefix = `hotline-test-outage-${process.pid}-${Date.now().toString(36)}`;
  let link: RedisLink;
  let db: Db;
  let hotline: Hotline | undefined;
  let stopBackground: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    link = new RedisLink(await freePort());
    db = openDatabase(':memory:');
  });
  afterEach(async () => {
    await stopBackground?.();
    await hotline?.close();
    await link.down();
    db.$client.close();
    const redis = new Redis(REDIS_URL.toString(), { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('starts with Redis down, comes up, goes down and comes back: two outages and two recoveries logged, nothing else', async () => {
    const entries: Entry[] = [];
    const stream = new Writable({
      objectMode: true,
      write(info: Entry, _enc, done) {
        entries.push(info);
        done();
      },
    });
    const log = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
    const config = await testConfig({ REDIS_URL: `redis://127.0.0.1:${link.port}` });
    const callControl = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken });

    // Wired as src/main.ts does: the web process and its background, /health asking the job queues about Redis.
    const bg = startBackground({ config, db, log, callControl, prefix });
    stopBackground = () => bg.stop();
    hotline = createHotline({ config, log: winston.createLogger({ silent: true }), db, callControl, health: { redis: () => bg.queues.redisState() } });
    const port = await hotline.listen(0, '127.0.0.1');
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return { code: res.status, cache: res.headers.get('cache-control'), body: (await res.json()) as unknown };
    };
    const degraded = { code: 200, cache: 'no-store', body: { ok: true, status: 'degraded', simulator: true, components: { database: 'up', redis: 'down' } } };
    const ok = { code: 200, cache: 'no-store', body: { ok: true, status: 'ok', simulator: true, components: { database: 'up', redis: 'up' } } };
    const warnings = () => entries.filter((e) => e.level === 'warn' || e.level === 'error');
    const logged = (message: string) => entries.filter((e) => e.message === message);

    // Down from the start: one warning, and a job written now waits in the outbox (the relay fails every 250 ms).
    await eventually(() => expect(logged(OUTAGE)).to.have.length(1));
    expect(await health()).to.deep.equal(degraded);
    const outbox = hotline.repos.outbox;
    outbox.add({ queue: 'outage-probe', name: 'probe', jobId: 'probe:1', payload: { n: 1 } }, new Date());
    await eventually(() => expect(outbox.byJobId('probe:1')!.attempts).to.be.at.least(2), 5000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(warnings(), 'one warning for the whole outage').to.deep.equal(logged(OUTAGE));
    expect(logged(OUTAGE)[0]).to.include({ level: 'warn', redis: `127.0.0.1:${link.port}`, err: `connect ECONNREFUSED 127.0.0.1:${link.port}` });
    expect(entries.filter((e) => e.level === 'debug').length, 'the failures are kept at debug').to.be.greaterThan(3);

    // Up: one info line, /health ok, and the waiting job is handed to bull.
    await link.up();
    await eventually(() => expect(logged(RECOVERY)).to.have.length(1), 5000);
    expect(logged(RECOVERY)[0]).to.include({ level: 'info', redis: `127.0.0.1:${link.port}` });
    expect(logged(RECOVERY)[0].downForMs).to.be.a('number').greaterThan(1000);
    expect(await health()).to.deep.equal(ok);
    await eventually(() => expect(outbox.byJobId('probe:1')!.dispatchedAt).to.be.instanceOf(Date), 5000);
    expect((await bg.queues.queue('outage-probe').getJob('probe:1'))?.data).to.deep.equal({ n: 1 });

    // Down again while running (every connection cut): logged once more, degraded, nothing else over a second.
    await link.down();
    await eventually(() => expect(logged(OUTAGE)).to.have.length(2));
    expect(await health()).to.deep.equal(degraded);
    outbox.add({ queue: 'outage-probe', name: 'probe', jobId: 'probe:2', payload: { n: 2 } }, new Date());
    await new Promise((r) => setTimeout(r, 1000));
    expect(warnings()).to.deep.equal(logged(OUTAGE));
    expect(logged(OUTAGE)[1].err).to.be.a('string').and.not.equal('');
    expect(await health()).to.deep.equal(degraded);

    await link.up();
    await eventually(() => expect(logged(RECOVERY)).to.have.length(2), 5000);
    expect(await health()).to.deep.equal(ok);
    await eventually(() => expect(outbox.byJobId('probe:2')!.dispatchedAt).to.be.instanceOf(Date), 5000);
    expect(warnings()).to.have.length(2);

    // Stopping is not an outage.
    await bg.stop();
    stopBackground = undefined;
    expect(logged(OUTAGE)).to.have.length(2);
    expect(logged(RECOVERY)).to.have.length(2);
  });

  it('/health answers 503 "down" when the database cannot be read (the phones cannot work), and 200 "ok" without a Redis check', async () => {
    const config = await testConfig();
    const callControl = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken });
    hotline = createHotline({ config, log: winston.createLogger({ silent: true }), db, callControl });
    const port = await hotline.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ ok: true, status: 'ok', simulator: true, components: { database: 'up' } });

    db.$client.close();
    const down = await fetch(`http://127.0.0.1:${port}/health`);
    expect(down.status).to.equal(503);
    expect(await down.json()).to.deep.equal({ ok: false, status: 'down', simulator: true, components: { database: 'down' } });
    db = openDatabase(':memory:');
  });
});
