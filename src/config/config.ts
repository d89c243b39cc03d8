// Owns the process configuration: the environment, checked once by zod, frozen.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { isIP } from 'node:net';
import { parseTrustProxy, type TrustProxy } from '../http/trust-proxy';
import { ConfigError } from './config-error';
import { envFileSource } from './env-file';

export { ConfigError };

const optional = z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional().refine((h) => h === undefined || h === 'localhost' || isIP(h) !== 0, 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::) or localhost'),
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_FILE: z.string().min(1).default('data/hotline.sqlite'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  LOAD_SHED_MAX_LAG_MS: z.coerce.number().positive().default(150),
  LOAD_SHED_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(150),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)').default('hotline'),
  TWILIO_ACCOUNT_SID: optional.pipe(z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits').optional()),
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_KEY: optional.pipe(z.string().regex(/^SK[0-9a-f]{32}$/, 'must be SK followed by 32 hex digits').optional()),
  TWILIO_API_SECRET: optional,
  TWIML_APP_SID: optional.pipe(z.string().regex(/^AP[0-9a-f]{32}$/, 'must be AP followed by 32 hex digits').optional()),
  HOTLINE_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +864001234567').default('+864008008888'),
  TZ: z.string().default('Asia/Shanghai').refine(isTimeZone, 'must be an IANA time zone like Asia/Shanghai'),
  HOTLINE_HOURS: z.enum(['calendar', 'open', 'closed']).default('calendar'),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SIMULATOR_TIME_SCALE: z.coerce.number().positive().default(1000),
  SIMULATOR_SHUFFLE_SEED: optional.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int('must be an integer seed').optional()),
  SIMULATOR_URL: optional.pipe(z.url().optional()),
  SIMULATOR_SECRET: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  HOLD_MUSIC_URL: z.url().default('http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  ORDER_REVIEW_AMOUNT_YUAN: z.coerce.number().positive().default(2000),
  DUPLICATE_ORDER_WINDOW_MINUTES: z.coerce.number().int().min(0).default(10),
  REVIEW_CLAIM_MINUTES: z.coerce.number().int().positive().default(15),
  RETURN_WINDOW_DAYS: z.coerce.number().int().min(0).default(7),
  DIALER_CALLS_PER_SECOND: z.coerce.number().positive().default(1),
  RECORDING_RETENTION_DAYS: z.coerce.number().int().positive().default(365),
  METRICS_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters (a random secret Prometheus sends as a bearer token)').optional()),
  METRICS_PORT: optional.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int('must be a port number').min(0).max(65535).optional()),
  METRICS_HOST: z.string().default('127.0.0.1').refine((h) => h === 'localhost' || isIP(h) !== 0, 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::) or localhost'),
  WORKER_METRICS_PORT: optional.transform((v) => (v === undefined ? undefined : Number(v))).pipe(z.number().int('must be a port number').min(0).max(65535).optional()),
  SEED_DEMO_DATA: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  WEB_RUNS_JOBS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  /** Address the web process listens on (HOST); undefined: every interface. */
  host?: string;
  /** Where the carrier reaches this server; signatures are checked against it. */
  publicBaseUrl: string;
  databaseFile: string;
  redisUrl: string;
  /** New callers skip the IVR and wait cheaply when the event loop's p99 lag or the webhooks in flight pass these. */
  loadShedding: { maxLagMs: number; maxInFlight: number };
  /** Key prefix of the job queues in Redis (two servers on one Redis need two prefixes). */
  redisPrefix: string;
  timeZone: string;
  /** calendar: each flow's business hours; open or closed: pinned whatever the hour (HOTLINE_HOURS). */
  hotlineHours: 'calendar' | 'open' | 'closed';
  hotlineNumber: string;
  holdMusicUrl: string;
  /** Call recordings older than this many days are deleted (except kept or disputed ones). @default 365 */
  recordingRetentionDays?: number;
  logLevel: Env['LOG_LEVEL'];
  /** Seed demo customers and demo staff into an empty database: only ever in simulator mode. */
  seedDemoData: boolean;
  /**
   * Whether the web process also runs the bull job workers (recording downloads and analysis, the dialer, sweeps,
   * rollups). false (WEB_RUNS_JOBS=false) leaves them to `npm run worker`, so the webhooks have the web process to
   * themselves; the web process still hands its outbox to Redis.
   */
  webRunsJobs: boolean;
  /** The middle and back office's rules, and the outbound dialer's center-wide pace. */
  office: {
    /** Orders above this amount (fen) are held for review. */
    reviewAmountFen: number;
    /** Two orders of one customer with the same items or amount within this window are likely duplicates. */
    duplicateWindowMinutes: number;
    /** A claimed order or RMA not decided within this many minutes goes back to the list. */
    claimMinutes: number;
    /** Returns are accepted this many days after delivery. */
    returnWindowDays: number;
    /** At most this many outbound calls per second for the whole center. */
    dialerCallsPerSecond: number;
  };
  /** Which peers' X-Forwarded-For to believe for the client address: a hop count or proxy addresses. */
  trustProxy: TrustProxy;
  /** Prometheus metrics (docs/observability.md): GET /metrics on the main port with the token, and/or on an internal port. */
  metrics: {
    /** Bearer token for GET /metrics on the main port (METRICS_TOKEN); unset: /metrics is not served there. */
    token?: string;
    /** A separate port serving GET /metrics without a token (METRICS_PORT); unset: none. */
    port?: number;
    /** Address of that port (METRICS_HOST). @default '127.0.0.1' */
    host: string;
    /** The worker process's own metrics port (WORKER_METRICS_PORT, on METRICS_HOST); unset: the worker serves none. */
    workerPort?: number;
  };
  twilio: {
    accountSid: string;
    authToken: string;
    apiKey?: string;
    apiSecret?: string;
    twimlAppSid?: string;
  };
  /** Set when no Twilio credentials are given: the built-in carrier simulator plays the carrier. */
  simulator?: {
    port: number;
    timeScale: number;
    /** A simulator running as its own process (`npm run sim`): the server uses it instead of starting one inside. */
    url?: string;
    /** Seed for delivering independent callbacks delayed and out of order, as Twilio may. */
    shuffleSeed?: number;
  };
}

/** Parses the environment; throws ConfigError with one line naming the first bad variable (and the .env file it came from). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // `PUBLIC_BASE_URL=` (as in .env.example) means "not set": every setting then takes its default.
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const file = envFileSource(name, source[name]);
    throw new ConfigError(`Invalid ${name}=${JSON.stringify(source[name] ?? '')}: ${issue.message}${file ? ` (from ${file})` : ''}`);
  }
  const e = parsed.data;
  const live = Boolean(e.TWILIO_ACCOUNT_SID || e.TWILIO_AUTH_TOKEN);
  if (!live && e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid NODE_ENV=production: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required in production (the carrier simulator is for development only)');
  }
  if (live && !(e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN)) {
    const missing = e.TWILIO_ACCOUNT_SID ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID';
    throw new ConfigError(`Invalid ${missing}: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together`);
  }
  if (live && !e.PUBLIC_BASE_URL) {
    throw new ConfigError('Invalid PUBLIC_BASE_URL: required with Twilio credentials (the URL Twilio posts webhooks to)');
  }
  if (!live && e.SIMULATOR_URL && !e.SIMULATOR_SECRET) {
    throw new ConfigError('Invalid SIMULATOR_SECRET: required with SIMULATOR_URL (the server and `npm run sim` derive their shared credentials from it)');
  }
  // The demo accounts' password is published: in simulator mode only this machine reaches the server unless HOST says otherwise.
  const host = e.HOST ?? (live ? undefined : '127.0.0.1');
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://${reachableHost(host)}:${e.PORT}`).replace(/\/$/, '');
  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host,
    publicBaseUrl,
    databaseFile: e.DATABASE_FILE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    loadShedding: { maxLagMs: e.LOAD_SHED_MAX_LAG_MS, maxInFlight: e.LOAD_SHED_MAX_IN_FLIGHT },
    timeZone: e.TZ,
    hotlineHours: e.HOTLINE_HOURS,
    hotlineNumber: e.HOTLINE_NUMBER,
    holdMusicUrl: e.HOLD_MUSIC_URL,
    recordingRetentionDays: e.RECORDING_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    // Demo accounts have a published password: never in a center with a real carrier.
    seedDemoData: e.SEED_DEMO_DATA && !live,
    webRunsJobs: e.WEB_RUNS_JOBS,
    trustProxy: e.TRUST_PROXY,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST, workerPort: e.WORKER_METRICS_PORT },
    office: {
      reviewAmountFen: Math.round(e.ORDER_REVIEW_AMOUNT_YUAN * 100),
      duplicateWindowMinutes: e.DUPLICATE_ORDER_WINDOW_MINUTES,
      claimMinutes: e.REVIEW_CLAIM_MINUTES,
      returnWindowDays: e.RETURN_WINDOW_DAYS,
      dialerCallsPerSecond: e.DIALER_CALLS_PER_SECOND,
    },
    twilio: live
      ? {
          accountSid: e.TWILIO_ACCOUNT_SID!,
          authToken: e.TWILIO_AUTH_TOKEN!,
          apiKey: e.TWILIO_API_KEY,
          apiSecret: e.TWILIO_API_SECRET,
          twimlAppSid: e.TWIML_APP_SID,
        }
      : simulatorCredentials(e.SIMULATOR_SECRET),
    simulator: live ? undefined : { port: e.SIMULATOR_PORT, timeScale: e.SIMULATOR_TIME_SCALE, shuffleSeed: e.SIMULATOR_SHUFFLE_SEED, url: e.SIMULATOR_URL?.replace(/\/$/, '') },
  };
  return deepFreeze(config);
}

/** How this machine reaches a server listening on `host`: the wildcard addresses are reached on loopback. */
function reachableHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Simulator credentials: fresh random ones per start, or, with SIMULATOR_SECRET, derived from it, so that a separate
 * simulator process (`npm run sim`) and the server (and the server after a restart) share them. Nothing hard-coded.
 */
function simulatorCredentials(secret?: string): Config['twilio'] {
  const random = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const hex = (label: string) => (secret ? createHmac('sha256', secret).update(label).digest('hex').slice(0, 32) : random());
  return { accountSid: `AC${hex('account')}`, authToken: hex('token'), apiKey: `SK${hex('api-key')}`, apiSecret: hex('api-secret'), twimlAppSid: `AP${hex('twiml-app')}` };
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}
