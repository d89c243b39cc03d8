// The staff WebSocket (/ws): authenticated with the bearer subprotocol, reconnects by itself with a growing pause, and
// says whether it is online. Screens subscribe to its messages.
import { signal } from '@preact/signals';
import type { ServerMessage } from '../../src/realtime/messages';
import { session } from './session';

export type FeedMessage = ServerMessage & Record<string, unknown>;
type Listener = (m: FeedMessage) => void;

export const online = signal(false);
const listeners = new Set<Listener>();
let socket: WebSocket | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;
let wanted = false;

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function send(message: Record<string, unknown>): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

export function connect(): void {
  wanted = true;
  open();
}

export function disconnect(): void {
  wanted = false;
  clearTimeout(retry);
  socket?.close();
  socket = undefined;
  online.value = false;
}

function open(): void {
  const s = session.value;
  if (!wanted || !s || socket) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const ws = new WebSocket(url, ['bearer', s.token]);
  socket = ws;
  ws.onopen = () => {
    online.value = true;
    attempt = 0;
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as FeedMessage;
    for (const l of listeners) l(m);
  };
  ws.onclose = (e) => {
    socket = undefined;
    online.value = false;
    if (e.code === 4401) return; // the session ended: the API's next 401 signs out
    if (!wanted) return;
    attempt++;
    retry = setTimeout(open, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
  };
}
