// Plays an agent's desktop against the running server (simulator mode): signs in, registers a simulated softphone,
// goes available, keeps the WebSocket heartbeat, prints screen pops and call events, and reconnects after a restart.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { localServers, nothingAnswers, unreachable } from './local-servers';

const usage = `Usage: npm run agent -- --user <username> [--password <p>] [--answer-after <s>|never] [--talk <s>] [--server <url>] [--sim <url>]

Signs in as a demo agent (password hotline-demo unless given), registers a simulated softphone with the built-in
carrier simulator (server and simulator found through PORT, PUBLIC_BASE_URL, SIMULATOR_PORT and SIMULATOR_URL, read from
the environment and .env as the server reads them), goes available and takes calls: the softphone answers after --answer-after seconds (default 2)
and hangs up after --talk seconds (default 30). Screen pops and the agent's events are printed as they come.
When the server restarts or is briefly down, the desktop reconnects (1 s, 2 s, 4 s ... up to 15 s apart), registers
its softphone again and goes available. Ctrl-C signs out (the agent goes offline).

Example, in two terminals after npm start:
  npm run agent -- --user agent1
  npm run call -- --from +8613911112222 --press 1 --press 0 --wait 60`;

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    password: { type: 'string', default: 'hotline-demo' },
    'answer-after': { type: 'string', default: '2' },
    talk: { type: 'string', default: '30' },
    server: { type: 'string' },
    sim: { type: 'string' },
    help: { type: 'boolean' },
  },
  strict: true,
});

if (values.help || !values.user) {
  console.log(usage);
  process.exit(values.help ? 0 : 1);
}

const local = localServers({ server: values.server, sim: values.sim });
const server = local.server.url;
const sim = local.sim.url;
const answerAfter = values['answer-after'] === 'never' ? 'never' : Number(values['answer-after']);
const talk = Number(values.talk);
if ((answerAfter !== 'never' && !(answerAfter >= 0)) || !(talk > 0)) {
  console.error('--answer-after takes seconds or never, --talk takes seconds');
  process.exit(2);
}

/** An HTTP answer other than 2xx: 401/403 mean the credentials are wrong, anything else may pass. */
class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call(method: string, url: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw new HttpError(`${method} ${new URL(url).pathname}: ${res.status} ${String(json.message ?? text)}`, res.status);
  return json;
}

const time = () => new Date().toTimeString().slice(0, 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Session ended by the server (password changed, deactivated, signed out elsewhere): sign in again. */
const CLOSE_SESSION_ENDED = 4401;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;

let token: string | undefined;
let ws: WebSocket | undefined;
let stopping = false;

/** Token still good? (It survives a server restart; a reset database or a revoked session does not.) */
async function signIn(): Promise<string> {
  if (token) {
    try {
      await call('GET', `${server}/api/auth/me`, token);
      return token;
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 401)) throw err;
    }
  }
  const login = await call('POST', `${server}/api/auth/login`, undefined, { username: values.user, password: values.password });
  return (token = login.token as string);
}

/** One connected session: sign in, softphone, socket, available. Resolves with the socket's close code. */
async function connect(): Promise<{ code: number; reason: string }> {
  const t = await signIn();
  const voice = await call('GET', `${server}/api/voice/token`, t);
  await call('POST', `${sim}/sim/softphones`, undefined, { identity: voice.identity, token: voice.token, answerAfter, script: [{ wait: talk }, { hangup: true }] });
  const socket = new WebSocket(`${server.replace(/^http/, 'ws')}/ws`, ['bearer', t]);
  ws = socket;
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  socket.on('error', () => undefined); // a reset connection also closes: 'close' says what happened
  const beat = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 'heartbeat' })), 10_000);
  void closed.then(() => clearInterval(beat));
  socket.on('message', (data) => printMessage(String(data)));
  // After a restart the server may still have the agent available (or on a call): go available only if needed.
  let state = String((await call('GET', `${server}/api/agents/me`, t)).state);
  if (state !== 'available') {
    try {
      state = String((await call('PUT', `${server}/api/agents/me/state`, t, { state: 'available' })).state);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 409)) throw err;
      console.log(`${time()} cannot go available now: ${err.message}`);
    }
  }
  console.log(`${time()} ${values.user} is ${state} as client:${String(voice.identity)}; waiting for calls (Ctrl-C to sign out)`);
  return closed;
}

function printMessage(text: string): void {
  const m = JSON.parse(text) as Record<string, any>;
  if (m.type === 'heartbeat' || m.type === 'hello') return;
  if (m.type === 'screenPop') {
    const c = m.customer;
    console.log(`${time()} RINGING ${m.callSid} from ${m.callerNumber} (queue ${m.queue})`);
    console.log(`         customer: ${c ? `${c.name} ${c.accountNumber} ${c.tier}` : 'unknown caller'}`);
    for (const o of m.recentOrders ?? []) console.log(`         order ${o.number} ${o.status} ${(o.amountFen / 100).toFixed(2)} yuan`);
    for (const r of m.openRmas ?? []) console.log(`         RMA ${r.number} ${r.status}`);
    if (m.ivr) console.log(`         IVR: ${(m.ivr.nodes ?? []).join(' > ')} (${m.ivr.language})`);
  } else if (m.type === 'CallbackOffered') {
    // A callback rings the softphone like a call: it auto-answers the same way, then the customer is dialed.
    const c = m.callback;
    console.log(`${time()} RINGING callback #${c.id} (${c.type}, ${c.desk} desk, attempt ${c.attempts + 1}) to ${c.phone}: ${c.reason}${c.question ? ` — ${c.question}` : ''}`);
  } else if (m.type === 'CallbackAttemptEnded') {
    console.log(`${time()} callback #${m.callbackId} attempt ended: ${m.result} (${m.next})${m.result === 'answered' ? ` — record the outcome: POST /api/callbacks/${m.callbackId}/outcome` : ''}`);
  } else console.log(`${time()} ${m.type} ${JSON.stringify({ ...m, type: undefined })}`);
}

function explain(err: unknown): string {
  if (unreachable(err)) return `nothing answers at ${server} or ${sim}`;
  return (err as Error).message;
}

process.once('SIGINT', () => {
  stopping = true;
  void (async () => {
    if (token) {
      await call('PUT', `${server}/api/agents/me/state`, token, { state: 'offline' }).catch(() => undefined);
      await call('POST', `${server}/api/auth/logout`, token).catch(() => undefined);
    }
    ws?.close();
    process.exit(0);
  })();
});

let connectedOnce = false;
let delay = RETRY_FIRST_MS;
for (;;) {
  try {
    const closed = await connect();
    connectedOnce = true;
    delay = RETRY_FIRST_MS;
    if (stopping) break;
    if (closed.code === CLOSE_SESSION_ENDED) token = undefined;
    console.error(`${time()} WebSocket closed (${closed.code}${closed.reason ? ` ${closed.reason}` : ''}); reconnecting in ${delay / 1000} s`);
  } catch (err) {
    if (stopping) break;
    if (!connectedOnce) {
      // The first time, say plainly what is wrong instead of waiting for a server that was never started.
      console.error(unreachable(err) ? nothingAnswers([local.server, local.sim]) : explain(err));
      process.exit(1);
    }
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
      console.error(`${time()} ${explain(err)}: cannot sign in again; stopping`);
      process.exit(1);
    }
    ws?.terminate();
    console.error(`${time()} ${explain(err)}; retrying in ${delay / 1000} s`);
  }
  await sleep(delay);
  delay = Math.min(delay * 2, RETRY_MAX_MS);
}
