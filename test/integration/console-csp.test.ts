// The console's Content-Security-Policy: the server itself only, plus Twilio's hosts when the softphone is the live
// Voice SDK (its signalling WebSocket, event gateway and ring sounds).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import { expect } from 'chai';
import { createApiApp } from '../../src/http/app';

async function cspOf(liveSoftphone: boolean): Promise<string> {
  const app = createApiApp({ log: winston.createLogger({ silent: true }), health: () => ({ ok: true }) as never, routers: [], liveSoftphone });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/nothing`);
    return res.headers.get('content-security-policy') ?? '';
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('console CSP and the softphone', () => {
  it('in simulator mode the page reaches only the server (no connect-src beyond default-src self)', async () => {
    const csp = await cspOf(false);
    expect(csp).to.include("default-src 'self'");
    expect(csp).to.not.include('twilio.com');
  });

  it('with the live Voice SDK the page may reach Twilio’s signalling and gateways, and play its sounds', async () => {
    const csp = await cspOf(true);
    expect(csp).to.include("connect-src 'self' wss://*.twilio.com https://*.twilio.com");
    expect(csp).to.include("media-src 'self' https://sdk.twilio.com");
    expect(csp).to.include("script-src 'self'");
  });
});
