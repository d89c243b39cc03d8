// What the benchmarks share that needs nothing of src/: their command line (usage, --help, numbers checked), the
// percentiles of what they measured, and how late the event loop ran. The in-process hotline they run against is in
// ./in-process.ts (bench:webhooks starts the server as a child process and imports none of src/).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type BenchArgOptions = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

/**
 * The bench's options from its command line (`argv`, without node and the script): `options` as for parseArgs, plus
 * -h/--help, which prints `usage` and exits 0. Unknown options and positionals throw (a TypeError from parseArgs).
 */
export function benchArgs<T extends BenchArgOptions>(argv: string[], usage: string, options: T) {
  const config = { args: argv, options: { ...options, ...HELP }, strict: true, allowPositionals: false } as const;
  const { values } = parseArgs(config) as { values: ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] };
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/** `v` (the value of --`name`) as a number that passes `ok`; else a UsageError: "--name must be <what>, got "v"". */
export function num(name: string, v: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Runs a bench: its options from `parse(process.argv.slice(2))`, then `main` with them. A bad command line prints the
 * problem and `usage` and gives exit code 2; otherwise the exit code is what `main` returns.
 */
export async function runBench<O>(usage: string, parse: (argv: string[]) => O, main: (o: O) => Promise<number>): Promise<void> {
  let o: O;
  try {
    o = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await main(o);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nearest-rank percentile `p` (0 to 100) of ascending `sorted`; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Measurements sorted once, for their count, percentiles and largest (NaN when there are none). */
export class Spread {
  private readonly sorted: number[];
  constructor(xs: Iterable<number>) {
    this.sorted = [...xs].sort((a, b) => a - b);
  }
  get n(): number {
    return this.sorted.length;
  }
  at(p: number): number {
    return percentile(this.sorted, p);
  }
  get max(): number {
    return this.sorted.at(-1) ?? NaN;
  }
}

/** How late the event loop runs a 100 ms timer, from construction until stop(): the hotline and its load share it. */
export class LoopLag {
  readonly lags: number[] = [];
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.lags.push(now - this.last - 100);
    this.last = now;
  }, 100);
  stop(): void {
    clearInterval(this.timer);
  }
  spread(): Spread {
    return new Spread(this.lags);
  }
  /** "Event-loop lag (ms late on a 100 ms timer): p50 …, p99 …, max …" */
  describe(): string {
    const s = this.spread();
    return `Event-loop lag (ms late on a 100 ms timer): p50 ${s.at(50).toFixed(1)}, p99 ${s.at(99).toFixed(1)}, max ${(s.n ? s.max : 0).toFixed(1)}`;
  }
}
