// SIGTERM: the web process stops taking connections, answers the webhook in flight, tells desktops it is restarting
// (WebSocket close 1012) and exits within 10 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import WebSocket from 'ws';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { callSid, freePort } from '../support/hotline-fixture';
import { openHoursTimeZone, startServerProcess, type ServerProcess } from '../support/server-process';

describe('graceful shutdown on SIGTERM (the web process as a child)', function () {
  this.timeout(30000);
  let dir: string;
  let server: ServerProcess | undefined;

  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the webhook in flight, closes sockets with 1012 "server restarting", refuses new connections, exits 0 within 10 s', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-term-'));
    const env = { PORT: String(await freePort()), DATABASE_FILE: path.join(dir, 'h.sqlite'), SIMULATOR_SECRET: randomBytes(16).toString('hex'), SIMULATOR_PORT: '0', TZ: openHoursTimeZone() };
    const config = loadConfig(env);
    const base = config.publicBaseUrl;
    server = startServerProcess(env);
    await server.waitFor(/reconciled with the carrier/);

    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'dispatcher1', password: 'hotline-demo' }) });
    const token = ((await login.json()) as { token: string }).token;
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, ['bearer', token]);
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));

    // A new call's webhook, signed as the carrier signs it, is in flight: headers and half the body are sent.
    const params = { CallSid: callSid(), From: '+8615000000401', To: config.hotlineNumber, CallStatus: 'ringing', Direction: 'inbound', AccountSid: config.twilio.accountSid };
    const body = new URLSearchParams(params).toString();
    const signature = twilio.getExpectedTwilioSignature(config.twilio.authToken, `${base}/twilio/voice`, params);
    let req!: http.ClientRequest;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req = http.request(`${base}/twilio/voice`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), 'X-Twilio-Signature': signature } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 20));
    await new Promise((r) => setTimeout(r, 100));

    const t0 = Date.now();
    server.child.kill('SIGTERM');
    await server.waitFor(/SIGTERM: shutting down/);

    // The socket is told the server is restarting, so the desktop reconnects.
    expect(await closed).to.deep.equal({ code: 1012, reason: 'server restarting' });
    // No new connections are taken.
    const refused = await fetch(`${base}/health`).then(
      () => 'answered',
      (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
    );
    expect(refused).to.equal('ECONNREFUSED');

    // The rest of the webhook's body arrives: it is answered with the IVR's TwiML, not dropped.
    req.end(body.slice(20));
    const got = await answer;
    expect(got.status).to.equal(200);
    expect(got.text).to.match(/^<\?xml[\s\S]*<Response>[\s\S]*<Gather/);

    const exit = await server.exited;
    expect(exit.code).to.equal(0);
    const took = Date.now() - t0;
    if (process.env.TEST_LOG) console.log(`exited ${took} ms after SIGTERM`);
    expect(took).to.be.below(10000);
    // What the webhook wrote was committed before the process went.
    server = startServerProcess({ ...env, SEED_DEMO_DATA: 'false' });
    await server.waitFor(/reconciled with the carrier/);
    expect(server.lines.some((l) => /reconciled with the carrier/.test(l) && /close-call/.test(l)), 'the call the webhook created was in the database at restart').to.equal(true);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
