// What happened on a simulated call, in order, and how to print it for people.
export type TranscriptKind =
  | 'say' | 'play' | 'pause' | 'gather' | 'press' | 'speech' | 'silence' | 'enqueue' | 'queue-wait' | 'leave'
  | 'dequeued' | 'dial' | 'ringing' | 'bridged' | 'conference' | 'record' | 'redirect' | 'hangup' | 'reject'
  | 'error' | 'status' | 'recognized';

export interface TranscriptEntry {
  /** Simulated seconds since the call was created. */
  t: number;
  kind: TranscriptKind;
  text?: string;
  detail?: Record<string, string>;
}

const VERBS: Record<TranscriptKind, string> = {
  say: 'heard:', play: 'heard audio', pause: 'pause', gather: 'gather', press: 'pressed', speech: 'said:',
  silence: 'silent', enqueue: 'queued in', 'queue-wait': 'waiting in queue', leave: 'left queue', dequeued: 'dequeued',
  dial: 'dialing', ringing: 'ringing', bridged: 'connected to', conference: 'conference', record: 'recording',
  redirect: 'redirected to', hangup: 'hung up by', reject: 'rejected', error: 'ERROR', status: 'status',
  recognized: 'recognized as',
};

export function formatTranscript(entries: TranscriptEntry[]): string {
  return entries
    .map((e) => {
      const detail = e.detail && Object.keys(e.detail).length
        ? ' (' + Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(', ') + ')'
        : '';
      const text = e.text === undefined ? '' : ' ' + e.text;
      return `${e.t.toFixed(1).padStart(5)}s  ${VERBS[e.kind] ?? e.kind}${text}${detail}`;
    })
    .join('\n');
}
