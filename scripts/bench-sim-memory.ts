// Places many calls through the carrier simulator against a tiny TwiML app and prints its heap and the calls it
// still holds, to show that ended calls are let go (retainEndedCalls) and memory stays flat.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { CarrierSimulator } from '../src/sim/index';

const USAGE = `Usage: npm run bench:sim-memory -- [options]   (node --expose-gc --import tsx scripts/bench-sim-memory.ts)

Options:
  --calls <n>      calls to place (default 6000)
  --parallel <n>   calls up at once (default 50)
  --retain <n>     the simulator's retainEndedCalls (default 1000)
  --help`;

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '6000' }, parallel: { type: 'string', default: '50' }, retain: { type: 'string', default: '1000' }, help: { type: 'boolean' } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const total = Number(values.calls);
const parallel = Number(values.parallel);

const TOKEN = 'sim-memory-token';
const DOC = `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Zhiyu" language="cmn-CN">${'您好，欢迎致电客服热线。'.repeat(8)}</Say><Gather input="dtmf speech" language="cmn-Hans-CN" numDigits="1" timeout="2" action="/menu"><Say>请按1</Say></Gather><Say>再见</Say></Response>`;
const app = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(req.url === '/menu' ? '<Response><Say>谢谢，再见。</Say><Hangup/></Response>' : DOC));
});
await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
const sim = new CarrierSimulator({
  accountSid: 'AC' + '0'.repeat(32),
  authToken: TOKEN,
  numbers: { '+864008008888': { voiceUrl: `${base}/voice`, statusCallback: `${base}/status` } },
  timeScale: 0.05,
  retainEndedCalls: Number(values.retain),
});
await sim.listen(0);

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return (process.memoryUsage().heapUsed / 1e6).toFixed(1);
};
console.log(`calls  heap MB  calls held (retainEndedCalls ${values.retain})`);
console.log(`${'0'.padStart(5)}  ${heapMb().padStart(7)}  ${sim.retainedCalls}`);
let placed = 0;
const step = Math.max(1, Math.floor(total / 6));
while (placed < total) {
  const batch = Math.min(parallel, total - placed);
  await Promise.all(Array.from({ length: batch }, (_, i) => sim.placeCall({ from: `+86138${String(placed + i).padStart(8, '0')}`, to: '+864008008888', script: [{ say: '我要投诉' }] }).done));
  placed += batch;
  if (placed % step < batch || placed === total) console.log(`${String(placed).padStart(5)}  ${heapMb().padStart(7)}  ${sim.retainedCalls}`);
}
await sim.close();
app.close();
