import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/config';
import { clientAddress, parseTrustProxy, trustFunction } from '../../src/http/trust-proxy';

const LIVE = {
  TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32),
  TWILIO_AUTH_TOKEN: 'secret',
  PUBLIC_BASE_URL: 'https://hotline.example.com',
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('production guards in the configuration', () => {
  it('refuses NODE_ENV=production without Twilio credentials, in one line, instead of running the simulator', () => {
    const message = configError({ NODE_ENV: 'production' });
    expect(message).to.equal(
      'Invalid NODE_ENV=production: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required in production (the carrier simulator is for development only)',
    );
    expect(message).not.to.include('\n');
    expect(loadConfig({ NODE_ENV: 'production', ...LIVE }).simulator).to.equal(undefined);
  });

  it('seeds demo data only in simulator mode, whatever SEED_DEMO_DATA says', () => {
    expect(loadConfig({}).seedDemoData).to.equal(true);
    expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seedDemoData).to.equal(false);
    expect(loadConfig({ ...LIVE }).seedDemoData).to.equal(false);
    expect(loadConfig({ ...LIVE, SEED_DEMO_DATA: 'true' }).seedDemoData).to.equal(false);
  });

  it('reads TRUST_PROXY as a hop count or a list of proxy addresses and subnets; loopback by default', () => {
    expect(loadConfig({}).trustProxy).to.deep.equal(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).to.equal(0);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 2001:db8::1,loopback' }).trustProxy).to.deep.equal(['10.0.0.0/8', '2001:db8::1', 'loopback']);
    expect(configError({ TRUST_PROXY: 'true' })).to.match(/^Invalid TRUST_PROXY="true": "true" is neither a hop count/);
    expect(configError({ TRUST_PROXY: '10.0.0.0/33' })).to.match(/^Invalid TRUST_PROXY/);
    expect(() => parseTrustProxy('lb.internal')).to.throw(/"lb.internal" is neither/);
  });
});

describe('client address behind proxies (TRUST_PROXY)', () => {
  const request = (peer: string, forwardedFor?: string) =>
    ({ socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

  it('believes X-Forwarded-For only from trusted proxies, walking from the nearest hop', () => {
    const lb = trustFunction(parseTrustProxy('10.0.0.0/8'));
    expect(clientAddress(request('10.0.0.5', '198.51.100.7'), lb)).to.equal('198.51.100.7');
    expect(clientAddress(request('::ffff:10.0.0.5', '198.51.100.7'), lb)).to.equal('198.51.100.7');
    // A client's own forged entry sits left of what the proxy appended: it is not reached.
    expect(clientAddress(request('10.0.0.5', '1.2.3.4, 198.51.100.7'), lb)).to.equal('198.51.100.7');
    expect(clientAddress(request('203.0.113.9', '198.51.100.7'), lb)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.5'), lb)).to.equal('10.0.0.5');
  });

  it('with a hop count believes that many proxies, and with 0 none', () => {
    expect(clientAddress(request('10.0.0.5', '1.2.3.4, 198.51.100.7'), trustFunction(1))).to.equal('198.51.100.7');
    expect(clientAddress(request('10.0.0.5', '1.2.3.4, 198.51.100.7'), trustFunction(2))).to.equal('1.2.3.4');
    expect(clientAddress(request('10.0.0.5', '198.51.100.7'), trustFunction(0))).to.equal('10.0.0.5');
    expect(clientAddress(request('127.0.0.1', '198.51.100.7'), trustFunction(['loopback']))).to.equal('198.51.100.7');
  });
});
