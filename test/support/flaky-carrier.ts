// A loopback proxy in front of the carrier simulator that makes chosen REST requests time out (never answered) or fail (500).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type CarrierFault = 'timeout' | 'error';

export interface FlakyCarrier {
  url: string;
  /** Requests answered with a fault so far, by fault. */
  faults: Record<CarrierFault, number>;
  /** Requests passed through to the carrier so far. */
  passed: number;
  close(): Promise<void>;
}

/** Every request goes to `target` unless `fault(req)` names a fault for it. */
export async function flakyCarrier(target: string, fault: (req: http.IncomingMessage) => CarrierFault | undefined): Promise<FlakyCarrier> {
  const held: http.ServerResponse[] = [];
  const state: FlakyCarrier = { url: '', faults: { timeout: 0, error: 0 }, passed: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const f = fault(req);
    if (f) {
      state.faults[f] += 1;
      req.resume();
      if (f === 'timeout') return void held.push(res); // never answered: the client's timeout fires
      res.writeHead(500, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 }));
    }
    state.passed += 1;
    const out = http.request(target + (req.url ?? ''), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

/** Is this request an update of a call (redirect, hangup), rather than creating one or reading? */
export const isCallUpdate = (req: http.IncomingMessage) => req.method === 'POST' && /\/Calls\/CA[0-9a-f]{32}\.json$/.test(req.url ?? '');
