// The waveform of both channels on a canvas, from the server's peaks, with the markers a controller looks for
// (recording pauses, holds, long silences, talk-over, comments) and the playhead; a click or the arrow keys seek.
import { useEffect, useRef } from 'preact/hooks';
import type { RecordingDetailJson } from '../../../src/http/recordings.routes';
import { t } from '../i18n';

export interface Marker {
  start: number;
  end: number;
  kind: 'pause' | 'hold' | 'silence' | 'talkover';
}

const MARKER_COLORS: Record<Marker['kind'], string> = {
  pause: 'rgba(120,130,140,.35)',
  hold: 'rgba(47,125,225,.22)',
  silence: 'rgba(230,170,20,.30)',
  talkover: 'rgba(210,50,40,.35)',
};

/** Every marker the player draws, in seconds from the recording's start. */
export function markersOf(r: RecordingDetailJson, length: number): Marker[] {
  return [
    ...r.pauses.map((p) => ({ ...p, kind: 'pause' as const })),
    ...r.holds.map((h) => ({ start: h.start, end: h.end ?? length, kind: 'hold' as const })),
    ...r.analysis.longSilences.map((s) => ({ ...s, kind: 'silence' as const })),
    ...r.analysis.talkOver.map((s) => ({ ...s, kind: 'talkover' as const })),
  ];
}

/** The recording's length in seconds as the waveform covers it (the peaks), else the stored duration. */
export function peaksLength(r: RecordingDetailJson): number {
  const p = r.peaks;
  const n = p?.channels[0]?.min.length ?? 0;
  if (p && n) return n * p.bucketSeconds;
  return r.durationSeconds ?? 0;
}

export function Waveform(props: { recording: RecordingDetailJson; length: number; time: number; comments: readonly number[]; onSeek: (seconds: number) => void; onToggle: () => void }) {
  const { recording, length, time, comments, onSeek, onToggle } = props;
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const draw = () => drawWaveform(c, recording, length, time, comments);
    draw();
    addEventListener('resize', draw);
    return () => removeEventListener('resize', draw);
  }, [recording, length, time, comments]);

  const seekTo = (clientX: number) => {
    const c = canvas.current;
    if (!c || !length) return;
    const box = c.getBoundingClientRect();
    onSeek(Math.max(0, Math.min(length, ((clientX - box.left) / box.width) * length)));
  };

  return (
    <canvas
      ref={canvas}
      class="qa-wave"
      data-testid="waveform"
      tabIndex={0}
      role="slider"
      aria-label={t('waveform')}
      aria-valuemin={0}
      aria-valuemax={Math.round(length)}
      aria-valuenow={Math.round(time)}
      title={t('waveform')}
      onClick={(e) => seekTo(e.clientX)}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          onSeek(Math.max(0, Math.min(length, time + (e.key === 'ArrowLeft' ? -5 : 5))));
        } else if (e.key === ' ') {
          e.preventDefault();
          onToggle();
        }
      }}
    />
  );
}

function drawWaveform(c: HTMLCanvasElement, r: RecordingDetailJson, length: number, time: number, comments: readonly number[]) {
  const ratio = devicePixelRatio || 1;
  const w = c.clientWidth;
  const h = c.clientHeight;
  c.width = Math.round(w * ratio);
  c.height = Math.round(h * ratio);
  const g = c.getContext('2d');
  if (!g) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  const x = (s: number) => (length ? (s / length) * w : 0);
  for (const m of markersOf(r, length)) {
    g.fillStyle = MARKER_COLORS[m.kind];
    g.fillRect(x(m.start), 0, Math.max(2, x(m.end) - x(m.start)), h);
  }
  const peaks = r.peaks;
  // The customer's channel on top, the agent's below, whatever their order in the file.
  const order = peaks ? [r.customerChannel ?? 0, 1 - (r.customerChannel ?? 0)].filter((i) => peaks.channels[i]) : [];
  const lane = h / Math.max(1, order.length);
  // A quiet line still shows its shape: the loudest peak fills most of the lane (at most 8× louder than it is).
  let loudest = 0;
  for (const ch of order) for (const v of [...peaks!.channels[ch].min, ...peaks!.channels[ch].max]) loudest = Math.max(loudest, Math.abs(v));
  const gain = loudest > 0 ? Math.min(8, 0.95 / loudest) : 1;
  order.forEach((ch, k) => {
    const { min, max } = peaks!.channels[ch];
    const mid = lane * k + lane / 2;
    const half = (lane / 2 - 4) * gain;
    g.fillStyle = k === 0 ? '#2f7de1' : '#1f9d6a';
    for (let i = 0; i < min.length; i++) {
      const x0 = x(i * peaks!.bucketSeconds);
      const x1 = x((i + 1) * peaks!.bucketSeconds);
      const top = mid - max[i] * half;
      const bottom = mid - min[i] * half;
      g.fillRect(x0, top, Math.max(1, x1 - x0 - 0.2), Math.max(1, bottom - top));
    }
    g.fillStyle = '#4a5663';
    g.font = '12px system-ui, sans-serif';
    g.fillText(k === 0 ? t('customer') : t('agent'), 6, lane * k + 14);
    if (k > 0) {
      g.fillStyle = '#d5dbe1';
      g.fillRect(0, lane * k, w, 1);
    }
  });
  g.fillStyle = '#8a3ffc';
  for (const at of comments) {
    const cx = x(at);
    g.beginPath();
    g.moveTo(cx - 5, 0);
    g.lineTo(cx + 5, 0);
    g.lineTo(cx, 8);
    g.fill();
  }
  g.fillStyle = '#b3261e';
  g.fillRect(x(time) - 1, 0, 2, h);
}
