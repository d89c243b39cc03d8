// The shipped deployment is scrape-ready: deploy/ (systemd units, Docker Compose, the image) gives the web and worker
// processes their internal metrics ports, the Prometheus config and the docs' scrape example point at those ports,
// and `.env.example` copied to /etc/hotline/hotline.env does not switch them off.
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { expect } from 'chai';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/config';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const LIVE = { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'not-a-real-token', PUBLIC_BASE_URL: 'https://hotline.example.com' };

/** The `Environment=` settings of a systemd unit (several per line allowed). */
function unitEnvironment(unit: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read(`deploy/systemd/${unit}`).split('\n')) {
    const m = /^Environment=(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of m[1].split(/\s+/)) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** What a process of that unit sees: the unit's settings, then the env file's (systemd lets EnvironmentFile= win). */
const asSystemdRuns = (unit: string) => ({ ...unitEnvironment(unit), ...(parseEnv(read('.env.example')) as Record<string, string>), ...LIVE });

interface ComposeService {
  environment?: Record<string, string>;
  healthcheck?: { test: string[]; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
}

describe('deploy/: Prometheus can scrape web and worker as shipped', () => {
  const compose = YAML.parse(read('deploy/docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const prometheus = YAML.parse(read('deploy/prometheus.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[]; rule_files: string[] };
  const targets = (job: string) => prometheus.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets) ?? [];

  it('systemd: the web unit opens METRICS_PORT and the worker WORKER_METRICS_PORT on loopback, even with .env.example as hotline.env', () => {
    const web = loadConfig(asSystemdRuns('hotline-web.service'));
    expect(web.metrics.port).to.equal(9464);
    expect(web.metrics.host).to.equal('127.0.0.1');
    expect(web.metrics.token, 'no token needed on the internal port').to.equal(undefined);
    const worker = loadConfig(asSystemdRuns('hotline-worker.service'));
    expect(worker.metrics.workerPort).to.equal(9465);
    expect(worker.metrics.host).to.equal('127.0.0.1');
  });

  it('.env.example does not set the metrics ports or host (a blank value in hotline.env would override the units)', () => {
    const set = Object.keys(parseEnv(read('.env.example')));
    expect(set).to.not.include.members(['METRICS_PORT']);
    expect(set).to.not.include('WORKER_METRICS_PORT');
    expect(set).to.not.include('METRICS_HOST');
  });

  it('Compose: web and worker serve /metrics on 9464 and 9465 inside the network, published on the host loopback only', () => {
    const { web, worker, release } = compose.services;
    const webConfig = loadConfig({ ...web.environment, ...LIVE });
    expect(webConfig.metrics.port).to.equal(9464);
    expect(webConfig.metrics.host).to.equal('0.0.0.0');
    expect(loadConfig({ ...worker.environment, ...LIVE }).metrics.workerPort).to.equal(9465);
    expect(web.ports).to.include('127.0.0.1:9464:9464');
    expect(worker.ports).to.include('127.0.0.1:9465:9465');
    for (const s of [web, worker]) for (const p of s.ports ?? []) expect(p, 'published on the host loopback only').to.match(/^127\.0\.0\.1:/);
    expect(release.environment?.METRICS_PORT, 'the one-shot release step serves no metrics').to.equal(undefined);
    // The image's HEALTHCHECK asks web's /health on PORT; the worker serves no HTTP there, so it checks its metrics.
    expect(worker.healthcheck?.test.join(' ')).to.include('127.0.0.1:9465/metrics');
    expect(release.healthcheck?.disable).to.equal(true);
  });

  it('Compose: the optional Prometheus scrapes exactly those ports and loads the shipped alert rules', () => {
    expect(targets('hotline')).to.deep.equal(['web:9464']);
    expect(targets('hotline-worker')).to.deep.equal(['worker:9465']);
    const p = compose.services.prometheus;
    expect(p.profiles).to.deep.equal(['monitoring']);
    const alerts = p.volumes!.find((v) => v.startsWith('../docs/prometheus-alerts.yml:'))!;
    expect(alerts, 'the alert rules are mounted').to.be.a('string');
    expect(prometheus.rule_files).to.include(alerts.split(':')[1]);
    expect(p.volumes).to.include('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('the image exposes the metrics ports, and the docs scrape the ports the units open', () => {
    const expose = /^EXPOSE (.*)$/m.exec(read('deploy/Dockerfile'))![1].split(/\s+/);
    expect(expose).to.include.members(['3000', '9464', '9465']);
    const docs = read('docs/observability.md');
    const block = /```yaml\n(scrape_configs:[\s\S]*?)```/.exec(docs)![1];
    const scrape = YAML.parse(block) as { scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[] };
    const docTargets = scrape.scrape_configs.flatMap((c) => c.static_configs?.flatMap((s) => s.targets) ?? []);
    expect(docTargets).to.include.members(['127.0.0.1:9464', '127.0.0.1:9465']);
  });
});
