// `npm run call` and `npm run agent` read the server's settings (PORT, SIMULATOR_PORT, .env): when nothing answers they
// name the URLs tried and the settings that gave them, and a bad setting is one clear line, not "Failed to parse URL".
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A port nothing listens on (opened and closed again). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function script(name: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr: stderr.trim() })));
  });
}

describe('npm run call / npm run agent find the server through its settings', function () {
  this.timeout(20_000); // three tsx child processes in parallel: about 3 s

  it('name the URLs they tried and the settings that gave them when nothing answers; a bad setting is one line', async () => {
    const [port, simPort] = [await freePort(), await freePort()];
    const [call, agent, bad] = await Promise.all([
      script('call', ['--from', '+8613800138000', '--press', '1'], { SIMULATOR_PORT: String(simPort) }),
      script('agent', ['--user', 'agent1'], { PORT: String(port), SIMULATOR_PORT: String(simPort), PUBLIC_BASE_URL: '' }),
      script('agent', ['--user', 'agent1'], { PUBLIC_BASE_URL: '/not-a-url' }),
    ]);
    expect(call.code).to.equal(1);
    expect(call.stderr).to.match(new RegExp(`^Nothing answers at http://127\\.0\\.0\\.1:${simPort} \\(SIMULATOR_PORT=${simPort}\\)\\. .*same PORT, SIMULATOR_PORT .* or pass --sim <url>\\.$`));
    expect(agent.code).to.equal(1);
    expect(agent.stderr).to.match(new RegExp(`^Nothing answers at http://127\\.0\\.0\\.1:${port} \\(PORT=${port}\\) or http://127\\.0\\.0\\.1:${simPort} \\(SIMULATOR_PORT=${simPort}\\)\\. `));
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^Invalid PUBLIC_BASE_URL="\/not-a-url": /);
    expect(bad.stderr).to.not.include('Failed to parse URL');
  });
});
