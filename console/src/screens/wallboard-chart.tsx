// The day's chart on the wallboard: the service level of today's 15-minute intervals (the contact-center report), then
// callers waiting and the 30-minute service level sampled by the wallboard every few seconds; uPlot is loaded only when
// a wallboard opens, so the sign-in page does not carry it.
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { lang, locale, t } from '../i18n';
import { api } from '../session';

export interface ChartSample {
  /** Unix seconds. */
  at: number;
  /** Null for the report's intervals (it does not count who waited). */
  waiting: number | null;
  /** Percent; null while no queue has figures. */
  serviceLevel: number | null;
}

/** At most a day of samples at five seconds each. */
export const MAX_SAMPLES = 17_280;

const QUARTER_MS = 15 * 60_000;

interface ReportRow {
  intervalStart: string;
  offered: number;
  shortAbandoned: number;
  serviceLevel: number | null;
}

/** Today's 15-minute intervals so far, all desks together (weighted by the calls each desk counted). */
export async function todaysIntervals(now: Date): Promise<ChartSample[]> {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  const to = new Date(Math.ceil(now.getTime() / QUARTER_MS) * QUARTER_MS).toISOString();
  const report = await api<{ rows: ReportRow[] }>('GET', `/api/reports/contact-center?from=${day}&to=${encodeURIComponent(to)}&interval=15m&groupBy=desk`);
  const sums = new Map<number, { inTime: number; counted: number }>();
  for (const r of report.rows) {
    const counted = r.offered - r.shortAbandoned;
    if (r.serviceLevel === null || counted <= 0) continue;
    const at = Date.parse(r.intervalStart) / 1000;
    const s = sums.get(at) ?? { inTime: 0, counted: 0 };
    s.inTime += r.serviceLevel * counted;
    s.counted += counted;
    sums.set(at, s);
  }
  return [...sums].sort((a, b) => a[0] - b[0]).map(([at, s]) => ({ at, waiting: null, serviceLevel: (100 * s.inTime) / s.counted }));
}

export function FloorChart({ samples, nowSec }: { samples: ChartSample[]; nowSec: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  const history = useRef<ChartSample[]>([]);
  const l = lang.value;

  useEffect(() => {
    // Without the report (a role or server without it) the chart starts from the board's own samples.
    todaysIntervals(new Date()).then(
      (h) => {
        history.current = h;
        plot.current?.setData(data(h, samples));
      },
      () => undefined,
    );
  }, []);

  useEffect(() => {
    let gone = false;
    let observer: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (gone || !box.current) return;
      const el = box.current;
      // The legend sits under the plot inside the box: the plot gets what the legend leaves.
      const size = () => ({ width: Math.max(300, el.clientWidth), height: Math.max(80, el.clientHeight - ((el.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 28) - 4) });
      const hhmm = (sec: number) => new Date(sec * 1000).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', hour12: false });
      plot.current = new UPlot(
        {
          ...size(),
          series: [
            { label: t('wbTime'), value: (_u, v) => (v === null ? '—' : hhmm(v)) },
            { label: t('wbWaiting'), stroke: '#ffb020', width: 2, scale: 'n', spanGaps: true },
            { label: t('wbServiceLevel'), stroke: '#3ddc84', width: 2, scale: '%', spanGaps: true, value: (_u, v) => (v === null ? '—' : `${v.toFixed(0)}%`) },
          ],
          scales: { x: { time: true }, n: { range: (_u, _min, max) => [0, Math.max(5, max)] }, '%': { range: [0, 100] } },
          axes: [
            { stroke: '#c9d4df', grid: { stroke: '#2a3542' }, values: (_u, vals) => vals.map(hhmm) },
            { scale: 'n', stroke: '#ffb020', grid: { stroke: '#2a3542' } },
            { scale: '%', side: 1, stroke: '#3ddc84', grid: { show: false }, values: (_u, vals) => vals.map((v) => `${v}%`) },
          ],
          legend: { show: true },
        },
        data(history.current, samples),
        el,
      );
      plot.current.setSize(size()); // now that the legend is there
      observer = new ResizeObserver(() => plot.current?.setSize(size()));
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [l]);

  useEffect(() => {
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
    plot.current?.setData(data(history.current, samples));
  }, [Math.floor(nowSec / 5)]);

  return (
    <figure class="wb-chart" aria-label={t('wbChart')}>
      <figcaption>{t('wbChart')}</figcaption>
      <div ref={box} class="wb-chart-plot" />
    </figure>
  );
}

function data(history: ChartSample[], samples: ChartSample[]): uPlot.AlignedData {
  const all = [...history.filter((h) => !samples.length || h.at < samples[0].at), ...samples];
  return [all.map((s) => s.at), all.map((s) => s.waiting), all.map((s) => s.serviceLevel)];
}
