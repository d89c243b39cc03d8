// Checks every flow in ivr-flows/ (or the directory given) and names the file, node and reason of each problem.
import path from 'node:path';
import { FlowRegistry } from '../src/ivr/flow-registry';
import { FlowError } from '../src/ivr/flow-schema';

const arg = process.argv[2];
if (arg === '--help') {
  console.log('Usage: npm run flows:check [-- <dir>]   (default: ivr-flows/)');
  process.exit(0);
}
const dir = path.resolve(arg ?? 'ivr-flows');
try {
  const registry = FlowRegistry.load(dir);
  for (const f of registry.all()) console.log(`ok  ${f.id}: ${Object.keys(f.nodes).length} nodes`);
} catch (err) {
  if (!(err instanceof FlowError)) throw err;
  for (const p of err.problems) console.error(`bad ${p}`);
  process.exit(1);
}
