// The API described once: the OpenAPI document and reference page are served, and real answers of the main routes
// match the shapes the document gives them (validated with the very zod schemas it is built from). That every
// route is described, with the right roles, is checked in route-roles.test.ts against the registered routers.
import { expect } from 'chai';
import type { z } from 'zod';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { API_ROUTES, answerSchema, openApiPath, type ApiRoute } from '../../src/http/api-description';
import { EXAMPLE_ORDER, EXAMPLE_RMA } from '../../src/http/api-shapes';
import { startHotline, type Fixture } from '../support/hotline-fixture';

type Json = Record<string, any>;

describe('API document: /api/openapi.json, /api/docs, and real answers against it', () => {
  let f: Fixture;
  let doc: Json;
  const tokens = new Map<string, string>();

  before(async () => {
    f = await startHotline();
    const res = await fetch(`${f.base}/api/openapi.json`);
    expect(res.status).to.equal(200);
    doc = (await res.json()) as Json;
  });
  after(async () => {
    await f.close();
  });

  const send = async (method: string, path: string, o: { token?: string; key?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.key) headers['x-integration-key'] = o.key;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(f.base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const token = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, (await send('POST', '/api/auth/login', { body: { username, password: DEMO_PASSWORD } })).body.token);
    return tokens.get(username)!;
  };

  const routeOf = (method: string, path: string): ApiRoute => {
    const r = API_ROUTES.find((x) => x.method === method.toLowerCase() && x.path === path);
    if (!r) throw new Error(`not described: ${method} ${path}`);
    return r;
  };

  /** Holds a real answer against the route's documented shape for its status; returns the parsed answer. */
  function conforms(method: string, routePath: string, answer: { status: number; body: unknown }): unknown {
    const documented = doc.paths[openApiPath(routePath)]?.[method.toLowerCase()]?.responses ?? {};
    expect(Object.keys(documented), `${method} ${routePath}: the document lists status ${answer.status}`).to.include(String(answer.status));
    const schema = answerSchema(routeOf(method, routePath), answer.status) as z.ZodType | undefined;
    expect(schema, `${method} ${routePath} ${answer.status}: a shape in the document`).to.not.equal(undefined);
    const parsed = schema!.safeParse(answer.body);
    expect(parsed.success, `${method} ${routePath} ${answer.status}: ${parsed.success ? '' : parsed.error.message}\n${JSON.stringify(answer.body).slice(0, 400)}`).to.equal(true);
    return parsed.data;
  }

  describe('the document', () => {
    it('is OpenAPI 3.1, public, with security schemes for staff tokens and integration keys and the error format', () => {
      expect(doc.openapi).to.equal('3.1.0');
      expect(doc.info.title).to.be.a('string').and.not.empty;
      expect(doc.components.securitySchemes).to.have.keys('staffToken', 'integrationKey', 'integrationKeyBearer');
      expect(doc.components.schemas.Error.required).to.have.members(['error', 'message']);
      expect(doc.components.schemas.Error.properties).to.have.keys('error', 'message', 'details');
    });

    it('gives every operation a summary, its roles (x-roles, and in words), security, and error answers', () => {
      const problems: string[] = [];
      let operations = 0;
      for (const [p, item] of Object.entries(doc.paths as Json)) {
        for (const [method, op] of Object.entries(item as Json)) {
          operations++;
          const name = `${method.toUpperCase()} ${p}`;
          if (!op.summary) problems.push(`${name}: no summary`);
          if (!op['x-roles']) problems.push(`${name}: no x-roles`);
          if (!/\*\*(Roles|Access):\*\*/.test(op.description ?? '')) problems.push(`${name}: roles not in the description`);
          if (!op.responses?.default?.content?.['application/json']?.schema?.$ref?.endsWith('/Error')) problems.push(`${name}: no default error answer`);
          const isPublic = op['x-roles'] === 'public';
          if (isPublic !== (op.security?.length === 0)) problems.push(`${name}: security does not match x-roles`);
          if (!isPublic && !op.responses['401']) problems.push(`${name}: no 401`);
        }
      }
      expect(problems).to.deep.equal([]);
      expect(operations).to.equal(API_ROUTES.length);
    });

    it('has every $ref resolve to a component, and unique operation ids', () => {
      const refs = new Set<string>();
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k === '$ref' && typeof x === 'string') refs.add(x);
            else walk(x);
          }
        }
      };
      walk(doc);
      expect(refs.size).to.be.greaterThan(5);
      const unresolved = [...refs].filter((r) => {
        const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(r) ?? [];
        return !kind || !doc.components[kind]?.[name];
      });
      expect(unresolved).to.deep.equal([]);
      const ids = Object.values(doc.paths as Json).flatMap((item) => Object.values(item as Json).map((op) => (op as Json).operationId as string));
      expect(new Set(ids).size).to.equal(ids.length);
    });

    it('describes request bodies from the routes’ own schemas, and the intake with the worked example', () => {
      const state = doc.paths['/api/agents/me/state'].put.requestBody.content['application/json'];
      expect(JSON.stringify(state.schema)).to.include('available').and.include('wrap_up');
      const intake = doc.paths['/api/intake/orders'].post;
      expect(intake['x-roles']).to.equal('integration-key');
      expect(intake.security).to.deep.equal([{ integrationKey: [] }, { integrationKeyBearer: [] }]);
      expect(intake.requestBody.content['application/json'].example).to.deep.equal(EXAMPLE_ORDER);
      expect(Object.keys(intake.responses)).to.include.members(['200', '201', '401', '403', '413', '422']);
      const audit = doc.paths['/api/audit'].get;
      expect(audit.parameters.map((p: Json) => p.name)).to.include.members(['actorId', 'actionPrefix', 'subjectType', 'subjectId', 'outcome', 'from', 'to', 'format']);
      expect(audit.responses['200'].content).to.have.keys('application/json', 'text/csv');
    });
  });

  describe('the reference page /api/docs', () => {
    it('serves Swagger UI from the package under a CSP that keeps scripts on self', async () => {
      const page = await fetch(`${f.base}/api/docs`);
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('/api/docs/assets/swagger-ui-bundle.js').and.include('/api/docs/assets/start.js').and.not.include('https://');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).to.include("script-src 'self'").and.include("style-src 'self' 'unsafe-inline'");
      expect(csp).not.to.match(/script-src[^;]*unsafe-inline/);
      const bundle = await fetch(`${f.base}/api/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).to.equal(200);
      expect(bundle.headers.get('content-type')).to.match(/javascript/);
      expect((await bundle.text()).length).to.be.greaterThan(100_000);
      const start = await (await fetch(`${f.base}/api/docs/assets/start.js`)).text();
      expect(start).to.include("url: '/api/openapi.json'");
    });

    it('serves only its own few files: anything else of the package, or a path outside it, is 404', async () => {
      for (const file of ['package.json', 'index.html', '..%2F..%2Fpackage.json', 'absolute-path.js']) {
        const res = await fetch(`${f.base}/api/docs/assets/${file}`);
        expect(res.status, file).to.equal(404);
        expect(((await res.json()) as Json).error).to.equal('not_found');
      }
    });
  });

  describe('real answers of the main routes match the document', () => {
    it('auth: login, me, and a refused login', async () => {
      const login = await send('POST', '/api/auth/login', { body: { username: 'agent1', password: DEMO_PASSWORD } });
      expect(login.status).to.equal(200);
      conforms('POST', '/api/auth/login', login);
      tokens.set('agent1', login.body.token);
      conforms('GET', '/api/auth/me', await send('GET', '/api/auth/me', { token: login.body.token }));
      const refused = await send('POST', '/api/auth/login', { body: { username: 'agent1', password: 'wrong-password-1' } });
      expect(refused.status).to.equal(401);
      conforms('POST', '/api/auth/login', refused);
      const invalid = await send('POST', '/api/auth/login', { body: {} });
      expect(invalid.status).to.equal(400);
      const error = conforms('POST', '/api/auth/login', invalid) as Json;
      expect(error.details).to.be.an('array').that.is.not.empty;
    });

    it('agents/me, floor, queues', async () => {
      const me = await send('GET', '/api/agents/me', { token: await token('agent1') });
      expect(me.status).to.equal(200);
      conforms('GET', '/api/agents/me', me);
      const floor = await send('GET', '/api/floor', { token: await token('dispatcher1') });
      expect(floor.status).to.equal(200);
      expect(floor.body.queues.length).to.be.greaterThan(0);
      conforms('GET', '/api/floor', floor);
      const queues = await send('GET', '/api/queues', { token: await token('supervisor1') });
      expect(queues.status).to.equal(200);
      conforms('GET', '/api/queues', queues);
      const put = await send('PUT', '/api/queues/front-general', { token: await token('supervisor1'), body: { desk: 'front', serviceLevelSeconds: 20 } });
      expect(put.status).to.equal(200);
      conforms('PUT', '/api/queues/:name', put);
      const forbidden = await send('GET', '/api/floor', { token: await token('agent1') });
      expect(forbidden.status).to.equal(403);
      conforms('GET', '/api/floor', forbidden);
    });

    it('callbacks and recordings lists, audit', async () => {
      f.hotline.repos.callbacks.add({ phone: '+8613900000001', reason: 'api document probe', requestedAt: f.clock.now(), desk: 'front' });
      const callbacks = await send('GET', '/api/callbacks', { token: await token('dispatcher1') });
      expect(callbacks.status).to.equal(200);
      expect(callbacks.body.items.length).to.be.greaterThan(0);
      conforms('GET', '/api/callbacks', callbacks);
      const recordings = await send('GET', '/api/recordings', { token: await token('supervisor1') });
      expect(recordings.status).to.equal(200);
      conforms('GET', '/api/recordings', recordings);
      const audit = await send('GET', '/api/audit?limit=5', { token: await token('supervisor1') });
      expect(audit.status).to.equal(200);
      expect(audit.body.entries.length).to.be.greaterThan(0);
      conforms('GET', '/api/audit', audit);
    });

    it('intake: the worked examples, a batch, and a rejected record', async () => {
      const made = await send('POST', '/api/integration-keys', { token: await token('admin1'), body: { name: 'api document probe' } });
      expect(made.status).to.equal(201);
      const key = made.body.key as string;
      const order = await send('POST', '/api/intake/orders', { key, body: EXAMPLE_ORDER });
      expect(order.status, JSON.stringify(order.body)).to.equal(201);
      conforms('POST', '/api/intake/orders', order);
      const again = await send('POST', '/api/intake/orders', { key, body: EXAMPLE_ORDER });
      expect(again.status).to.equal(200);
      expect(again.body.result).to.equal('unchanged');
      conforms('POST', '/api/intake/orders', again);
      const rma = await send('POST', '/api/intake/rmas', { key, body: EXAMPLE_RMA });
      expect(rma.status, JSON.stringify(rma.body)).to.equal(201);
      conforms('POST', '/api/intake/rmas', rma);
      const batch = await send('POST', '/api/intake/orders', { key, body: { records: [{ ...EXAMPLE_ORDER, number: 'ERP-20261123-0002' }, { ...EXAMPLE_ORDER, number: 'ERP-20261123-0003', placedAt: 'yesterday' }] } });
      expect(batch.status).to.equal(200);
      expect(batch.body).to.include({ created: 1, rejected: 1 });
      conforms('POST', '/api/intake/orders', batch);
      const rejected = await send('POST', '/api/intake/orders', { key, body: { ...EXAMPLE_ORDER, number: 'ERP-20261123-0004', customer: { ...EXAMPLE_ORDER.customer, phone: '12345' } } });
      expect(rejected.status).to.equal(422);
      conforms('POST', '/api/intake/orders', rejected);
      const noKey = await send('POST', '/api/intake/orders', { body: EXAMPLE_ORDER });
      expect(noKey.status).to.equal(401);
      conforms('POST', '/api/intake/orders', noKey);
    });
  });
});
