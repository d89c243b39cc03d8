// The API described once: the OpenAPI document and reference page are served, and real answers of the main routes
// match the shapes the document gives them (validated with the very zod schemas it is built from). That every
// route is described, with the right roles, is checked in route-roles.test.ts against the registered routers.
import { expect } from 'chai';
import type { z } from 'zod';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { API_ROUTES, answerSchema, ERROR_EXAMPLES, openApiPath, type ApiRoute } from '../../src/http/api-description';
import { apiErrorSchema, EXAMPLE_ORDER, EXAMPLE_RMA } from '../../src/http/api-shapes';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AgentDesk } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import { insertHeldOrder } from '../support/office-records';

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
    // An error answer: the document's example for that status has the same stable code as the real one.
    const example = documented[String(answer.status)]?.content?.['application/json']?.example as Json | undefined;
    if (answer.status >= 400 && example && (answer.body as Json).error !== 'invalid_record') {
      expect((answer.body as Json).error, `${method} ${routePath} ${answer.status}: the documented example's code`).to.equal(example.error);
    }
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

    it('shows an example of the error format for every error answer, in the Error shape', () => {
      let errors = 0;
      for (const [path, ops] of Object.entries(doc.paths as Json)) {
        for (const [method, op] of Object.entries(ops as Json)) {
          for (const [status, answer] of Object.entries((op as Json).responses as Json)) {
            if (status !== 'default' && Number(status) < 400) continue;
            const body = (answer as Json).content?.['application/json'];
            if (!body || (path.startsWith('/api/intake') && status === '422')) continue;
            errors++;
            expect(body.example, `${method} ${path} ${status}: an example`).to.be.an('object');
            expect(apiErrorSchema.safeParse(body.example).success, `${method} ${path} ${status}: the example is an Error`).to.equal(true);
            if (status !== 'default') expect(body.example.error, `${method} ${path} ${status}`).to.equal(ERROR_EXAMPLES[status].error);
          }
        }
      }
      expect(errors).to.be.greaterThan(300);
    });

    it('gives every route that answers JSON the shape of its answer (request and response shapes, every route)', () => {
      const shapeless: string[] = [];
      for (const r of API_ROUTES) {
        const ok = r.ok ?? {};
        if (r.tag === 'intake' || ok.binary || ok.status === 204) continue;
        if (!ok.schema) shapeless.push(`${r.method.toUpperCase()} ${r.path}`);
        const success = doc.paths[openApiPath(r.path)][r.method].responses[String(ok.status ?? 200)];
        expect(success?.content?.['application/json']?.schema, `${r.method} ${r.path}: a JSON schema in the document`).to.be.an('object');
      }
      expect(shapeless, 'routes whose answer has no shape in src/http/api-shapes.ts').to.deep.equal([]);
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

    const staffIdOf = (username: string) => (f.hotline.db.$client.prepare('SELECT id, team_id AS teamId FROM staff WHERE username = ?').get(username) as { id: number; teamId: number | null });

    it('agents: the roster, desks set, a dispatch move, a forced state', async () => {
      const dispatcher = await token('dispatcher1');
      const roster = await send('GET', '/api/agents', { token: dispatcher });
      expect(roster.status).to.equal(200);
      expect(roster.body.agents.length).to.be.greaterThan(0);
      conforms('GET', '/api/agents', roster);
      const agent6 = staffIdOf('agent6').id;
      const desks = await send('PUT', `/api/agents/${agent6}/desks`, { token: dispatcher, body: { desks: [{ desk: 'front', skill: 3 }, { desk: 'back', skill: 4 }] } });
      expect(desks.status).to.equal(200);
      conforms('PUT', '/api/agents/:id/desks', desks);
      const moved = await send('POST', `/api/floor/agents/${agent6}/move`, { token: dispatcher, body: { to: 'middle', from: 'back', reason: 'api document probe' } });
      expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
      conforms('POST', '/api/floor/agents/:id/move', moved);
      const breakless = await send('POST', `/api/floor/agents/${agent6}/end-break`, { token: dispatcher, body: { reason: 'not on a break' } });
      expect(breakless.status).to.equal(409);
      conforms('POST', '/api/floor/agents/:id/end-break', breakless);
      const forced = await send('POST', `/api/agents/${agent6}/force-state`, { token: await token('supervisor1'), body: { state: 'offline', reason: 'api document probe' } });
      expect(forced.status, JSON.stringify(forced.body)).to.equal(200);
      conforms('POST', '/api/agents/:id/force-state', forced);
    });

    it('callbacks: added, read, changed, cancelled, and one that is not there', async () => {
      const dispatcher = await token('dispatcher1');
      const added = await send('POST', '/api/callbacks', { token: dispatcher, body: { phone: '+8613900000009', reason: 'api document probe', desk: 'front' } });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      conforms('POST', '/api/callbacks', added);
      const id = added.body.id as number;
      conforms('GET', '/api/callbacks/:id', await send('GET', `/api/callbacks/${id}`, { token: dispatcher }));
      const changed = await send('PATCH', `/api/callbacks/${id}`, { token: dispatcher, body: { priority: 20, reason: 'api document probe' } });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      conforms('PATCH', '/api/callbacks/:id', changed);
      const cancelled = await send('POST', `/api/callbacks/${id}/cancel`, { token: dispatcher, body: { reason: 'api document probe' } });
      expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(200);
      expect(cancelled.body.outcome).to.equal('cancelled');
      conforms('POST', '/api/callbacks/:id/cancel', cancelled);
      const missing = await send('GET', '/api/callbacks/999999', { token: dispatcher });
      expect(missing.status).to.equal(404);
      conforms('GET', '/api/callbacks/:id', missing);
    });

    it('recordings and evaluations: one recording, an evaluation opened, listed, read, commented', async () => {
      const agent1 = staffIdOf('agent1');
      const recordingId = f.hotline.db.$client
        .prepare(
          `INSERT INTO recordings (recording_sid, call_sid, agent_id, team_id, desk, direction, started_at, duration_seconds, status, channels, customer_channel, content_type, pauses, flags, customer_phone)
           VALUES ('RE${'7'.repeat(32)}', 'CA${'7'.repeat(32)}', ?, ?, 'front', 'inbound', ?, 120, 'stored', 2, 0, 'audio/wav', '[{"start":3,"end":5}]', '["long_silence"]', '+8613800138000') RETURNING id`,
        )
        .get(agent1.id, agent1.teamId, Date.parse('2026-11-23T02:00:00Z')) as { id: number };
      const qc = await token('qc1');
      const detail = await send('GET', `/api/recordings/${recordingId.id}`, { token: await token('supervisor1') });
      expect(detail.status).to.equal(200);
      expect(detail.body.pauses).to.deep.equal([{ start: 3, end: 5 }]);
      conforms('GET', '/api/recordings/:id', detail);
      const opened = await send('POST', `/api/recordings/${recordingId.id}/evaluations`, { token: qc, body: {} });
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
      conforms('POST', '/api/recordings/:id/evaluations', opened);
      const again = await send('POST', `/api/recordings/${recordingId.id}/evaluations`, { token: qc, body: {} });
      expect(again.status, 'the same draft again').to.equal(200);
      conforms('POST', '/api/recordings/:id/evaluations', again);
      const comment = await send('POST', `/api/evaluations/${opened.body.id}/comments`, { token: qc, body: { atSeconds: 12.5, text: 'greets late' } });
      expect(comment.status, JSON.stringify(comment.body)).to.equal(201);
      conforms('POST', '/api/evaluations/:id/comments', comment);
      const list = await send('GET', '/api/evaluations', { token: qc });
      expect(list.status).to.equal(200);
      expect(list.body.length).to.be.greaterThan(0);
      conforms('GET', '/api/evaluations', list);
      const one = await send('GET', `/api/evaluations/${opened.body.id}`, { token: qc });
      expect(one.body.comments).to.have.length(1);
      conforms('GET', '/api/evaluations/:id', one);
      const withEvaluation = await send('GET', `/api/recordings/${recordingId.id}`, { token: qc });
      expect(withEvaluation.body.evaluations).to.have.length(1);
      expect(withEvaluation.body.comments).to.have.length(1);
      conforms('GET', '/api/recordings/:id', withEvaluation);
    });

    it('reports: contact-center, staffing and quality; a bad range is the documented error', async () => {
      const sup = await token('supervisor1');
      const range = 'from=2026-11-23&to=2026-11-24';
      const cc = await send('GET', `/api/reports/contact-center?${range}&interval=day`, { token: sup });
      expect(cc.status).to.equal(200);
      conforms('GET', '/api/reports/contact-center', cc);
      const staffing = await send('GET', `/api/reports/staffing?${range}`, { token: sup });
      expect(staffing.status).to.equal(200);
      expect(staffing.body.rows.length).to.be.greaterThan(0);
      conforms('GET', '/api/reports/staffing', staffing);
      const quality = await send('GET', `/api/reports/quality?${range}`, { token: sup });
      expect(quality.status).to.equal(200);
      conforms('GET', '/api/reports/quality', quality);
      const bad = await send('GET', '/api/reports/contact-center?from=2026-11-24&to=2026-11-23', { token: sup });
      expect(bad.status).to.equal(400);
      conforms('GET', '/api/reports/contact-center', bad);
    });

    it('alert settings; calls without a live call answer the documented error', async () => {
      const settings = await send('GET', '/api/alerts/settings', { token: await token('dispatcher1') });
      expect(settings.status).to.equal(200);
      conforms('GET', '/api/alerts/settings', settings);
      const put = await send('PUT', '/api/alerts/settings', { token: await token('supervisor1'), body: { longest_wait: { raiseAt: 90, clearAt: 60 } } });
      expect(put.status).to.equal(200);
      conforms('PUT', '/api/alerts/settings', put);
      const hold = await send('POST', '/api/calls/current/hold', { token: await token('agent2') });
      expect(hold.status).to.equal(404);
      conforms('POST', '/api/calls/current/hold', hold);
      const monitor = await send('GET', `/api/calls/live/${staffIdOf('agent2').id}/monitor`, { token: await token('dispatcher1') });
      expect(monitor.status).to.equal(404);
      conforms('GET', '/api/calls/live/:agentId/monitor', monitor);
    });

    it('the rest of the staff API: sign-in tickets, softphone, dispositions, do-not-call, callback settings, alerts, keys, staff, teams, scorecards, surveys, QA, work orders', async () => {
      const check = async (as: string | undefined, method: string, path: string, routePath: string, status: number, body?: unknown) => {
        const answer = await send(method, path, { token: as ? await token(as) : undefined, body });
        expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body).slice(0, 300)}`).to.equal(status);
        conforms(method, routePath, answer);
        return answer.body;
      };
      await check('agent1', 'POST', '/api/auth/ws-ticket', '/api/auth/ws-ticket', 200);
      await check('agent1', 'GET', '/api/voice/token', '/api/voice/token', 200);
      await check('agent1', 'GET', '/api/dispositions', '/api/dispositions', 200);
      await check('dispatcher1', 'POST', '/api/do-not-call', '/api/do-not-call', 201, { phone: '+8613900000077', reason: 'asked not to be called' });
      await check('dispatcher1', 'POST', '/api/do-not-call', '/api/do-not-call', 200, { phone: '+8613900000077', reason: 'asked again' });
      await check('dispatcher1', 'GET', '/api/do-not-call', '/api/do-not-call', 200);
      await check('dispatcher1', 'GET', '/api/callback-settings', '/api/callback-settings', 200);
      await check('supervisor1', 'PATCH', '/api/callback-settings/queue', '/api/callback-settings/:type', 200, { retryMinutes: 20 });
      await check('dispatcher1', 'GET', '/api/alerts', '/api/alerts', 200);
      const key = await check('admin1', 'POST', '/api/integration-keys', '/api/integration-keys', 201, { name: 'api document keys probe' });
      await check('admin1', 'GET', '/api/integration-keys', '/api/integration-keys', 200);
      await check('admin1', 'DELETE', `/api/integration-keys/${key.id}`, '/api/integration-keys/:id', 200, { reason: 'probe done' });
      await check('admin1', 'GET', '/api/ivr/flows', '/api/ivr/flows', 200);
      await check('admin1', 'GET', '/api/staff', '/api/staff', 200);
      const made = await check('admin1', 'POST', '/api/staff', '/api/staff', 201, { username: 'api-doc-probe', displayName: 'Probe', role: 'agent', password: 'probe-password-1' });
      await check('admin1', 'PATCH', `/api/staff/${made.id}`, '/api/staff/:id', 200, { displayName: 'Probe Two' });
      const reset = await check('admin1', 'POST', `/api/staff/${made.id}/password-reset`, '/api/staff/:id/password-reset', 200, {});
      expect(reset.temporaryPassword).to.be.a('string');
      await check('admin1', 'PATCH', '/api/staff/999999', '/api/staff/:id', 404, { displayName: 'Nobody' });
      await check('dispatcher1', 'GET', '/api/teams', '/api/teams', 200);
      const cards = await check('supervisor1', 'GET', '/api/scorecards', '/api/scorecards', 200);
      await check('supervisor1', 'GET', `/api/scorecards/${cards[0].id}`, '/api/scorecards/:id', 200);
      await check('supervisor1', 'GET', `/api/scorecards/${cards[0].id}/versions/1`, '/api/scorecards/:id/versions/:version', 200);
      await check('supervisor1', 'GET', '/api/surveys?from=2026-11-23&to=2026-11-24', '/api/surveys', 200);
      await check('supervisor1', 'POST', '/api/qa/sampling', '/api/qa/sampling', 200, {});
      await check('qc1', 'GET', '/api/qa/work-list', '/api/qa/work-list', 200);
      const wo = await check('agent1', 'POST', '/api/work-orders', '/api/work-orders', 201, { category: 'inquiry', description: 'api document probe' });
      await check('agent1', 'GET', '/api/work-orders', '/api/work-orders', 200);
      await check('agent1', 'GET', `/api/work-orders/${wo.id}`, '/api/work-orders/:id', 200);
      await check('agent1', 'POST', `/api/work-orders/${wo.id}/close`, '/api/work-orders/:id/close', 409, { note: 'still open' });
      await check('agent1', 'PATCH', `/api/work-orders/${wo.id}`, '/api/work-orders/:id', 200, { status: 'resolved', note: 'answered on the call' });
      await check('agent1', 'POST', `/api/work-orders/${wo.id}/close`, '/api/work-orders/:id/close', 200, { note: 'the customer confirmed' });
      // The recording the evaluations test stored.
      const recording = f.hotline.db.$client.prepare(`SELECT id FROM recordings WHERE recording_sid = 'RE${'7'.repeat(32)}'`).get() as { id: number };
      await check('qc1', 'POST', `/api/recordings/${recording.id}/playback-ticket`, '/api/recordings/:id/playback-ticket', 201);
      await check('qc1', 'PATCH', `/api/recordings/${recording.id}`, '/api/recordings/:id', 200, { keep: true, reason: 'api document probe' });
      await check('qc1', 'GET', `/api/recordings/${recording.id}/calibration`, '/api/recordings/:id/calibration', 200);
      await check('supervisor1', 'POST', '/api/interactions/999999/force-end', '/api/interactions/:id/force-end', 404, { reason: 'api document probe' });
    });

    it('the middle and back office: orders held for review and RMAs, listed, read, claimed and released', async () => {
      insertHeldOrder(f.hotline.db, { number: 'API-DOC-1', heldAt: f.clock.now() });
      const middle = await token('agent5');
      const list = await send('GET', '/api/orders/review', { token: middle });
      expect(list.status, JSON.stringify(list.body)).to.equal(200);
      expect((list.body.items as Json[]).map((o) => o.number)).to.include('API-DOC-1');
      conforms('GET', '/api/orders/review', list);
      conforms('GET', '/api/orders/:number', await send('GET', '/api/orders/API-DOC-1', { token: middle }));
      const claimed = await send('POST', '/api/orders/API-DOC-1/claim', { token: middle });
      expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
      expect(claimed.body.claim).to.be.an('object');
      conforms('POST', '/api/orders/:number/claim', claimed);
      conforms('POST', '/api/orders/:number/release', await send('POST', '/api/orders/API-DOC-1/release', { token: middle }));

      const back = await token('agent3');
      const rmas = await send('GET', '/api/rmas/review', { token: back });
      expect(rmas.status, JSON.stringify(rmas.body)).to.equal(200);
      expect(rmas.body.items.length).to.be.greaterThan(0);
      conforms('GET', '/api/rmas/review', rmas);
      const number = rmas.body.items[0].number as string;
      conforms('GET', '/api/rmas/:number', await send('GET', `/api/rmas/${number}`, { token: back }));
      const rma = await send('POST', `/api/rmas/${number}/claim`, { token: back });
      expect(rma.status, JSON.stringify(rma.body)).to.equal(200);
      conforms('POST', '/api/rmas/:number/claim', rma);
      conforms('POST', '/api/rmas/:number/release', await send('POST', `/api/rmas/${number}/release`, { token: back }));
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
  describe('real answers on a live call through the carrier simulator: floor, dispatch, calls, monitoring, the report', function () {
    this.timeout(60_000);
    let sim: SimFixture;
    const desks: AgentDesk[] = [];
    before(async () => {
      sim = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10 });
    });
    after(async () => {
      for (const d of desks) d.close();
      await sim.close();
    });
    const signIn = async (username: string, phone?: Parameters<typeof AgentDesk.signIn>[2]) => {
      const d = await AgentDesk.signIn(sim, username, phone);
      desks.push(d);
      return d;
    };

    it('a waiting caller on the floor and reprioritised; answered, held and resumed; listened to, barged in on and left; then in the report', async () => {
      const dispatcher = await signIn('dispatcher1', { answerAfter: 1, script: [{ wait: 900 }] });
      // Nobody is available: the VIP caller waits in a queue (language 1, then 0 for an agent).
      const call = sim.dial('+8613800138000', [{ press: '1' }, { press: '0' }, { wait: 900 }]);
      await eventually(() => expect(sim.hotline.repos.queue.forCall(call.sid)?.status).to.equal('waiting'), 20_000);
      const floor = await dispatcher.request('GET', '/api/floor');
      expect(floor.status).to.equal(200);
      expect((floor.body.queues as Json[]).flatMap((q) => (q.calls as Json[]).map((c) => c.callSid))).to.include(call.sid);
      conforms('GET', '/api/floor', floor);
      const priority = await dispatcher.request('POST', `/api/floor/calls/${call.sid}/priority`, { priority: 30, reason: 'api document probe' });
      expect(priority.status, JSON.stringify(priority.body)).to.equal(200);
      conforms('POST', '/api/floor/calls/:callSid/priority', priority);

      // agent1 comes in and answers.
      const agent = await signIn('agent1', { script: [{ wait: 900 }] });
      expect((await agent.setState('available')).status).to.equal(200);
      await eventually(() => expect(sim.hotline.acdRepos.interactions.forCall(call.sid)[0]?.status).to.equal('connected'), 20_000);
      const inConference = () => sim.sim.conferences.list().some((c) => c.find(call.sid)?.status === 'connected');
      await eventually(() => expect(inConference(), 'the customer in the conference').to.equal(true), 10_000);

      const held = await agent.request('POST', '/api/calls/current/hold');
      expect(held.status, JSON.stringify(held.body)).to.equal(200);
      expect(held.body.onHold).to.equal(true);
      conforms('POST', '/api/calls/current/hold', held);
      const twice = await agent.request('POST', '/api/calls/current/hold');
      expect(twice.status).to.equal(409);
      conforms('POST', '/api/calls/current/hold', twice);
      const resumed = await agent.request('POST', '/api/calls/current/resume');
      expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
      conforms('POST', '/api/calls/current/resume', resumed);

      const started = await dispatcher.request('POST', `/api/calls/live/${agent.id}/monitor`, { mode: 'listen', reason: 'api document probe' });
      expect(started.status, JSON.stringify(started.body)).to.equal(201);
      conforms('POST', '/api/calls/live/:agentId/monitor', started);
      const joined = await eventually(async () => {
        const res = await dispatcher.request('GET', `/api/calls/live/${agent.id}/monitor`);
        expect(res.body.status).to.equal('joined');
        return res;
      }, 10_000);
      conforms('GET', '/api/calls/live/:agentId/monitor', joined);
      const barge = await dispatcher.request('PATCH', `/api/calls/live/${agent.id}/monitor`, { mode: 'barge' });
      expect(barge.status, JSON.stringify(barge.body)).to.equal(200);
      conforms('PATCH', '/api/calls/live/:agentId/monitor', barge);
      const left = await dispatcher.request('DELETE', `/api/calls/live/${agent.id}/monitor`, { reason: 'done' });
      expect(left.status, JSON.stringify(left.body)).to.equal(200);
      conforms('DELETE', '/api/calls/live/:agentId/monitor', left);
      const gone = await dispatcher.request('GET', `/api/calls/live/${agent.id}/monitor`);
      expect(gone.status).to.equal(404);
      conforms('GET', '/api/calls/live/:agentId/monitor', gone);

      const report = await dispatcher.request('GET', '/api/reports/contact-center?from=2026-11-23&to=2026-11-24&interval=hour&groupBy=queue');
      expect(report.status).to.equal(200);
      expect((report.body.totals as Json[]).reduce((n, t) => n + t.offered, 0)).to.equal(1);
      conforms('GET', '/api/reports/contact-center', report);
      const agents = await dispatcher.request('GET', '/api/agents');
      expect((agents.body.agents as Json[]).find((a) => a.id === agent.id)!.presence.state).to.equal('on_call');
      conforms('GET', '/api/agents', agents);
    });
  });
});
