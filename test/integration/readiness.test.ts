// GET /ready through real HTTP: ready, degraded (Redis down: still 200) and unready (database not writable, migrations
// missing, credentials refused), and /health staying the cheap liveness check.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { CachedCredentialCheck, readinessReport, type ReadyReport } from '../../src/http/readiness';
import { TwilioCallControl } from '../../src/telephony/call-control';
import { pendingMigrations } from '../../src/db/migration-state';

describe('readiness (GET /ready)', function () {
  this.timeout(20_000);
  let f: Fixture;
  let redis: 'up' | 'down' = 'up';
  before(async () => (f = await startHotline({}, { health: { redis: () => redis } })));
  after(async () => f.close());
  afterEach(() => (redis = 'up'));

  const ready = async () => {
    const res = await fetch(`${f.base}/ready`);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    return { status: res.status, body: (await res.json()) as ReadyReport };
  };

  it('is ready with the database writable, the migrations applied and the flows loaded (simulator: no carrier check)', async () => {
    const r = await ready();
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({
      ready: true,
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, flows: { ok: true }, carrier: { ok: true } },
      degraded: [],
    });
  });

  it('Redis down is degraded, not unready: 200, and Redis listed', async () => {
    redis = 'down';
    const r = await ready();
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ ready: true, status: 'degraded' });
    expect(r.body.degraded).to.deep.equal(['redis']);
    // /health says the same, cheaply (no write, no migrations read).
    const h = await fetch(`${f.base}/health`);
    expect(h.status).to.equal(200);
    expect(((await h.json()) as { status: string }).status).to.equal('degraded');
  });

  it('a database that takes no writes makes the process unready (503), naming the check', async () => {
    f.hotline.db.$client.pragma('query_only = ON');
    try {
      const r = await ready();
      expect(r.status).to.equal(503);
      expect(r.body).to.include({ ready: false, status: 'unready' });
      expect(r.body.checks.database).to.deep.equal({ ok: false, problem: 'the connection is query-only' });
      expect(r.body.checks.flows).to.deep.equal({ ok: true });
    } finally {
      f.hotline.db.$client.pragma('query_only = OFF');
    }
    expect((await ready()).status).to.equal(200);
  });

  it('a migration not applied makes it unready and names the migration', async () => {
    const sqlite = f.hotline.db.$client;
    const last = sqlite.prepare('SELECT * FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { id: number | null; hash: string; created_at: number };
    expect(sqlite.prepare('DELETE FROM __drizzle_migrations WHERE created_at = ?').run(last.created_at).changes).to.equal(1);
    try {
      expect(pendingMigrations(f.hotline.db)).to.have.length(1);
      const r = await ready();
      expect(r.status).to.equal(503);
      expect(r.body.checks.migrations).to.have.property('ok', false);
      expect((r.body.checks.migrations as { problem: string }).problem).to.match(/^migrations not applied: 00\d\d_\w+ \(npm run migrate\)$/);
    } finally {
      sqlite.prepare('INSERT INTO __drizzle_migrations (id, hash, created_at) VALUES (?, ?, ?)').run(last.id, last.hash, last.created_at);
    }
    expect((await ready()).status).to.equal(200);
  });

  it('a check that throws is reported as its problem, and the others still run', async () => {
    const r = await readinessReport({
      essential: {
        good: () => true,
        broken: () => {
          throw new Error('disk on fire');
        },
        slow: async () => 'carrier said no',
      },
      optional: { redis: () => 'down', other: () => 'up' },
    });
    expect(r).to.deep.equal({
      ready: false,
      status: 'unready',
      checks: { good: { ok: true }, broken: { ok: false, problem: 'disk on fire' }, slow: { ok: false, problem: 'carrier said no' } },
      degraded: ['redis'],
    });
  });

  describe('live mode: carrier credentials, checked in the background and cached', () => {
    let carrier: http.Server;
    let answer = 200;
    let requests = 0;
    const ACCOUNT = 'AC' + 'c'.repeat(32);
    before(async () => {
      carrier = http.createServer((req, res) => {
        requests++;
        const ok = answer === 200 && req.url === `/2010-04-01/Accounts/${ACCOUNT}.json` && req.headers.authorization === `Basic ${Buffer.from(`${ACCOUNT}:right-token`).toString('base64')}`;
        res.writeHead(ok ? 200 : answer === 200 ? 401 : answer, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { sid: ACCOUNT, friendly_name: 'hotline', status: 'active' } : { code: 20003, message: 'Authenticate', status: 401 }));
      });
      await new Promise<void>((resolve) => carrier.listen(0, '127.0.0.1', resolve));
    });
    after(async () => new Promise<void>((resolve) => carrier.close(() => resolve())));
    afterEach(() => (answer = 200));

    const control = (token: string) => new TwilioCallControl({ accountSid: ACCOUNT, authToken: token, apiBaseUrl: `http://127.0.0.1:${(carrier.address() as AddressInfo).port}` });

    it('TwilioCallControl.credentialsValid: true for the right token, false for a refused one', async () => {
      expect(await control('right-token').credentialsValid()).to.equal(true);
      expect(await control('wrong-token').credentialsValid()).to.equal(false);
    });

    it('refused credentials make the check fail; an unreachable carrier only degrades; the answer is cached between refreshes', async () => {
      const good = new CachedCredentialCheck(() => control('right-token').credentialsValid());
      expect(good.check(), 'not verified yet: not a refusal').to.equal(true);
      expect(good.state()).to.equal('down');
      await good.refresh();
      expect([good.check(), good.state()]).to.deep.equal([true, 'up']);
      const seen = requests;
      for (let i = 0; i < 5; i++) good.check();
      expect(requests, 'check() never asks the carrier').to.equal(seen);

      const refused = new CachedCredentialCheck(() => control('wrong-token').credentialsValid());
      await refused.refresh();
      expect(refused.check()).to.match(/refused the credentials/);

      answer = 503;
      await good.refresh();
      expect([good.check(), good.state()], 'carrier unreachable: degraded, still ready').to.deep.equal([true, 'down']);
    });
  });
});
