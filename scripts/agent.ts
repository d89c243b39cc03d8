// Plays an agent's desktop against the running server (simulator mode): signs in, registers a simulated softphone,
// goes available, keeps the WebSocket heartbeat, and prints screen pops and call events until Ctrl-C.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const usage = `Usage: npm run agent -- --user <username> [--password <p>] [--answer-after <s>|never] [--talk <s>] [--server <url>] [--sim <url>]

Signs in as a demo agent (password hotline-demo unless given), registers a simulated softphone with the built-in
carrier simulator, goes available and takes calls: the softphone answers after --answer-after seconds (default 2)
and hangs up after --talk seconds (default 30). Screen pops and the agent's events are printed as they come.
Ctrl-C signs out (the agent goes offline).

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

const server = (values.server ?? process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
const sim = (values.sim ?? process.env.SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? 4010}`).replace(/\/$/, '');
const answerAfter = values['answer-after'] === 'never' ? 'never' : Number(values['answer-after']);
const talk = Number(values.talk);
if ((answerAfter !== 'never' && !(answerAfter >= 0)) || !(talk > 0)) {
  console.error('--answer-after takes seconds or never, --talk takes seconds');
  process.exit(2);
}

async function call(method: string, url: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname}: ${res.status} ${String(json.message ?? text)}`);
  return json;
}

const time = () => new Date().toTimeString().slice(0, 8);

try {
  const login = await call('POST', `${server}/api/auth/login`, undefined, { username: values.user, password: values.password });
  const token = login.token as string;
  const voice = await call('GET', `${server}/api/voice/token`, token);
  await call('POST', `${sim}/sim/softphones`, undefined, { identity: voice.identity, token: voice.token, answerAfter, script: [{ wait: talk }, { hangup: true }] });
  const ws = new WebSocket(`${server.replace(/^http/, 'ws')}/ws`, ['bearer', token]);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const beat = setInterval(() => ws.send(JSON.stringify({ type: 'heartbeat' })), 10_000);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, any>;
    if (m.type === 'heartbeat' || m.type === 'hello') return;
    if (m.type === 'screenPop') {
      const c = m.customer;
      console.log(`${time()} RINGING ${m.callSid} from ${m.callerNumber} (queue ${m.queue})`);
      console.log(`         customer: ${c ? `${c.name} ${c.accountNumber} ${c.tier}` : 'unknown caller'}`);
      for (const o of m.recentOrders ?? []) console.log(`         order ${o.number} ${o.status} ${(o.amountFen / 100).toFixed(2)} yuan`);
      for (const r of m.openRmas ?? []) console.log(`         RMA ${r.number} ${r.status}`);
      if (m.ivr) console.log(`         IVR: ${(m.ivr.nodes ?? []).join(' > ')} (${m.ivr.language})`);
    } else console.log(`${time()} ${m.type} ${JSON.stringify({ ...m, type: undefined })}`);
  });
  ws.on('close', (code) => {
    console.error(`WebSocket closed (${code})`);
    process.exit(1);
  });
  const state = await call('PUT', `${server}/api/agents/me/state`, token, { state: 'available' });
  console.log(`${time()} ${values.user} is ${state.state} as client:${voice.identity}; waiting for calls (Ctrl-C to sign out)`);
  process.once('SIGINT', () => {
    clearInterval(beat);
    void (async () => {
      await call('PUT', `${server}/api/agents/me/state`, token, { state: 'offline' }).catch(() => undefined);
      await call('POST', `${server}/api/auth/logout`, token).catch(() => undefined);
      ws.close();
      process.exit(0);
    })();
  });
} catch (err) {
  const cause = (err as { cause?: { code?: string } }).cause;
  console.error(cause?.code === 'ECONNREFUSED' ? `Nothing answers at ${server} or ${sim}: start the server in simulator mode first (npm start)` : (err as Error).message);
  process.exit(1);
}
