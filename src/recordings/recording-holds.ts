// Where a call's holds fall on its recording (pure): the server's hold rows, in seconds from the recording's start.

/** A hold as the server stored it (call_holds): wall-clock times, `endedAt` null while it lasts. */
export interface HoldTimes {
  startedAt: Date;
  endedAt: Date | null;
}

/** A hold on the recording's timeline; `end` null while the hold (and the recording) still runs. */
export interface RecordingHoldMarker {
  start: number;
  end: number | null;
}

/**
 * The holds that overlap the recording, in seconds from `recordingStart` to a tenth of a second, clipped to
 * [0, durationSeconds] when the length is known. A hold still open ends at the recording's end (the call ended with the
 * customer on hold), or stays open (`end` null) while the length is not known yet.
 */
export function holdsOnRecording(holds: readonly HoldTimes[], recordingStart: Date, durationSeconds: number | null): RecordingHoldMarker[] {
  const t0 = recordingStart.getTime();
  const length = durationSeconds ?? Infinity;
  const out: RecordingHoldMarker[] = [];
  for (const h of holds) {
    const start = Math.max(0, (h.startedAt.getTime() - t0) / 1000);
    const rawEnd = h.endedAt ? (h.endedAt.getTime() - t0) / 1000 : length;
    const end = Math.min(length, rawEnd);
    if (start >= length || end <= 0 || end < start) continue;
    out.push({ start: tenth(start), end: Number.isFinite(end) ? tenth(end) : null });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Only the closed holds, as the analysis takes them. */
export function closedHolds(markers: readonly RecordingHoldMarker[]): { start: number; end: number }[] {
  return markers.filter((m): m is { start: number; end: number } => m.end !== null && m.end > m.start);
}

function tenth(x: number): number {
  return Math.round(x * 10) / 10;
}
