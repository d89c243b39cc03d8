// One simulated call followed by one search: the webhooks it makes, the job its voicemail causes (through the outbox
// and real Redis) and the carrier REST request that job makes all log the call's CallSid as `correlationId`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import Redis from 'ioredis';
import winston from 'winston';
import { createLogger } from '../../src/logging/logger';
import { correlationId, withCorrelation, withCorrelationId } from '../../src/logging/correlation';
import { startBackground } from '../../src/background';
import { TwilioCallControl } from '../../src/telephony/call-control';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AFTER_HOURS, OPEN_HOURS } from '../support/hotline-fixture';
import { AgentDesk } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import { VOICEMAIL_DOWNLOAD } from '../../src/recordings/voicemail-download';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STRANGER = '+8615012345678';

interface Line {
  message: string;
  level: string;
  correlationId?: string;
  [key: string]: unknown;
}

/** The project's logger (createLogger) writing JSON-ready entries to an array. */
function capturing() {
  const lines: Line[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Line, _enc, done) {
      lines.push({ ...info });
      done();
    },
  });
  return { lines, log: createLogger('debug', false, [new winston.transports.Stream({ stream })]) };
}

describe('correlation ids', () => {
  it('stay with async work started inside withCorrelation, and ride along in a job payload', async () => {
    const seen = await withCorrelation('CAabc', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return correlationId();
    });
    expect(seen).to.equal('CAabc');
    expect(correlationId()).to.equal(undefined);
    expect(withCorrelation('CAabc', () => withCorrelationId({ callSid: 'CAx' }))).to.deep.equal({ callSid: 'CAx', correlationId: 'CAabc' });
    expect(withCorrelationId({ callSid: 'CAx' }), 'outside a webhook nothing is added').to.deep.equal({ callSid: 'CAx' });
  });

  describe('one simulated call across webhook, job and carrier REST', function () {
    this.timeout(30_000);
    const prefix = `hotline-test-correlation-${process.pid}-${Date.now().toString(36)}`;
    let f: SimFixture;
    let dir: string;
    let stop: () => Promise<void> = async () => {};
    const { lines, log } = capturing();

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-correlation-'));
      f = await startHotlineWithSimulator({}, { log });
    });
    after(async () => {
      await stop();
      await f.close();
      await fs.rm(dir, { recursive: true, force: true });
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    it('a voicemail left after hours: every line about it carries its CallSid, in the web, job and REST parts', async () => {
      // The worker's side as `npm run worker` has it: its own logger child ({process: 'worker'}) and its own REST client.
      const workerLog = log.child({ process: 'worker' });
      const callControl = new TwilioCallControl({ accountSid: f.config.twilio.accountSid, authToken: f.config.twilio.authToken, apiBaseUrl: f.sim.baseUrl, log: workerLog.child({ component: 'carrier' }) });
      const bg = startBackground({ config: f.config, db: f.hotline.db, log: workerLog, callControl, prefix, recordingsDir: dir });
      stop = () => bg.stop();

      f.clock.set(AFTER_HOURS);
      const c = await f.call(STRANGER, [{ press: '1' }, { press: '2' }, { say: '请给我回电话' }, { press: '#' }]);
      expect(c.heard().join(' | ')).to.include('您的留言已收到');
      await eventually(() => expect(f.hotline.repos.voicemails.forCall(c.sid)?.localPath).to.be.a('string'), 15_000);
      await eventually(() => expect(lines.filter((l) => l.message === 'job done' && l.correlationId === c.sid)).to.have.length(1));

      const mine = lines.filter((l) => l.correlationId === c.sid);
      const webhooks = mine.filter((l) => l.message === 'webhook answered');
      const jobs = mine.filter((l) => l.message === 'job done');
      const rest = mine.filter((l) => l.message === 'carrier REST request');
      expect(webhooks.length, 'webhook lines').to.be.at.least(3);
      expect(webhooks.map((l) => l.path)).to.include('/twilio/voice');
      expect(jobs[0]).to.include({ process: 'worker', queue: VOICEMAIL_DOWNLOAD.queue, name: VOICEMAIL_DOWNLOAD.name });
      expect(rest.length, 'carrier REST lines').to.be.at.least(1);
      expect(rest[0]).to.include({ process: 'worker', method: 'GET', status: 200 });
      expect(String(rest[0].path)).to.match(/\/Recordings\/RE[0-9a-f]{32}\.wav$/);
      // Nothing about another call carries this id, and no line of this call names the caller's full number.
      expect(mine.filter((l) => l.callSid !== undefined && l.callSid !== c.sid)).to.deep.equal([]);
      expect(JSON.stringify(mine)).to.not.include(STRANGER.slice(1));
    });

    it('a caller answered by an agent: the web process rings the agent and bridges them through the carrier REST API under the caller\'s CallSid', async () => {
      f.clock.set(OPEN_HOURS);
      const agent = await AgentDesk.signIn(f, 'agent2', { script: [{ wait: 5 }, { hangup: true }] });
      try {
        expect((await agent.setState('available')).status).to.equal(200);
        const c = await f.call('+8613911112222', [{ press: '1' }, { press: '0' }, { wait: 30 }]);
        const [ix] = f.hotline.acdRepos.interactions.forCall(c.sid);
        expect(ix?.agentId, 'answered by agent2').to.equal(agent.id);
        const mine = lines.filter((l) => l.correlationId === c.sid);
        const rest = mine.filter((l) => l.message === 'carrier REST request');
        expect(rest.length, `carrier REST lines of ${c.sid}: ${JSON.stringify(lines.filter((l) => l.message === 'carrier REST request').slice(-5))}`).to.be.at.least(1);
        expect(rest.every((l) => l.process === undefined), 'made by the web process').to.equal(true);
        expect(mine.filter((l) => l.message === 'webhook answered').map((l) => l.path)).to.include('/twilio/voice');
        // The agent's own leg is another call: its webhooks carry its own CallSid, never the caller's number.
        expect(ix.agentCallSid).to.match(/^CA/);
        expect(lines.filter((l) => l.correlationId === ix.agentCallSid && l.message === 'webhook answered').length).to.be.at.least(1);
        expect(JSON.stringify(mine)).to.not.include('8613911112222');
      } finally {
        agent.close();
      }
    });
});
});
