// A simulated agent desktop for end-to-end tests: signs in over the API, registers a softphone with the simulator,
// keeps a WebSocket open (heartbeats, screen pops) and changes state like the agent's browser would.
import WebSocket from 'ws';
import type { SimSoftphone } from '../../src/sim/index';
import type { SimFixture } from './sim-fixture';

export interface DeskMessage {
  type: string;
  [k: string]: unknown;
}

export class AgentDesk {
  readonly messages: DeskMessage[] = [];
  private heartbeat?: NodeJS.Timeout;

  private constructor(
    readonly username: string,
    readonly id: number,
    readonly token: string,
    readonly softphone: SimSoftphone,
    private readonly ws: WebSocket,
    private readonly f: SimFixture,
  ) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as DeskMessage));
    // Heartbeats often enough for the simulated clock (the server's timeout is 30 simulated seconds).
    this.heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'heartbeat' })), 50);
  }

  static async signIn(f: SimFixture, username: string, phone: { answerAfter?: number | 'never'; script?: Record<string, unknown>[] } = {}): Promise<AgentDesk> {
    const login = await api(f, 'POST', '/api/auth/login', undefined, { username, password: 'hotline-demo' });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.token as string;
    const id = (login.body.staff as { id: number }).id;
    const voice = await api(f, 'GET', '/api/voice/token', token);
    if (voice.status !== 200) throw new Error(`voice token ${username}: ${voice.status} ${JSON.stringify(voice.body)}`);
    const softphone = f.sim.registerSoftphone({
      identity: voice.body.identity as string,
      token: voice.body.token as string,
      answerAfter: phone.answerAfter ?? 1,
      script: (phone.script ?? [{ wait: 20 }, { hangup: true }]) as never,
    });
    const ws = new WebSocket(`${f.base.replace('http', 'ws')}/ws`, ['bearer', token]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new AgentDesk(username, id, token, softphone, ws, f);
  }

  setState(state: string, extra: Record<string, unknown> = {}) {
    return api(this.f, 'PUT', '/api/agents/me/state', this.token, { state, ...extra });
  }

  request(method: string, path: string, body?: unknown) {
    return api(this.f, method, path, this.token, body);
  }

  /** Stops heartbeats and closes the desktop, as when the browser dies. */
  goSilent(): void {
    clearInterval(this.heartbeat);
    this.ws.terminate();
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.ws.close();
    this.softphone.unregister();
  }
}

export async function api(f: SimFixture, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(f.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * For a describe whose every test runs its own hotline: `start` makes it before each test; after each test the desks
 * signed in with the returned function are closed, then the hotline. Call it at the top of the describe.
 */
export function desksPerTest(start: () => Promise<SimFixture>) {
  let fixture: SimFixture | undefined;
  let desks: AgentDesk[] = [];
  beforeEach(async () => {
    desks = [];
    fixture = await start();
  });
  afterEach(async () => {
    for (const d of desks) d.close();
    await fixture?.close();
  });
  /** Signs `username` in on the running test's hotline, with a softphone (`phone`), and closes the desk after the test. */
  return async function signIn(username: string, phone?: Parameters<typeof AgentDesk.signIn>[2]): Promise<AgentDesk> {
    const d = await AgentDesk.signIn(fixture!, username, phone);
    desks.push(d);
    return d;
  };
}
