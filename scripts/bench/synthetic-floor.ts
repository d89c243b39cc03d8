// A synthetic floor for the console's benchmark and tests: agents, waiting callers and the floor-feed messages that
// change them, kept coherent (an answered caller was waiting), from a seeded generator.
import type { AgentJson, AgentState, Desk, FloorJson } from '../../console/src/screens/wallboard-floor';
import type { Rng } from './seeded';

const QUEUES: { name: string; desk: Desk }[] = [
  { name: 'front-general', desk: 'front' },
  { name: 'front-returns', desk: 'front' },
  { name: 'front-complaints', desk: 'front' },
  { name: 'front-vip', desk: 'front' },
  { name: 'middle-review', desk: 'middle' },
  { name: 'middle-callbacks', desk: 'middle' },
  { name: 'back-rma', desk: 'back' },
  { name: 'back-callbacks', desk: 'back' },
];
const STATES: { state: AgentState; share: number }[] = [
  { state: 'available', share: 0.15 },
  { state: 'reserved', share: 0.05 },
  { state: 'on_call', share: 0.45 },
  { state: 'wrap_up', share: 0.15 },
  { state: 'break', share: 0.1 },
  { state: 'offline', share: 0.1 },
];
const PRIORITIES = [10, 20, 30, 40];

function drawState(rng: Rng): AgentState {
  let r = rng.next();
  for (const s of STATES) if ((r -= s.share) < 0) return s.state;
  return 'available';
}

/** The synthetic floor and the feed that changes it, kept coherent (callers answered were waiting, and so on). */
export class SyntheticFloor {
  readonly agents: AgentJson[] = [];
  readonly waiting: { callSid: string; queue: string; desk: Desk; priority: number; at: number }[] = [];
  private n = 0;

  constructor(
    private readonly rng: Rng,
    agents: number,
    callers: number,
  ) {
    const now = Date.now();
    for (let i = 1; i <= agents; i++) {
      const desks: Desk[] = rng.next() < 0.7 ? ['front'] : rng.next() < 0.5 ? ['middle', 'front'] : ['back', 'front'];
      this.agents.push({
        id: i,
        displayName: `坐席 ${String(i).padStart(4, '0')}`,
        active: true,
        team: { id: 1 + (i % 40), name: `组 ${1 + (i % 40)}` },
        desks: desks.map((desk) => ({ desk, skill: rng.int(1, 5) })),
        presence: { state: drawState(rng), reason: null, since: new Date(now - rng.int(0, 3600) * 1000).toISOString() },
      });
    }
    for (let i = 0; i < callers; i++) this.queueOne(now - rng.int(0, 600) * 1000);
  }

  private queueOne(at: number) {
    const q = this.rng.pick(QUEUES);
    const c = { callSid: `CA${(this.n++).toString(16).padStart(32, '0')}`, queue: q.name, desk: q.desk, priority: this.rng.pick(PRIORITIES), at };
    this.waiting.push(c);
    return c;
  }

  snapshot(): FloorJson {
    const now = Date.now();
    return {
      at: new Date(now).toISOString(),
      queues: QUEUES.map((q) => ({ ...q, serviceLevelSeconds: 15, maxWaitSeconds: 600, calls: this.callsOf(q.name, now) })),
      monitoring: [],
    };
  }

  private callsOf(queue: string, now: number) {
    return this.waiting
      .filter((c) => c.queue === queue)
      .sort((a, b) => b.priority - a.priority || a.at - b.at)
      .map((c) => ({ callSid: c.callSid, priority: c.priority, reason: null, waitedSeconds: Math.round((now - c.at) / 1000), ringingAgentId: null }));
  }

  /** The next feed message: what a busy floor sends. */
  next(target: number): Record<string, unknown> {
    const rng = this.rng;
    const at = new Date().toISOString();
    const r = rng.next();
    const agent = rng.pick(this.agents);
    if (r < 0.4) {
      const to = drawState(rng);
      const from = agent.presence.state;
      agent.presence = { state: to, reason: to === 'break' ? 'rest' : null, since: at };
      return { type: 'AgentStateChanged', agentId: agent.id, from, to, reason: agent.presence.reason, at };
    }
    if (r < 0.7) {
      // Keep the queues near the target: below it more callers come than go.
      if (this.waiting.length < target || !this.waiting.length) {
        const c = this.queueOne(Date.now());
        return { type: 'CallQueued', callSid: c.callSid, queue: c.queue, desk: c.desk, priority: c.priority, at };
      }
      const c = this.waiting.splice(rng.int(0, this.waiting.length - 1), 1)[0];
      return rng.next() < 0.7
        ? { type: 'CallAnswered', interactionId: this.n++, callSid: c.callSid, agentId: agent.id, waitSeconds: 30, at }
        : { type: 'CallAbandoned', callSid: c.callSid, queue: c.queue, waitSeconds: 30, at };
    }
    if (r < 0.8 && this.waiting.length) {
      const c = rng.pick(this.waiting);
      return { type: 'CallOffered', interactionId: this.n++, callSid: c.callSid, agentId: agent.id, queue: c.queue, at };
    }
    if (r < 0.85) {
      const desk = rng.pick<Desk>(['front', 'middle', 'back']);
      agent.desks = [{ desk, skill: 3 }];
      return { type: 'AgentDesksChanged', agentId: agent.id, desks: agent.desks, at };
    }
    if (r < 0.9) return { type: 'FloorActionTaken', action: 'agent.end-break', actorId: 9999, subjectType: 'agent', subjectId: String(agent.id), reason: 'queue is building up', detail: {}, at };
    // The floor feed's own delta (issue 9): one queue's whole row and twenty agents' rows.
    const q = rng.pick(QUEUES);
    const now = Date.now();
    const roster = Array.from({ length: 20 }, () => rng.pick(this.agents))
      .filter((a) => a.presence.state !== 'offline')
      .map((a) => ({ id: a.id, displayName: a.displayName, team: a.team, desks: a.desks.map((d) => d.desk), state: a.presence.state, reason: a.presence.reason, since: a.presence.since, call: null }));
    const served = rng.int(50, 400);
    const period = { offered: served, answered: Math.round(served * 0.9), abandoned: Math.round(served * 0.05), serviceLevel: rng.int(60, 95), abandonRate: 5 };
    return { type: 'floorUpdate', at, changedAt: now, queues: [{ ...q, serviceLevelSeconds: 15, maxWaitSeconds: 600, calls: this.callsOf(q.name, now), estimatedWaitSeconds: rng.int(10, 300), today: period, last30Minutes: period, callbacksDue: rng.int(0, 20) }], roster, rosterGone: [] };
  }
}

