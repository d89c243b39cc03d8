// Owns the web process's load gauge (event-loop lag, webhooks in flight) and the rule that says when to shed new callers.
import { createHistogram, monitorEventLoopDelay, type IntervalHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface LoadSheddingOptions {
  /** Shed when the event loop's p99 lag over the last window passed this (ms). @default 150 */
  maxLagMs?: number;
  /** Shed when more webhooks than this are received and not yet answered. @default 150 */
  maxInFlight?: number;
  /** The gauge's window (ms): the lag is judged over it, and the rule re-evaluated at its end. @default 500 */
  windowMs?: number;
  /** Stop shedding after this many calm windows in a row (lag and in-flight under half their bounds). @default 4 */
  calmWindows?: number;
}

export interface LoadSample {
  lagP99Ms: number;
  inFlight: number;
}

export interface ShedState {
  shedding: boolean;
  /** Calm windows in a row while shedding. */
  calm: number;
}

type Bounds = Required<Pick<LoadSheddingOptions, 'maxLagMs' | 'maxInFlight' | 'calmWindows'>>;

/**
 * The rule, pure: start shedding as soon as either bound is passed; stop only after `calmWindows` windows in a row
 * with both under half their bound (hysteresis, so a caller is not shed, then not, then shed again every half second).
 */
export function nextShedState(s: ShedState, sample: LoadSample, b: Bounds): ShedState {
  const over = sample.lagP99Ms > b.maxLagMs || sample.inFlight > b.maxInFlight;
  if (over) return { shedding: true, calm: 0 };
  if (!s.shedding) return s;
  const calm = sample.lagP99Ms < b.maxLagMs / 2 && sample.inFlight < b.maxInFlight / 2 ? s.calm + 1 : 0;
  return calm >= b.calmWindows ? { shedding: false, calm: 0 } : { shedding: true, calm };
}

export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The histogram records each timer's whole interval: the lag is what passes the resolution. */
const RESOLUTION_MS = 10;
const lagMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
function figures(h: IntervalHistogram): LagFigures {
  return h.count ? { p50: lagMs(h.percentile(50)), p99: lagMs(h.percentile(99)), max: lagMs(h.max), mean: lagMs(h.mean) } : { p50: 0, p99: 0, max: 0, mean: 0 };
}

/** What GET /health/load answers: the bench and an operator read it. */
export interface LoadReport {
  shedding: boolean;
  /** New callers answered with the short notice and the cheap wait since start. */
  shedCalls: number;
  /** Times shedding started since start. */
  shedEpisodes: number;
  inFlightWebhooks: number;
  maxInFlightWebhooks: number;
  /** Event-loop lag since the process started. */
  eventLoopLagMs: LagFigures;
  /** Event-loop lag over the last complete report window (5 s). */
  lastWindowLagMs: LagFigures;
  /** Webhooks' time inside this process, body read to answer written (group commit included), since start. */
  webhookMs: LagFigures;
}

/** Measures the process and applies the rule every window; webhooks call begin()/end() and ask shedding(). */
export class LoadGauge {
  private readonly o: Required<LoadSheddingOptions>;
  private readonly window: IntervalHistogram;
  private readonly total: IntervalHistogram;
  private readonly report: IntervalHistogram;
  private readonly served: RecordableHistogram = createHistogram();
  private lastReport: LagFigures = { p50: 0, p99: 0, max: 0, mean: 0 };
  private state: ShedState = { shedding: false, calm: 0 };
  private inFlight = 0;
  private maxInFlight = 0;
  private shed = 0;
  private episodes = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(o: LoadSheddingOptions = {}) {
    this.o = { maxLagMs: o.maxLagMs ?? 150, maxInFlight: o.maxInFlight ?? 150, windowMs: o.windowMs ?? 500, calmWindows: o.calmWindows ?? 4 };
    const resolution = RESOLUTION_MS;
    this.window = monitorEventLoopDelay({ resolution });
    this.total = monitorEventLoopDelay({ resolution });
    this.report = monitorEventLoopDelay({ resolution });
    for (const h of [this.window, this.total, this.report]) h.enable();
    this.timers.push(setInterval(() => this.tick(), this.o.windowMs).unref());
    this.timers.push(
      setInterval(() => {
        this.lastReport = figures(this.report);
        this.report.reset();
      }, 5000).unref(),
    );
  }

  /** A webhook arrived (its body read); returns when, for end(). */
  begin(): number {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    // In-flight is known at once: no need to wait for the window's end to start shedding.
    if (!this.state.shedding && this.inFlight > this.o.maxInFlight) this.enter();
    return performance.now();
  }

  /** A webhook was answered. */
  end(begun: number): void {
    this.inFlight--;
    this.served.record(Math.max(1, Math.round((performance.now() - begun) * 1000)));
  }

  shedding(): boolean {
    return this.state.shedding;
  }

  /** A new caller was shed (counted for the report). */
  countShed(): void {
    this.shed++;
  }

  load(): LoadReport {
    return {
      shedding: this.state.shedding,
      shedCalls: this.shed,
      shedEpisodes: this.episodes,
      inFlightWebhooks: this.inFlight,
      maxInFlightWebhooks: this.maxInFlight,
      eventLoopLagMs: figures(this.total),
      lastWindowLagMs: this.lastReport,
      webhookMs: this.served.count
        ? { p50: this.served.percentile(50) / 1000, p99: this.served.percentile(99) / 1000, max: this.served.max / 1000, mean: Math.round(this.served.mean) / 1000 }
        : { p50: 0, p99: 0, max: 0, mean: 0 },
    };
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const h of [this.window, this.total, this.report]) h.disable();
  }

  private enter(): void {
    this.state = { shedding: true, calm: 0 };
    this.episodes++;
  }

  private tick(): void {
    const lagP99Ms = this.window.count ? lagMs(this.window.percentile(99)) : 0;
    this.window.reset();
    const was = this.state.shedding;
    this.state = nextShedState(this.state, { lagP99Ms, inFlight: this.inFlight }, this.o);
    if (this.state.shedding && !was) this.episodes++;
  }
}
