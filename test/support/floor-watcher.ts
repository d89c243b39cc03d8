// A wallboard for tests: signs in, follows the floor over /ws and keeps the board as the messages say it is
// (a snapshot, then updates replacing rows by queue name and agent id), with the alerts raised and cleared.
import WebSocket from 'ws';
import { eventually } from './eventually';

export interface WireQueue {
  name: string;
  waiting: number;
  longestWaitSeconds: number;
  estimatedWaitSeconds: number | null;
  today: { offered: number; answered: number; answeredInTime: number; abandoned: number; shortAbandoned: number; serviceLevel: number | null; abandonRate: number | null };
  last30Minutes: { offered: number; answered: number; abandoned: number; shortAbandoned: number; serviceLevel: number | null };
  callbacksDue: number;
  [k: string]: unknown;
}

export interface WireAgent {
  id: number;
  username: string;
  team: { id: number; name: string } | null;
  state: string;
  since: string | null;
  call: { callSid: string; queue: string | null; direction: string; status: string; since: string } | null;
  [k: string]: unknown;
}

export interface WireAlert {
  id: number;
  kind: string;
  subject: string;
  agentId: number | null;
  teamId: number | null;
  message: string;
  clearedAt: string | null;
}

export interface FloorMsg {
  type: string;
  [k: string]: unknown;
}

export class FloorWatcher {
  readonly messages: FloorMsg[] = [];
  queues = new Map<string, WireQueue>();
  roster = new Map<number, WireAgent>();
  alerts = new Map<number, WireAlert>();
  readonly raised: WireAlert[] = [];
  readonly cleared: WireAlert[] = [];
  snapshots = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly token: string,
  ) {
    ws.on('message', (data) => this.take(JSON.parse(String(data)) as FloorMsg));
  }

  static async connect(base: string, username: string, password = 'hotline-demo'): Promise<FloorWatcher> {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
    const { token } = (await login.json()) as { token: string };
    return FloorWatcher.open(base, token);
  }

  static async open(base: string, token: string): Promise<FloorWatcher> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, ['bearer', token]);
    const w = new FloorWatcher(ws, token);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return w;
  }

  private take(m: FloorMsg): void {
    this.messages.push(m);
    if (m.type === 'floorSnapshot') {
      this.snapshots++;
      this.queues = new Map((m.queues as WireQueue[]).map((q) => [q.name, q]));
      this.roster = new Map((m.roster as WireAgent[]).map((a) => [a.id, a]));
      this.alerts = new Map((m.alerts as WireAlert[]).map((a) => [a.id, a]));
    } else if (m.type === 'floorUpdate') {
      for (const q of m.queues as WireQueue[]) this.queues.set(q.name, q);
      for (const a of m.roster as WireAgent[]) this.roster.set(a.id, a);
      for (const id of m.rosterGone as number[]) this.roster.delete(id);
    } else if (m.type === 'alertRaised') {
      const a = m.alert as WireAlert;
      this.raised.push(a);
      this.alerts.set(a.id, a);
    } else if (m.type === 'alertCleared') {
      const a = m.alert as WireAlert;
      this.cleared.push(a);
      this.alerts.delete(a.id);
    }
  }

  queue(name: string): WireQueue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`no queue ${name} on the board (${[...this.queues.keys()].join(', ')})`);
    return q;
  }

  /** Retries `check` against the board until it holds. */
  until<T>(check: (w: this) => T, timeoutMs = 5000): Promise<T> {
    return eventually(() => check(this), timeoutMs);
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  close(): void {
    this.ws.close();
  }
}
