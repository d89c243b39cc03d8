// `npm run agent` keeps an agent's desktop going across a server restart: it reconnects, registers its softphone
// again and goes available, instead of exiting.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { createLogger } from '../../src/logging/logger';
import { createHotline, type Hotline } from '../../src/hotline';
import { CarrierSimulator } from '../../src/sim/index';
import { simulatorAccount } from '../../src/sim/embedded';
import { testConfig } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const READY = 'waiting for calls';

describe('npm run agent (a real child process against a real server)', function () {
  this.timeout(20_000); // tsx starts in about 1.5 s; the restart and the first retry take about 1.5 s more

  let db: Db;
  let sim: CarrierSimulator;
  let config: Awaited<ReturnType<typeof testConfig>>;
  let hotline: Hotline | undefined;
  let agent: ChildProcessWithoutNullStreams | undefined;
  let out = '';
  const log = createLogger('error', true);

  const start = async () => {
    hotline = createHotline({ config, log, db, carrierApiBaseUrl: sim.baseUrl });
    await hotline.listen(config.port, '127.0.0.1');
  };
  const agentState = () => hotline!.db.$client.prepare("SELECT p.state FROM agent_presence p JOIN staff s ON s.id = p.staff_id WHERE s.username = 'agent1'").get() as { state: string } | undefined;

  beforeEach(async () => {
    config = await testConfig();
    db = openDatabase(':memory:');
    seedDemoStaff(db);
    sim = new CarrierSimulator({
      ...simulatorAccount(config),
      timeScale: 2,
    });
    await sim.listen(0, '127.0.0.1');
    await start();
    out = '';
  });
  afterEach(async () => {
    agent?.kill('SIGKILL');
    await hotline?.close();
    await sim.close();
    db.$client.close();
  });

  it('reconnects after the server restarts and goes available again', async () => {
    agent = spawn(process.execPath, [TSX, path.join(ROOT, 'scripts/agent.ts'), '--user', 'agent1', '--server', config.publicBaseUrl, '--sim', sim.baseUrl], { cwd: ROOT });
    agent.stdout.on('data', (d) => (out += String(d)));
    agent.stderr.on('data', (d) => (out += String(d)));
    let exited: number | null | undefined;
    agent.on('exit', (code) => (exited = code));

    await eventually(() => expect(out).to.include(READY), 8000);
    expect(agentState()?.state).to.equal('available');

    await hotline!.close(); // the desktop's socket is closed, as on a restart
    await new Promise((r) => setTimeout(r, 300)); // the server is briefly down
    await start();

    await eventually(() => expect(out.split(READY)).to.have.length(3), 8000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- agent output:\n${out}`);
    });
    expect(out).to.match(/WebSocket closed \(1001[^)]*\); reconnecting in 1 s/);
    expect(exited).to.equal(undefined);
    await eventually(() => expect(agentState()?.state).to.equal('available'));
  });
});
