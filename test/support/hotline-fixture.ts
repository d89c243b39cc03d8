// Starts a real hotline server (SQLite in memory, demo data) on a free loopback port for tests.
import net from 'node:net';
import twilio from 'twilio';
import { loadConfig } from '../../src/config/config';
import { createLogger, type Logger } from '../../src/logging/logger';
import type { HotlineMetrics } from '../../src/metrics/hotline-metrics';
import { openDatabase } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { createHotline, type Hotline, type HotlineOptions } from '../../src/hotline';
import type { CarrierReads } from '../../src/telephony/call-control';
import type { RecordingStore } from '../../src/recordings/recording-store';
import { TEST_PASSWORD_COST } from './password-cost';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Fixture {
  hotline: Hotline;
  config: ReturnType<typeof loadConfig>;
  base: string;
  clock: { now(): Date; set(iso: string): void };
  /** Posts a webhook signed with the account's auth token, as the carrier does. */
  post(path: string, params: Record<string, string>, opts?: { signature?: string | null }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Monday 23 November 2026, 11:00 in Shanghai: the center is open. */
export const OPEN_HOURS = '2026-11-23T03:00:00Z';
export const AFTER_HOURS = '2026-11-23T15:30:00Z';

export interface HotlineFixtureOptions {
  /** The config to use (e.g. one whose credentials a simulator was built with). */
  config?: ReturnType<typeof loadConfig>;
  /** The server's clock; the default is a fixed one at OPEN_HOURS, moved with `set`. */
  now?: () => Date;
  carrierApiBaseUrl?: string;
  acdTickMs?: number;
  /** A carrier REST request that takes longer fails. @default 10000 */
  carrierTimeoutMs?: number;
  /** The carrier's reads for startup reconciliation (a scripted carrier); default: the REST client's. */
  carrierReads?: CarrierReads;
  /** Offer and dial callbacks (needs a background with the dial job worker). @default false */
  dialer?: boolean;
  /** Where recordings' audio is read from (a LocalRecordingStore in a temp dir). */
  recordingStore?: RecordingStore;
  /** The floor feed's pace and the WebSocket server's bounds on slow clients. */
  floor?: HotlineOptions['floor'];
  realtime?: HotlineOptions['realtime'];
  /** Prometheus metrics for the server (GET /metrics with the config's METRICS_TOKEN). */
  metrics?: HotlineMetrics;
  /** The server's logger (e.g. one capturing lines); default: silent unless TEST_LOG is set. */
  log?: Logger;
  /** Components the phones work without, for /health and /ready (e.g. `redis`). */
  health?: Record<string, () => 'up' | 'down'>;
}

export async function testConfig(env: Record<string, string> = {}) {
  const port = await freePort();
  // No load shedding unless a test asks for it: on a busy CI machine an event loop 150 ms late is the machine, and a
  // caller sent past the IVR would fail a test about the IVR (test/integration/load-shedding.test.ts sets its own).
  return loadConfig({ PORT: String(port), DATABASE_FILE: ':memory:', LOG_LEVEL: 'error', LOAD_SHED_MAX_LAG_MS: '600000', LOAD_SHED_MAX_IN_FLIGHT: '1000000', ...env });
}

export async function startHotline(env: Record<string, string> = {}, o: HotlineFixtureOptions = {}): Promise<Fixture> {
  const config = o.config ?? (await testConfig(env));
  let now = new Date(OPEN_HOURS);
  const clock = { now: o.now ?? (() => new Date(now.getTime())), set: (iso: string) => void (now = new Date(iso)) };
  const db = openDatabase(':memory:');
  seedDemoData(db, { now: clock.now() });
  seedDemoStaff(db, { now: clock.now(), passwordCost: TEST_PASSWORD_COST });
  const log = o.log ?? createLogger(process.env.TEST_LOG ? 'debug' : 'error', !process.env.TEST_LOG);
  const hotline = createHotline({ config, log, clock, db, carrierApiBaseUrl: o.carrierApiBaseUrl, acdTickMs: o.acdTickMs, carrierTimeoutMs: o.carrierTimeoutMs, carrierReads: o.carrierReads, recordingStore: o.recordingStore, passwordCost: TEST_PASSWORD_COST, dialer: o.dialer, floor: o.floor, realtime: o.realtime, metrics: o.metrics, health: o.health });
  await hotline.listen(config.port, '127.0.0.1');
  const base = config.publicBaseUrl;
  return {
    hotline,
    config,
    base,
    clock,
    async post(path, params, opts = {}) {
      const url = base + path;
      const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(config.twilio.authToken, url, params) : opts.signature;
      const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
      if (signature !== null) headers['X-Twilio-Signature'] = signature;
      const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      return { status: res.status, body: await res.text() };
    },
    async close() {
      await hotline.close();
      db.$client.close();
    },
  };
}

let sidCounter = 0;
export function callSid(): string {
  sidCounter += 1;
  return 'CA' + (Date.now().toString(16) + sidCounter.toString(16).padStart(8, '0')).padStart(32, '0').slice(-32);
}
