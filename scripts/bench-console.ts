// Measures the browser console in Debian's Chromium: the first load's size (gzip of dist/console/assets), the time to
// the sign-in form, and the wallboard's cost per floor update with 1,000 agents and 500 waiting callers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { startHotlineWithSimulator } from '../test/support/sim-fixture';
import { launchBrowser, signInAs } from '../test/support/browser';
import { prng } from './bench/seeded';
import { SyntheticFloor } from './bench/synthetic-floor';

const USAGE = `Usage: npm run bench:console -- [options]

Builds the console (vite, as npm start does), then prints:

  1. its size: every file of dist/console/assets, raw and gzip (zlib level 6, what a proxy would send),
     the first load (what index.html loads) and the lazily loaded rest (the wallboard's chart);
     target: first load under 300 kB compressed.
  2. time to interactive: Chromium opens / in a fresh context (empty cache) --runs times; the time from
     navigation start to the sign-in form rendered (the form's handlers are attached when it renders);
     target: under 1 s.
  3. the wallboard under load: a dispatcher signs in to the real server (simulator mode); GET /api/floor,
     GET /api/agents and the /ws floor feed are then served by this script (playwright routes) with a
     synthetic floor of --agents agents and --callers waiting callers, followed by --updates feed
     messages at --rate per second (agents changing state, callers queued, offered, answered and
     abandoned, desks changed, floor actions, and the floor feed's own floorUpdate rows), then a burst
     of --burst messages at once. The wallboard records, in the browser (performance.now(), User Timing,
     switched on by sessionStorage 'hotline.measureFloor'):
       apply   applying one message to the wallboard's picture of the floor
       render  rendering what changed since the last frame, including style and layout
       tick    the once-a-second re-render of every live wait and time in state
     target: each update applied (apply + render) in under 16 ms.

Options:
  --agents <n>    agents on the synthetic floor (default 1000)
  --callers <n>   waiting callers (default 500)
  --updates <n>   feed messages at --rate (default 1000)
  --rate <n>      feed messages per second (default 50)
  --burst <n>     messages sent at once at the end (default 200)
  --runs <n>      cold loads of the sign-in page (default 10)
  --seed <n>      seed of the synthetic floor (default 1)
  --no-build      use the existing dist/console
  -h, --help      print this help
`;

const { values: o } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    callers: { type: 'string', default: '500' },
    updates: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '50' },
    burst: { type: 'string', default: '200' },
    runs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (o.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const int = (name: keyof typeof o) => {
  const n = Number(o[name]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const opts = { agents: int('agents'), callers: int('callers'), updates: int('updates'), rate: Math.max(1, int('rate')), burst: int('burst'), runs: Math.max(1, int('runs')), seed: int('seed') };
const DIST = path.resolve('dist/console');

// ------------------------------------------------------------------------------------------------ 1. size

function sizes() {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const firstLoad = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]));
  // The build's .br / .gz copies are what the server sends (src/http/console-files.ts), not files of their own.
  const files = fs
    .readdirSync(path.join(DIST, 'assets'))
    .filter((name) => !/\.(br|gz)$/.test(name))
    .map((name) => {
      const file = path.join(DIST, 'assets', name);
      const raw = fs.readFileSync(file);
      const br = fs.existsSync(`${file}.br`) ? fs.statSync(`${file}.br`).size : raw.length;
      return { name, raw: raw.length, gzip: zlib.gzipSync(raw, { level: 6 }).length, br, first: firstLoad.has(name) };
    });
  const sum = (xs: typeof files, k: 'raw' | 'gzip' | 'br') => xs.reduce((n, f) => n + f[k], 0);
  const first = files.filter((f) => f.first && /\.(js|css)$/.test(f.name));
  const lazy = files.filter((f) => !f.first && /\.(js|css)$/.test(f.name));
  return { files, firstRaw: sum(first, 'raw'), firstGzip: sum(first, 'gzip'), firstBr: sum(first, 'br'), lazyRaw: sum(lazy, 'raw'), lazyGzip: sum(lazy, 'gzip'), lazyBr: sum(lazy, 'br') };
}

// ------------------------------------------------------------------------------------------------ 2. time to interactive

async function timeToSignIn(context: BrowserContext, base: string): Promise<number> {
  const page = await context.newPage();
  // A string, not a function: tsx would wrap a function's inner names in a helper the page does not have.
  await page.addInitScript(`
    const watch = new MutationObserver(() => {
      if (!document.querySelector('input[name=username]')) return;
      window.signInFormAt = performance.now();
      watch.disconnect();
    });
    watch.observe(document, { childList: true, subtree: true });
  `);
  await page.goto(`${base}/`);
  const at = await page.waitForFunction(() => (window as unknown as { signInFormAt?: number }).signInFormAt);
  const ms = (await at.jsonValue()) as number;
  await page.close();
  return ms;
}

// ------------------------------------------------------------------------------------------------ 3. the wallboard under load

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

async function measures(page: Page): Promise<Record<string, number[]>> {
  const all = await page.evaluate(() => performance.getEntriesByType('measure').map((e) => [e.name, e.duration] as const));
  const out: Record<string, number[]> = {};
  for (const [name, d] of all) (out[name] ??= []).push(d);
  await page.evaluate(() => performance.clearMeasures());
  return out;
}

async function wallboardUnderLoad(context: BrowserContext, base: string) {
  const floor = new SyntheticFloor(prng(opts.seed), opts.agents, opts.callers);
  let feed: WebSocketRoute | undefined;
  await context.route('**/api/floor', (r) => r.fulfill({ json: floor.snapshot() }));
  await context.route('**/api/agents', (r) => r.fulfill({ json: { agents: floor.agents } }));
  await context.routeWebSocket(/\/ws$/, (ws) => {
    feed = ws;
    ws.send(JSON.stringify({ type: 'hello', staff: { id: 9999, username: 'dispatcher1', displayName: 'bench', role: 'dispatcher' }, channels: ['own', 'floor'], heartbeatSeconds: 30 }));
  });
  await context.addInitScript(() => sessionStorage.setItem('hotline.measureFloor', '1'));
  const page = await context.newPage();
  await signInAs(page, base, 'dispatcher1');
  await page.waitForFunction((n) => document.querySelector('[data-testid=total-waiting]')?.textContent === String(n), opts.callers, { timeout: 30_000 });
  // The first load at this size, from a fresh navigation.
  await page.goto(`${base}/#/wallboard`);
  await page.reload();
  const loaded = (await (await page.waitForFunction((n) => document.querySelector('[data-testid=total-waiting]')?.textContent === String(n) && document.querySelectorAll('[data-agent]').length > 0 && performance.now(), opts.callers, { timeout: 30_000, polling: 'raf' })).jsonValue()) as number;
  const tiles = await page.locator('[data-agent]').count();
  fs.mkdirSync('test-output/browser', { recursive: true });
  await page.screenshot({ path: 'test-output/browser/bench-wallboard-1000-agents-1920.png' });
  await page.waitForTimeout(1500);
  await measures(page);

  // The page's main-thread CPU time (Chrome's ThreadTime): unlike wall-clock figures, other work on the machine does not stretch it.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
  const send = (m: Record<string, unknown>) => feed!.send(JSON.stringify(m));
  const cpuBefore = await threadTime();
  const started = Date.now();
  for (let i = 0; i < opts.updates; i++) {
    send(floor.next(opts.callers));
    const due = started + ((i + 1) * 1000) / opts.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await page.waitForTimeout(500);
  const cpuSeconds = (await threadTime()) - cpuBefore;
  await page.screenshot({ path: 'test-output/browser/bench-wallboard-after-load-1920.png', fullPage: true });
  const steadySeconds = (Date.now() - started) / 1000;
  const steady = await measures(page);
  for (let i = 0; i < opts.burst; i++) send(floor.next(opts.callers));
  await page.waitForTimeout(1500);
  const burst = await measures(page);
  const shownWaiting = Number(await page.getByTestId('total-waiting').textContent());
  await page.close();
  return { loaded, tiles, steady, burst, cpuSeconds, steadySeconds, shownWaiting, expectedWaiting: floor.waiting.length, seconds: (Date.now() - started) / 1000 };
}

// ------------------------------------------------------------------------------------------------ main

const ms = (x: number) => (Number.isNaN(x) ? '—' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const kB = (b: number) => `${(b / 1024).toFixed(1)} kB`;
const row = (name: string, s: Stats) => `  ${name.padEnd(30)} n=${String(s.n).padEnd(5)} p50 ${ms(s.p50).padEnd(9)} p95 ${ms(s.p95).padEnd(9)} p99 ${ms(s.p99).padEnd(9)} max ${ms(s.max)}`;

async function main() {
  if (!o['no-build']) execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  const size = sizes();
  console.log('1. Size of dist/console/assets (gzip level 6; br: the brotli copy the server sends to a browser that takes it):');
  for (const f of size.files) console.log(`  ${f.name.padEnd(34)} ${kB(f.raw).padStart(9)} raw ${kB(f.gzip).padStart(9)} gzip ${kB(f.br).padStart(9)} br${f.first ? '  (first load)' : '  (lazy)'}`);
  console.log(`  first load (JS+CSS)               ${kB(size.firstRaw).padStart(9)} raw ${kB(size.firstGzip).padStart(9)} gzip ${kB(size.firstBr).padStart(9)} br   target < 300 kB: ${size.firstGzip < 300 * 1024 ? 'met' : 'MISSED'}`);
  console.log(`  lazily loaded (JS+CSS)            ${kB(size.lazyRaw).padStart(9)} raw ${kB(size.lazyGzip).padStart(9)} gzip ${kB(size.lazyBr).padStart(9)} br   (all assets: ${kB(size.firstGzip + size.lazyGzip)} gzip)`);

  const f = await startHotlineWithSimulator();
  const browser = await launchBrowser();
  try {
    const tti: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      tti.push(await timeToSignIn(context, f.base));
      await context.close();
    }
    const t = stats(tti);
    console.log(`\n2. Time to the sign-in form (navigation start → form rendered), ${opts.runs} cold loads in fresh contexts:`);
    console.log(`  p50 ${ms(t.p50)}, max ${ms(t.max)}   target < 1 s: ${t.max < 1000 ? 'met' : 'MISSED'}`);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    const w = await wallboardUnderLoad(context, f.base);
    await context.close();
    console.log(`\n3. Wallboard with ${opts.agents} agents (${w.tiles} tiles rendered: the rows in view) and ${opts.callers} waiting callers, 1920x1080:`);
    console.log(`  first render of the loaded board: ${ms(w.loaded)} after navigation start`);
    console.log(`  ${opts.updates} messages at ${opts.rate}/s (${w.seconds.toFixed(1)} s in all, with the burst):`);
    console.log(row('apply (per message)', stats(w.steady['floor-apply'] ?? [])));
    console.log(row('render + layout (per frame)', stats(w.steady['floor-render'] ?? [])));
    console.log(row('tick (every second)', stats(w.steady['floor-tick'] ?? [])));
    console.log(`  a burst of ${opts.burst} messages at once:`);
    console.log(row('apply (per message)', stats(w.burst['floor-apply'] ?? [])));
    console.log(row('render + layout (per frame)', stats(w.burst['floor-render'] ?? [])));
    const worst = Math.max(...(w.steady['floor-apply'] ?? [NaN])) + Math.max(...(w.steady['floor-render'] ?? [NaN]));
    const frames = w.steady['floor-render'] ?? [];
    const over = frames.filter((d) => d >= 16).length;
    console.log(`  frames (all the updates of one frame, rendered) at 16 ms or more: ${over} of ${frames.length} (${((100 * over) / Math.max(1, frames.length)).toFixed(1)}%)`);
    console.log(`  worst update at the steady rate (max apply + max render): ${ms(worst)}   target < 16 ms: ${worst < 16 ? 'met' : 'MISSED'}`);
    console.log(`  the page's main-thread CPU time at the steady rate: ${w.cpuSeconds.toFixed(2)} s in ${w.steadySeconds.toFixed(1)} s (${((100 * w.cpuSeconds) / w.steadySeconds).toFixed(1)}% of one core; ${ms((1000 * w.cpuSeconds) / Math.max(1, frames.length))} per frame on average, everything included)`);
    console.log(`  load average while measuring: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores (other work on the machine stretches the tail)`);
    console.log(`  callers waiting on the board at the end: ${w.shownWaiting} (the feed's own count: ${w.expectedWaiting})`);
    if (w.shownWaiting !== w.expectedWaiting) process.exitCode = 1;
  } finally {
    await browser.close();
    await f.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
