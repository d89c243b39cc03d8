// The dashboard and alerts that ship in docs/ read only metrics the hotline exports, and every alert has a runbook.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { HotlineMetrics, exportedMetricNames } from '../../src/metrics/hotline-metrics';
import { openDatabase, type Db } from '../../src/db/client';
import { EventBus } from '../../src/events/domain-events';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Series Prometheus makes itself for every scrape target (not exported by the hotline). */
const PROMETHEUS_OWN = new Set(['up']);

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'le', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
export function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const rest = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest) || PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

describe('docs/grafana-dashboard.json and docs/prometheus-alerts.yml', () => {
  let db: Db;
  let metrics: HotlineMetrics;
  let exported: Set<string>;

  before(async () => {
    db = openDatabase(':memory:');
    // Every part a process can add: the web process's (database, events, WebSockets, readiness) and the jobs'.
    metrics = new HotlineMetrics({ process: 'web' })
      .timeDatabase()
      .readDatabase(db)
      .countEvents(new EventBus())
      .readRealtime({ clientCount: 0, droppedSlowClients: 0, floorDelivery: () => ({ discarded: 0, fellBehind: 0, resynced: 0, staleNow: 0 }) })
      .readReadiness(async () => true)
      .readJobQueues({ redisState: () => 'up', jobCounts: async () => ({ recordings: { waiting: 1, failed: 0 } }) });
    metrics.jobFailureCounter();
    exported = await exportedMetricNames(metrics.registry);
  });
  after(() => {
    metrics.close();
    db.$client.close();
  });

  it('the expression reader finds metric names and nothing else', () => {
    expect(metricsIn('histogram_quantile(0.99, sum by (le, route) (rate(hotline_webhook_duration_seconds_bucket{route=~"/twilio/.*"}[5m]))) > 0.5').sort()).to.deep.equal(['hotline_webhook_duration_seconds_bucket']);
    expect(metricsIn('sum by (desk) (a_metric) > 0 and on (desk) sum by (desk) (b_metric{state="available"}) == 0').sort()).to.deep.equal(['a_metric', 'b_metric']);
  });

  it('every alert reads only exported metrics, has a summary, and a runbook entry in docs/runbook.md', () => {
    const rules = (YAML.parse(read('docs/prometheus-alerts.yml')) as { groups: { rules: { alert: string; expr: string; annotations: { summary?: string; runbook?: string } }[] }[] }).groups.flatMap((g) => g.rules);
    const runbook = read('docs/runbook.md');
    const problems: string[] = [];
    for (const r of rules) {
      const names = metricsIn(r.expr);
      if (names.length === 0) problems.push(`${r.alert}: reads no metric`);
      for (const n of names) if (!exported.has(n) && !PROMETHEUS_OWN.has(n)) problems.push(`${r.alert}: ${n} is not exported`);
      if (!r.annotations?.summary) problems.push(`${r.alert}: no summary`);
      if (r.annotations?.runbook !== `docs/runbook.md#${r.alert.toLowerCase()}`) problems.push(`${r.alert}: runbook annotation ${r.annotations?.runbook}`);
      const entry = new RegExp(`^### ${r.alert}\\n(.+)$`, 'm').exec(runbook);
      if (!entry || entry[1].trim().length < 40) problems.push(`${r.alert}: no one-line runbook entry under "### ${r.alert}"`);
    }
    expect(problems).to.deep.equal([]);
    // The alerts the issue asks for.
    expect(rules.map((r) => r.alert)).to.include.members([
      'HotlineWebhookFallbackServed',
      'HotlineOutboxGrowing',
      'HotlineEventLoopLagHigh',
      'HotlineServiceLevelBelowTarget',
      'HotlineRedisDown',
      'HotlineNoAgentAvailableWithCallersWaiting',
      'HotlineDown',
    ]);
    // HotlineDown reads `up` of the scrape jobs deploy/prometheus.yml defines: the same names on both sides.
    const down = rules.find((r) => r.alert === 'HotlineDown')!;
    const jobs = (YAML.parse(read('deploy/prometheus.yml')) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((c) => c.job_name);
    const pattern = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(down.expr)![1]})$`);
    expect(jobs.length).to.be.greaterThan(1);
    for (const job of jobs) expect(job, `scrape job ${job} is watched by HotlineDown`).to.match(pattern);
    const documented = [...read('docs/observability.md').matchAll(/job_name: ([\w-]+)/g)].map((m) => m[1]);
    expect(documented.length).to.be.greaterThan(1);
    for (const job of documented) expect(job, `documented scrape job ${job} is watched by HotlineDown`).to.match(pattern);
  });

  it('the dashboard is importable (datasource input, uid, panels with queries) and reads only exported metrics', () => {
    const dash = JSON.parse(read('docs/grafana-dashboard.json')) as {
      __inputs: { name: string; pluginId: string }[];
      uid: string;
      title: string;
      schemaVersion: number;
      panels: { id: number; type: string; title: string; targets?: { expr: string; refId: string }[]; gridPos: object }[];
    };
    expect(dash.__inputs).to.deep.include({ name: 'DS_PROMETHEUS', label: 'Prometheus', description: 'The Prometheus that scrapes the hotline', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' });
    expect(dash.uid).to.be.a('string').and.not.equal('');
    expect(dash.schemaVersion).to.be.a('number');
    expect(new Set(dash.panels.map((p) => p.id)).size, 'unique panel ids').to.equal(dash.panels.length);
    expect(dash.panels.filter((p) => p.type === 'row').map((p) => p.title)).to.deep.equal(['The floor', 'The webhook path', 'Jobs', 'The process']);
    const problems: string[] = [];
    const used = new Set<string>();
    for (const p of dash.panels.filter((p) => p.type !== 'row')) {
      if (!p.targets?.length) problems.push(`${p.title}: no query`);
      for (const t of p.targets ?? []) {
        for (const n of metricsIn(t.expr)) {
          used.add(n);
          if (!exported.has(n) && !PROMETHEUS_OWN.has(n)) problems.push(`${p.title}: ${n} is not exported`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
    // The list, each on the dashboard.
    for (const n of ['hotline_webhook_duration_seconds_bucket', 'hotline_webhook_fallbacks_total', 'hotline_webhook_signature_rejections_total', 'hotline_queue_callers_waiting', 'hotline_queue_longest_wait_seconds', 'hotline_queue_service_level_ratio', 'hotline_agents', 'hotline_outbox_pending_jobs', 'hotline_job_queue_jobs', 'nodejs_eventloop_lag_p99_seconds', 'hotline_sqlite_group_commit_duration_seconds_bucket', 'hotline_websocket_clients', 'hotline_dialer_attempts_total']) {
      expect(used, n).to.include(n);
    }
    expect(used, 'a panel for the processes that answer their scrape (what HotlineDown reads)').to.include('up');
  });
});
