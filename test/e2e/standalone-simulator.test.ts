// `npm run sim`: the carrier simulator as its own process, reached by the server's own REST client with the
// credentials both derive from SIMULATOR_SECRET.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { TwilioCallControl } from '../../src/telephony/call-control';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('npm run sim (the simulator as its own process)', function () {
  this.timeout(20000);

  it('listens, accepts the credentials derived from the shared secret, and answers the reads reconciliation makes', async () => {
    const env = { SIMULATOR_SECRET: randomBytes(16).toString('hex'), SIMULATOR_PORT: '0', PORT: '3999' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sim.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += String(c);
          const m = /simulator listening at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`sim exited ${code}: ${out}`)));
      });
      const config = loadConfig({ ...env, SIMULATOR_URL: url });
      expect(config.simulator?.url).to.equal(url);
      const control = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: url });
      expect(await control.liveCalls()).to.deep.equal([]);
      expect(await control.queueMembers()).to.deep.equal([]);
      expect(await control.liveConferences()).to.deep.equal([]);
      expect(await control.fetchCall(`CA${'0'.repeat(32)}`)).to.equal(undefined);
      // Other credentials are refused: the secret is what the two processes share.
      const other = loadConfig({ SIMULATOR_SECRET: randomBytes(16).toString('hex') });
      const stranger = new TwilioCallControl({ accountSid: other.twilio.accountSid, authToken: other.twilio.authToken, apiBaseUrl: url });
      const refused = await stranger.liveCalls().then(() => 0, (err: { status?: number }) => err.status);
      expect(refused).to.equal(401);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('the server refuses SIMULATOR_URL without SIMULATOR_SECRET, in one line', () => {
    expect(() => loadConfig({ SIMULATOR_URL: 'http://127.0.0.1:4010' })).to.throw(/^Invalid SIMULATOR_SECRET: required with SIMULATOR_URL/);
  });
});
