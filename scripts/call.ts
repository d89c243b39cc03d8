// Places a simulated call against the running server (simulator mode) and prints what the caller heard and did.
import { parseArgs } from 'node:util';
import { localServers, nothingAnswers, unreachable } from './local-servers';

const usage = `Usage: npm run call -- --from <number> [--to <number>] [steps...] [--sim <url>]

Reads PORT, SIMULATOR_PORT, SIMULATOR_URL and HOTLINE_NUMBER from the environment and .env, as the server does.

Steps run in the order given:
  --press <digits>   press keys (e.g. --press 1, --press 202611200001#)
  --say <words>      say something (speech input)
  --wait <seconds>   stay silent
  --hear <words>     stay silent until these words are heard (e.g. the post-call survey's question)
  --hangup           hang up

Example: npm run call -- --from +8613800138000 --press 1
         npm run call -- --from +8613700001111 --press 1 --press 1 --press 1 --hangup
         npm run call -- --from +8613911112222 --press 1 --press 0 --hear 请为本次服务打分 --press 5 --hangup`;

const { values, tokens } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    sim: { type: 'string' },
    press: { type: 'string', multiple: true },
    say: { type: 'string', multiple: true },
    wait: { type: 'string', multiple: true },
    hear: { type: 'string', multiple: true },
    hangup: { type: 'boolean', multiple: true },
    help: { type: 'boolean' },
  },
  tokens: true,
  strict: true,
});

if (values.help || !values.from) {
  console.log(usage);
  process.exit(values.help ? 0 : 1);
}

const script: Record<string, unknown>[] = [];
for (const t of tokens ?? []) {
  if (t.kind !== 'option') continue;
  if (t.name === 'press') script.push({ press: t.value });
  else if (t.name === 'say') script.push({ say: t.value });
  else if (t.name === 'wait') script.push({ wait: Number(t.value) });
  else if (t.name === 'hear') script.push({ hear: t.value });
  else if (t.name === 'hangup') script.push({ hangup: true });
}

const local = localServers({ sim: values.sim });
const sim = local.sim.url;
const to = values.to ?? local.hotlineNumber;

try {
  const res = await fetch(`${sim}/sim/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ from: values.from, to, script }),
  });
  const body = (await res.json()) as { callSid?: string; status?: string; transcript?: unknown[]; message?: string };
  if (!res.ok) throw new Error(body.message ?? `simulator answered ${res.status}`);
  const { formatTranscript } = await import('../src/sim/index');
  console.log(`call ${body.callSid} from ${values.from} to ${to}: ${body.status}`);
  console.log(formatTranscript(body.transcript as never));
} catch (err) {
  console.error(unreachable(err) ? nothingAnswers([local.sim]) : (err as Error).message);
  process.exit(1);
}
