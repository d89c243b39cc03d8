// REST Queues and their Members: list, create, update MaxSize, delete; a member update with Url takes that caller out of the queue.
import type { Router, Request } from 'express';
import type { CarrierContext } from './carrier-context';
import type { CarrierQueue, QueueMember } from './carrier-queues';
import { RestError, fileSid, form, listPage, notFound } from './rest-api';
import { validUrl } from './rest-calls';
import { rfc2822 } from './sid';

const QUEUE_SID = /^QU[0-9a-f]{32}$/;

function queueJson(ctx: CarrierContext, q: CarrierQueue): object {
  return {
    date_updated: rfc2822(q.dateUpdated),
    current_size: q.size,
    friendly_name: q.friendlyName,
    uri: `${ctx.accountPath}/Queues/${q.sid}.json`,
    account_sid: ctx.opts.accountSid,
    average_wait_time: q.averageWait(),
    sid: q.sid,
    date_created: rfc2822(q.dateCreated),
    max_size: q.maxSize,
  };
}

function memberJson(ctx: CarrierContext, m: QueueMember): object {
  return {
    call_sid: m.call.sid,
    date_enqueued: rfc2822(m.dateEnqueued),
    position: m.queue.position(m),
    uri: `${ctx.accountPath}/Queues/${m.queue.sid}/Members/${m.call.sid}.json`,
    wait_time: m.queue.waitTime(m),
    queue_sid: m.queue.sid,
  };
}

function maxSize(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new RestError(400, 20001, 'MaxSize must be between 1 and 5000');
  return n;
}

export function queueRoutes(api: Router, ctx: CarrierContext): void {
  const findQueue = (req: Request, id: string) => {
    const q = ctx.queues.get(id.endsWith('.json') ? fileSid(req, id, QUEUE_SID) : id);
    if (!q) throw notFound(req);
    return q;
  };
  const findMember = (req: Request) => {
    const q = findQueue(req, req.params.sid as string);
    const id = fileSid(req, req.params.file as string, /^(CA[0-9a-f]{32}|Front)$/);
    const m = q.member(id);
    if (!m) throw notFound(req);
    return m;
  };

  api.get('/Queues.json', (req, res) => {
    res.json(listPage(req, 'queues', ctx.queues.list(), (q) => queueJson(ctx, q)));
  });

  api.post('/Queues.json', (req, res) => {
    const f = form(req);
    const name = f.get('FriendlyName');
    if (!name) throw new RestError(400, 20001, 'Missing required parameter FriendlyName in the post body');
    if (ctx.queues.byName(name)) throw new RestError(400, 22003, `A queue named ${name} already exists`);
    res.status(201).json(queueJson(ctx, ctx.queues.create(name, maxSize(f.get('MaxSize')))));
  });

  api.get('/Queues/:file', (req, res) => {
    res.json(queueJson(ctx, findQueue(req, req.params.file as string)));
  });

  api.post('/Queues/:file', (req, res) => {
    const q = findQueue(req, req.params.file as string);
    const f = form(req);
    const size = maxSize(f.get('MaxSize'));
    if (size !== undefined) q.maxSize = size;
    if (f.get('FriendlyName')) q.friendlyName = f.get('FriendlyName')!;
    q.dateUpdated = new Date();
    res.json(queueJson(ctx, q));
  });

  api.delete('/Queues/:file', (req, res) => {
    const q = findQueue(req, req.params.file as string);
    ctx.queues.delete(q.sid);
    res.status(204).end();
  });

  api.get('/Queues/:sid/Members.json', (req, res) => {
    const q = findQueue(req, req.params.sid as string);
    res.json(listPage(req, 'queue_members', [...q.members], (m) => memberJson(ctx, m)));
  });

  api.get('/Queues/:sid/Members/:file', (req, res) => {
    res.json(memberJson(ctx, findMember(req)));
  });

  api.post('/Queues/:sid/Members/:file', (req, res) => {
    const m = findMember(req);
    const f = form(req);
    const url = f.get('Url');
    if (!validUrl(url)) throw new RestError(400, 21205, `Url is not a valid URL: ${url ?? ''}`);
    const body = memberJson(ctx, m);
    m.call.interrupt({ kind: 'redirect', url: url!, method: (f.get('Method') ?? 'POST').toUpperCase(), source: 'queue-member' });
    res.json(body);
  });
}

