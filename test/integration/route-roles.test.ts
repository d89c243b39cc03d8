// Who may call which route: every route of the staff API against every role, through real HTTP and real tokens.
// To cover a new module: add its router factory to ROUTERS and its routes to ROUTE_ROLES.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Router } from 'express';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor, type Transact } from '../../src/db/transaction';
import { ROLES, staff, type Role } from '../../src/db/schema/index';
import { seedDemoStaff, DEMO_PASSWORD, DEMO_STAFF } from '../../src/db/seed/demo-staff';
import { hashPasswordSync } from '../../src/auth/password';
import { createLogger } from '../../src/logging/logger';
import { EventBus } from '../../src/events/domain-events';
import type { Clock } from '../../src/ivr/ivr-call.service';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { StaffAdminRepo } from '../../src/staff/staff-admin.repo';
import { StaffAdminService } from '../../src/staff/staff-admin.service';
import { AgentDesksRepo } from '../../src/acd/agent-desks.repo';
import { DesksService } from '../../src/acd/desks.service';
import { QueueSettingsRepo } from '../../src/acd/queue-settings.repo';
import { QueueSettingsService } from '../../src/acd/queue-settings.service';
import { createApiApp } from '../../src/http/app';
import { authRoutes } from '../../src/http/auth.routes';
import { staffRoutes } from '../../src/http/staff.routes';
import { agentsRoutes } from '../../src/http/agents.routes';
import { queuesRoutes } from '../../src/http/queues.routes';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * [method, path, roles allowed, sample body]. `{username}` in the path becomes that demo account's id
 * (`/api/agents/{agent6}/desks`). Cases run in order against one database, so a sample body should leave
 * things as it found them (or only add), and must not sign anyone out.
 */
export type RouteRoleCase = readonly [method: Method, path: string, allowed: readonly Role[], body?: unknown];

const EVERYONE = ROLES;
const FLOOR = ['dispatcher', 'team_lead', 'supervisor', 'admin'] as const satisfies readonly Role[];

export const ROUTE_ROLES: readonly RouteRoleCase[] = [
  ['GET', '/api/auth/me', EVERYONE],
  ['GET', '/api/staff', ['admin', 'supervisor']],
  ['POST', '/api/staff', ['admin'], { username: 'roles-probe', displayName: 'Probe', role: 'quality_controller', password: 'probe-password-1' }],
  ['PATCH', '/api/staff/{agent5}', ['admin'], { displayName: '刘洋' }],
  ['GET', '/api/teams', FLOOR],
  ['GET', '/api/agents', FLOOR],
  ['PUT', '/api/agents/{agent6}/desks', ['dispatcher', 'supervisor', 'admin'], { desks: [{ desk: 'back', skill: 4 }, { desk: 'front', skill: 3 }] }],
  ['GET', '/api/queues', FLOOR],
  ['PUT', '/api/queues/front-general', ['supervisor', 'admin'], {}],
];

/** What a router factory gets to build its services from. */
export interface Harness {
  db: Db;
  transact: Transact;
  events: EventBus;
  auth: AuthService;
  clock: Clock;
}

export const ROUTERS: readonly ((h: Harness) => Router)[] = [
  (h) => authRoutes(h),
  (h) => staffRoutes({ ...h, staffAdmin: new StaffAdminService({ staff: new StaffAdminRepo(h.db), ...h }) }),
  (h) => agentsRoutes({ ...h, desks: new DesksService({ desks: new AgentDesksRepo(h.db), ...h }) }),
  (h) => queuesRoutes({ ...h, queues: new QueueSettingsService({ queues: new QueueSettingsRepo(h.db), ...h }) }),
];

describe('route roles: who may call which route', () => {
  let db: Db;
  let server: http.Server;
  let base: string;
  const tokens = new Map<Role, string>();
  const ids = new Map<string, number>();

  before(async () => {
    db = openDatabase(':memory:');
    seedDemoStaff(db);
    const transact = transactor(db);
    const staffRepo = new StaffRepo(db);
    // Any role the demo seed lacks gets an account here, so every role is tried.
    for (const role of ROLES.filter((r) => !DEMO_STAFF.some((m) => m.role === r))) {
      staffRepo.createStaff({ username: `probe-${role}`, displayName: role, role, department: role === 'department' ? 'warehouse' : null, passwordHash: hashPasswordSync(DEMO_PASSWORD), createdAt: new Date() });
    }
    const h: Harness = { db, transact, events: new EventBus(), auth: new AuthService({ staff: staffRepo, transact }), clock: { now: () => new Date() } };
    const api = createApiApp({ log: createLogger('error', true), health: () => ({ ok: true, simulator: false }), routers: ROUTERS.map((r) => r(h)) });
    server = http.createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const accounts = db.select({ id: staff.id, username: staff.username, role: staff.role }).from(staff).orderBy(staff.id).all();
    for (const a of accounts) ids.set(a.username, a.id);
    for (const role of ROLES) {
      const { username } = accounts.find((a) => a.role === role)!;
      const res = await request('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD });
      expect(res.status, `login as ${username}`).to.equal(200);
      tokens.set(role, (res.body as { token: string }).token);
    }
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  async function request(method: Method, path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = `(not JSON) ${text.slice(0, 80)}`;
    }
    return { status: res.status, body: json };
  }

  function shortly(body: unknown): string {
    const text = JSON.stringify(body);
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }

  const resolvePath = (path: string) =>
    path.replace(/\{([\w.-]+)\}/g, (_m, username: string) => {
      const id = ids.get(username);
      if (id === undefined) throw new Error(`route table: no demo account ${username}`);
      return String(id);
    });

  it('has one account signed in for every role', () => {
    expect([...tokens.keys()].sort()).to.deep.equal([...ROLES].sort());
  });

  for (const [method, template, allowed, body] of ROUTE_ROLES) {
    it(`${method} ${template}: 401 without a token, 403 for ${ROLES.filter((r) => !allowed.includes(r)).join(', ') || 'nobody'}, through for ${allowed.join(', ')}`, async () => {
      const path = resolvePath(template);
      const anonymous = await request(method, path, undefined, body);
      expect(anonymous.status, `${method} ${path} without a token (404: no such route?)`).to.equal(401);
      expect(anonymous.body).to.have.property('error', 'unauthorized');

      const wrong: string[] = [];
      for (const role of ROLES) {
        const res = await request(method, path, tokens.get(role), body);
        const { error, message } = (res.body ?? {}) as { error?: unknown; message?: unknown };
        if (allowed.includes(role)) {
          if (res.status === 401 || res.status === 403) wrong.push(`${role}: allowed but got ${res.status} ${shortly(res.body)}`);
          else if (res.status === 404 && message === 'No such route') wrong.push(`${role}: no such route (a typo in the table?)`);
        } else if (res.status !== 403 || error !== 'forbidden' || typeof message !== 'string' || Object.keys(res.body as object).length !== 2) {
          wrong.push(`${role}: expected 403 {error:'forbidden', message}, got ${res.status} ${shortly(res.body)}`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  }
});
