import path from 'node:path';
import { expect } from 'chai';
import { FlowRegistry, parseFlowFile } from '../../src/ivr/flow-registry';
import { FlowError } from '../../src/ivr/flow-schema';

const bad = (f: string) => parseFlowFile(path.resolve('test/fixtures/flows/bad', f), f);

describe('flow schema', () => {
  it('accepts the shipped hotline flow', () => {
    const registry = FlowRegistry.load(path.resolve('ivr-flows'));
    const hotline = registry.get('hotline');
    expect(hotline?.start).to.equal('welcome');
    expect(Object.keys(hotline!.nodes)).to.include.members(['mainMenu', 'vipQueue', 'afterHours', 'voicemail']);
  });

  it('names the file and node of a reference to a missing node', () => {
    const { flow, problems } = bad('unknown-target.yaml');
    expect(flow).to.equal(undefined);
    expect(problems).to.deep.equal(['unknown-target.yaml: node "hello": goes to "nowhere", which is not a node']);
  });

  it('names file, node and reason for each broken node', () => {
    const { problems } = bad('bad-node.yaml');
    const text = problems.join('\n');
    expect(text).to.include('bad-node.yaml: node "menu1": choices.0.digits: must be one key');
    expect(text).to.include('bad-node.yaml: node "ask": minLength is greater than maxLength');
    expect(text).to.include('bad-node.yaml: node "odd": unknown type "teleport"');
    expect(text).to.match(/node "spin2?": loops back to itself without waiting for the caller/);
  });

  it('reports YAML syntax errors with the file name', () => {
    const { problems } = bad('not-yaml.yaml');
    expect(problems[0]).to.match(/^not-yaml\.yaml: not valid YAML/);
  });

  it('refuses to load a directory with a bad flow, listing every problem', () => {
    expect(() => FlowRegistry.load(path.resolve('test/fixtures/flows/bad'))).to.throw(FlowError).with.property('problems').that.has.length.greaterThan(4);
  });
});
