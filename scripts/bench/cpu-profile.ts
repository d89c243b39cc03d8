// Reads a V8 .cpuprofile (node --cpu-prof) the way docs/busy-day.md did: busy time, inclusive time per src/ function,
// and the event loop's long tasks (runs of samples without idle) with the src/ frames that filled them.
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const where = (cf: CallFrame) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/.*\/(src|scripts|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;

/** Lines for people: the top `top` src/ functions by inclusive time, and the `tasks` longest tasks. */
export function summarizeProfile(file: string, o: { top?: number; tasks?: number; filter?: string } = {}): string[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const filter = o.filter ?? '/src/';
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = (id: number) => {
    const out: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (cf.url.includes(filter)) out.push(cf);
    }
    return out;
  };
  const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';

  let busy = 0;
  let total = 0;
  const inclusive = new Map<string, number>();
  type Task = { start: number; ms: number; parts: Map<string, number> };
  const tasks: Task[] = [];
  let task: Task | undefined;
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    t += (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const id = p.samples[i];
    if (isIdle(id)) {
      if (task) tasks.push(task);
      task = undefined;
      continue;
    }
    busy += dt;
    const fs2 = frames(id);
    for (const key of new Set(fs2.map(where))) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    task ??= { start: t, ms: 0, parts: new Map() };
    task.ms += dt;
    const key =
      fs2
        .slice(-3)
        .reverse()
        .map((cf) => cf.functionName || '(anonymous)')
        .join(' > ') || byId.get(id)!.callFrame.functionName;
    task.parts.set(key, (task.parts.get(key) ?? 0) + dt);
  }
  if (task) tasks.push(task);
  const lines = [`${file}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${((100 * busy) / Math.max(1, total)).toFixed(0)}%)`];
  lines.push(`  inclusive time of ${filter} functions (share of busy time):`);
  for (const [k, ms] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, o.top ?? 25)) lines.push(`    ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${(ms / 1000).toFixed(2).padStart(6)} s  ${k}`);
  const over = [5, 20, 50, 100, 200].map((ms) => `${tasks.filter((x) => x.ms > ms).length} over ${ms} ms`).join(', ');
  lines.push(`  tasks (the event loop busy without a break): ${over}; the longest:`);
  for (const x of tasks.sort((a, b) => b.ms - a.ms).slice(0, o.tasks ?? 5)) {
    const parts = [...x.parts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    lines.push(`    ${x.ms.toFixed(0).padStart(5)} ms at ${(x.start / 1000).toFixed(1)} s: ${parts.map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join('; ')}`);
  }
  return lines;
}

if (process.argv[1]?.endsWith('cpu-profile.ts')) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.log('Usage: npx tsx scripts/bench/cpu-profile.ts <file.cpuprofile>...');
    process.exit(2);
  }
  for (const f of files) console.log(summarizeProfile(f).join('\n'));
}
