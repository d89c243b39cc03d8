// The day's chart on the wallboard: callers waiting and the 30-minute service level, sampled by the wallboard every few
// seconds; uPlot is loaded only when a wallboard opens, so the sign-in page does not carry it.
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { lang, t } from '../i18n';

export interface ChartSample {
  /** Unix seconds. */
  at: number;
  waiting: number;
  /** Percent; null while no queue has figures. */
  serviceLevel: number | null;
}

/** At most a day of samples at five seconds each. */
export const MAX_SAMPLES = 17_280;

export function FloorChart({ samples, nowSec }: { samples: ChartSample[]; nowSec: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  const l = lang.value;

  useEffect(() => {
    let gone = false;
    let observer: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (gone || !box.current) return;
      const el = box.current;
      const size = () => ({ width: Math.max(300, el.clientWidth), height: Math.max(140, el.clientHeight - 8) });
      plot.current = new UPlot(
        {
          ...size(),
          series: [
            {},
            { label: t('wbWaiting'), stroke: '#ffb020', width: 2, scale: 'n' },
            { label: t('wbSl30'), stroke: '#3ddc84', width: 2, scale: '%', value: (_u, v) => (v === null ? '—' : `${v.toFixed(0)}%`) },
          ],
          scales: { x: { time: true }, n: { range: (_u, _min, max) => [0, Math.max(5, max)] }, '%': { range: [0, 100] } },
          axes: [
            { stroke: '#c9d4df', grid: { stroke: '#2a3542' } },
            { scale: 'n', stroke: '#ffb020', grid: { stroke: '#2a3542' } },
            { scale: '%', side: 1, stroke: '#3ddc84', grid: { show: false }, values: (_u, vals) => vals.map((v) => `${v}%`) },
          ],
          legend: { show: true },
        },
        data(samples),
        el,
      );
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
    plot.current?.setData(data(samples));
  }, [Math.floor(nowSec / 5)]);

  return (
    <figure class="wb-chart" aria-label={t('wbChart')}>
      <figcaption>{t('wbChart')}</figcaption>
      <div ref={box} class="wb-chart-plot" />
    </figure>
  );
}

function data(samples: ChartSample[]): uPlot.AlignedData {
  return [samples.map((s) => s.at), samples.map((s) => s.waiting), samples.map((s) => s.serviceLevel)];
}
