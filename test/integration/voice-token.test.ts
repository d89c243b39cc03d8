import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express from 'express';
import winston from 'winston';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { authRoutes } from '../../src/http/auth.routes';
import { voiceRoutes } from '../../src/http/voice.routes';
import { AuditRepo } from '../../src/audit/audit.repo';
import { apiErrorHandler } from '../../src/http/api-errors';
import { agentIdentity, VoiceTokenIssuer } from '../../src/telephony/voice-token';
import { CarrierSimulator } from '../../src/sim/index';
import { verifyVoiceToken } from '../../src/sim/access-token';
import { Invalid } from '../../src/errors/domain-errors';
import { TEST_PASSWORD_COST } from '../support/password-cost';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const credentials = () => ({ accountSid: `AC${hex(16)}`, authToken: hex(16), apiKeySid: `SK${hex(16)}`, apiKeySecret: hex(16), twimlAppSid: `AP${hex(16)}` });

describe('softphone access tokens', () => {
  let creds: ReturnType<typeof credentials>;
  let issuer: VoiceTokenIssuer;
  let sim: CarrierSimulator;

  beforeEach(() => {
    creds = credentials();
    issuer = new VoiceTokenIssuer({ accountSid: creds.accountSid, apiKeySid: creds.apiKeySid, apiKeySecret: creds.apiKeySecret, twimlAppSid: creds.twimlAppSid });
    sim = new CarrierSimulator({ accountSid: creds.accountSid, authToken: creds.authToken, apiKeySid: creds.apiKeySid, apiKeySecret: creds.apiKeySecret, numbers: {} });
  });

  afterEach(() => sim.close());

  it('names the softphone after the agent: agent-<username>', () => {
    expect(agentIdentity({ username: 'agent1' })).to.equal('agent-agent1');
  });

  it('issues a one-hour token the carrier simulator accepts for that identity, with incoming calls and the TwiML app', () => {
    const before = Date.now();
    const t = issuer.issue({ id: 1, username: 'agent1' });
    expect(t.identity).to.equal('agent-agent1');
    expect(t.expiresAt.getTime() - before).to.be.within(3600_000 - 2000, 3600_000 + 1000);

    const grant = verifyVoiceToken(t.token, creds.apiKeySecret, { apiKeySid: creds.apiKeySid, accountSid: creds.accountSid });
    expect(grant).to.deep.equal({ identity: 'agent-agent1', incomingAllow: true, outgoingApplicationSid: creds.twimlAppSid });

    const phone = sim.registerSoftphone({ identity: 'agent-agent1', token: t.token });
    expect(phone.identity).to.equal('agent-agent1');
    expect(sim.endpoints.softphone('agent-agent1')).to.equal(phone);
  });

  it("is refused for another agent's identity, and when signed by another API key", () => {
    const t = issuer.issue({ id: 1, username: 'agent1' });
    expect(() => sim.registerSoftphone({ identity: 'agent-agent2', token: t.token })).to.throw(/access token is for agent-agent1, not agent-agent2/);
    expect(sim.endpoints.softphone('agent-agent2')).to.equal(undefined);

    const other = credentials();
    const forged = new VoiceTokenIssuer({ accountSid: creds.accountSid, apiKeySid: creds.apiKeySid, apiKeySecret: other.apiKeySecret, twimlAppSid: creds.twimlAppSid }).issue({ id: 2, username: 'agent2' });
    expect(() => sim.registerSoftphone({ identity: 'agent-agent2', token: forged.token })).to.throw(/signature is invalid/);
  });

  it('refuses a username that cannot be a client identity', () => {
    expect(() => issuer.issue({ id: 9, username: 'li na' })).to.throw(Invalid, /cannot be a softphone identity/);
  });

  it('is built from the config only when the API key, secret and TwiML app are set', () => {
    expect(VoiceTokenIssuer.fromConfig({ accountSid: creds.accountSid })).to.equal(undefined);
    expect(VoiceTokenIssuer.fromConfig({ accountSid: creds.accountSid, apiKey: creds.apiKeySid, apiSecret: creds.apiKeySecret, twimlAppSid: creds.twimlAppSid })).to.be.instanceOf(VoiceTokenIssuer);
  });

  describe('GET /api/voice/token (through HTTP)', () => {
    let db: Db;
    let server: http.Server;
    let base: string;

    beforeEach(async () => {
      db = openDatabase(':memory:');
      seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
      const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), options: { passwordCost: TEST_PASSWORD_COST } });
      const app = express();
      app.use(express.json());
      app.use(authRoutes({ auth }));
      app.use(voiceRoutes({ auth, voiceToken: issuer, audit: new AuditRepo(db) }));
      app.use(apiErrorHandler(winston.createLogger({ silent: true })));
      server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.$client.close();
    });

    const login = async (username: string) => {
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      expect(res.status).to.equal(200);
      return ((await res.json()) as { token: string }).token;
    };
    const getToken = (bearer?: string) => fetch(`${base}/api/voice/token`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

    it('answers 401 without a token and 403 for roles without a softphone', async () => {
      const none = await getToken();
      expect(none.status).to.equal(401);
      expect((await none.json()).error).to.equal('unauthorized');
      // Quality controllers have a softphone to listen in on live calls; the admin and departments have none.
      expect((await getToken(await login('qc1'))).status).to.equal(200);
      const admin = await getToken(await login('admin1'));
      expect(admin.status).to.equal(403);
      expect(await admin.json()).to.deep.equal({ error: 'forbidden', message: 'This needs one of the roles: agent, team_lead, dispatcher, quality_controller, supervisor' });
      expect((await getToken(await login('warehouse1'))).status).to.equal(403);
    });

    it("gives an agent a token for its own identity that registers the agent's softphone", async () => {
      const res = await getToken(await login('agent1'));
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const body = (await res.json()) as { token: string; identity: string; expiresAt: string; mode: string };
      expect(body.identity).to.equal('agent-agent1');
      expect(body.mode).to.equal('live'); // the console's softphone is the Voice SDK unless the server says simulator
      expect(Date.parse(body.expiresAt) - Date.now()).to.be.within(3600_000 - 5000, 3600_000 + 1000);
      expect(sim.registerSoftphone({ identity: body.identity, token: body.token }).identity).to.equal('agent-agent1');
      expect(() => sim.registerSoftphone({ identity: 'agent-agent2', token: body.token })).to.throw(/not agent-agent2/);
    });

    it('serves the lead, the dispatcher and the supervisor too, each with their own identity', async () => {
      for (const username of ['lead1', 'dispatcher1', 'supervisor1']) {
        const res = await getToken(await login(username));
        expect(res.status, username).to.equal(200);
        const body = (await res.json()) as { token: string; identity: string };
        expect(body.identity).to.equal(`agent-${username}`);
        expect(verifyVoiceToken(body.token, creds.apiKeySecret, { apiKeySid: creds.apiKeySid, accountSid: creds.accountSid }).identity).to.equal(`agent-${username}`);
      }
    });
  });
});
