// Signing out through the API takes an agent off the floor, whatever client they used (not only the console).
import { expect } from 'chai';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { startHotline, type Fixture } from '../support/hotline-fixture';

describe('POST /api/auth/logout for an agent', () => {
  let f: Fixture;
  beforeEach(async () => (f = await startHotline()));
  afterEach(() => f.close());

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(f.base + path, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const login = async (username: string) => (await call('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD })).json as { token: string; staff: { id: number } };

  it('an available agent goes offline, and the token no longer works', async () => {
    const { token, staff } = await login('agent1');
    expect((await call('PUT', '/api/agents/me/state', token, { state: 'available' })).json.state).to.equal('available');
    expect((await call('POST', '/api/auth/logout', token)).status).to.equal(204);
    expect(f.hotline.presence.get(staff.id)).to.include({ state: 'offline', nextState: null });
    expect((await call('GET', '/api/auth/me', token)).status).to.equal(401);
  });

  it('an agent on a break goes offline; one already offline stays so; a supervisor signing out changes no presence', async () => {
    const a = await login('agent2');
    await call('PUT', '/api/agents/me/state', a.token, { state: 'break', reason: 'lunch' });
    expect((await call('POST', '/api/auth/logout', a.token)).status).to.equal(204);
    expect(f.hotline.presence.get(a.staff.id).state).to.equal('offline');

    const b = await login('agent3');
    expect((await call('POST', '/api/auth/logout', b.token)).status).to.equal(204);
    expect(f.hotline.presence.get(b.staff.id).state).to.equal('offline');

    const s = await login('supervisor1');
    expect((await call('POST', '/api/auth/logout', s.token)).status).to.equal(204);
  });
});
