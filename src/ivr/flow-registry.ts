// Loads every flow in ivr-flows/, checks it, and answers which flow serves a dialled number.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { checkFlow, FlowError, type Flow } from './flow-schema';

export class FlowRegistry {
  private constructor(private readonly flows: Map<string, Flow>) {}

  /** Reads and checks all *.yaml in `dir`; throws FlowError listing every problem found. */
  static load(dir: string): FlowRegistry {
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    const problems: string[] = [];
    const flows = new Map<string, Flow>();
    if (!files.length) problems.push(`${dir}: no flow files (*.yaml)`);
    for (const file of files) {
      const source = path.join(path.basename(dir), file);
      const result = parseFlowFile(path.join(dir, file), source);
      problems.push(...result.problems);
      if (!result.flow) continue;
      if (flows.has(result.flow.id)) problems.push(`${source}: flow id "${result.flow.id}" is used by another file`);
      flows.set(result.flow.id, result.flow);
    }
    if (problems.length) throw new FlowError(problems);
    return new FlowRegistry(flows);
  }

  static of(...flows: Flow[]): FlowRegistry {
    return new FlowRegistry(new Map(flows.map((f) => [f.id, f])));
  }

  get(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  /** The inbound flow that answers `to`: the one listing it, else one listing no number. */
  forNumber(to: string): Flow | undefined {
    const all = [...this.flows.values()].filter((f) => f.purpose !== 'survey');
    return all.find((f) => f.numbers.includes(to)) ?? all.find((f) => f.numbers.length === 0);
  }

  /** The post-call survey flow (`purpose: survey`), if one is loaded. */
  survey(): Flow | undefined {
    return [...this.flows.values()].find((f) => f.purpose === 'survey');
  }

  all(): Flow[] {
    return [...this.flows.values()];
  }
}

export function parseFlowFile(file: string, source = file): { flow?: Flow; problems: string[] } {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { problems: [`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  return checkFlow(doc, source);
}
