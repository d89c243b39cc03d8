// The simulator's own JSON API for other processes (`npm run call`): place a call and wait for its transcript, or look one up.
import express, { type Router } from 'express';
import type { CallerStep } from './caller-script';
import { parseScript } from './caller-script';
import type { SimCall } from './call-session';

export interface CallPlacer {
  placeCall(opts: { from: string; to: string; script?: CallerStep[] }): SimCall;
  call(sid: string): SimCall | undefined;
  calls(): SimCall[];
}

function summary(c: SimCall) {
  return { callSid: c.sid, from: c.from, to: c.to, status: c.status, transcript: c.transcript };
}

export function controlApi(sim: CallPlacer): Router {
  const api = express.Router();
  api.use(express.json());

  api.post('/calls', async (req, res) => {
    const { from, to, script } = (req.body ?? {}) as { from?: unknown; to?: unknown; script?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string') return void res.status(400).json({ message: 'from and to are required strings' });
    let steps: CallerStep[];
    try {
      steps = parseScript(script);
    } catch (err) {
      return void res.status(400).json({ message: (err as Error).message });
    }
    const call = sim.placeCall({ from, to, script: steps });
    await call.done;
    res.json(summary(call));
  });

  api.get('/calls', (_req, res) => {
    res.json({ calls: sim.calls().map((c) => ({ callSid: c.sid, from: c.from, to: c.to, status: c.status })) });
  });

  api.get('/calls/:sid', (req, res) => {
    const call = sim.call(req.params.sid);
    if (!call) return void res.status(404).json({ message: `no call ${req.params.sid}` });
    res.json(summary(call));
  });

  return api;
}
