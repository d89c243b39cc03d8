// The recordings library API: find recordings, open one for the player, stream its audio with Range, download it
// (quality staff), playback tickets for <audio>, and the keep flag.
import { pipeline } from 'node:stream/promises';
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { maskPhone } from '../logging/logger';
import type { Logger } from '../logging/logger';
import { parseRange } from '../recordings/byte-range';
import { LIBRARY_ROLES, type RecordingAudio, type RecordingDetail, type RecordingsLibraryService } from '../recordings/recordings-library.service';
import type { ListedRecording, RecordingCursor } from '../recordings/recordings.repo';
import { bearerToken, currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

const FLAGS = ['long_silence', 'talk_over', 'agent_talk_ratio'] as const;
const STATUSES = ['recording', 'awaiting_media', 'stored', 'failed', 'deleted'] as const;

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T) => z.enum(values, { error: `${name} must be one of: ${values.join(', ')}` });
const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);
const seconds = (name: string) => z.coerce.number({ error: `${name} must be a number of seconds` }).int(`${name} must be whole seconds`).min(0, `${name} must be 0 or more`);
const instant = (name: string) => z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z` }).transform((s) => new Date(s));
const yesNo = (name: string) => z.enum(['true', 'false', '1', '0'], { error: `${name} must be true or false` }).transform((v) => v === 'true' || v === '1');

export const idParam = z.object({ id: positiveId('id') });

export const listQuery = z
  .strictObject({
    agentId: positiveId('agentId').optional(),
    teamId: positiveId('teamId').optional(),
    desk: oneOf('desk', ['front', 'middle', 'back'] as const).optional(),
    /** Inclusive. */
    from: instant('from').optional(),
    /** Exclusive. */
    to: instant('to').optional(),
    minDuration: seconds('minDuration').optional(),
    maxDuration: seconds('maxDuration').optional(),
    disposition: z.string({ error: 'disposition must be given once' }).trim().min(1).max(64).optional(),
    customerPhone: z
      .string({ error: 'customerPhone must be given once' })
      .regex(/^\+[1-9]\d{6,14}$/, 'customerPhone must be an E.164 number, e.g. +8613800138000')
      .optional(),
    direction: oneOf('direction', ['inbound', 'outbound'] as const).optional(),
    scored: yesNo('scored').optional(),
    flag: oneOf('flag', FLAGS).optional(),
    /** One status or several, comma-separated; every status but deleted by default. */
    status: z
      .string({ error: 'status must be given once (comma-separate several)' })
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(oneOf('status', STATUSES)))
      .optional(),
    limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
    offset: z.coerce.number({ error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must be 0 or more').max(1_000_000).optional(),
    cursor: z.string({ error: 'cursor must be given once' }).max(200).transform((c, ctx) => decodeCursor(c) ?? (ctx.addIssue({ code: 'custom', message: 'cursor is not one this API gave out' }), z.NEVER)).optional(),
  })
  .refine((q) => !(q.cursor && q.offset !== undefined), { message: 'give cursor or offset, not both' })
  .refine((q) => !(q.from && q.to) || q.from < q.to, { message: 'from must be before to' })
  .refine((q) => q.minDuration === undefined || q.maxDuration === undefined || q.minDuration <= q.maxDuration, { message: 'minDuration must not exceed maxDuration' });

export const keepBody = z.strictObject({
  keep: z.boolean({ error: 'keep must be true or false' }),
  reason: z.string({ error: 'reason is required' }).trim().min(1, 'reason is required').max(500, 'reason is longer than 500 characters'),
});

function encodeCursor(r: ListedRecording): string {
  return Buffer.from(JSON.stringify([r.startedAt.getTime(), r.id])).toString('base64url');
}

function decodeCursor(c: string): RecordingCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isSafeInteger(n) && n >= 0)) return { startedAt: v[0] as number, id: v[1] as number };
  } catch {
    // not ours
  }
  return undefined;
}

function recordingJson(r: ListedRecording, fullPhone: boolean) {
  let pauses = 0;
  let flags: string[] = [];
  try {
    pauses = (JSON.parse(r.pauses) as unknown[]).length;
    flags = JSON.parse(r.flags) as string[];
  } catch {
    // a malformed column shows as none rather than failing the whole list
  }
  return {
    id: r.id,
    startedAt: r.startedAt.toISOString(),
    durationSeconds: r.durationSeconds,
    direction: r.direction,
    desk: r.desk,
    status: r.status,
    agent: r.agentId ? { id: r.agentId, name: r.agentName } : null,
    team: r.teamId ? { id: r.teamId, name: r.teamName } : null,
    customer: { id: r.customerId, phone: fullPhone ? r.customerPhone : r.customerPhone ? maskPhone(r.customerPhone) : null },
    disposition: r.disposition,
    figures: r.analysedAt
      ? {
          analysedAt: r.analysedAt.toISOString(),
          customerTalkSeconds: r.customerTalkSeconds,
          agentTalkSeconds: r.agentTalkSeconds,
          agentTalkRatio: r.agentTalkRatio,
          longestSilenceSeconds: r.longestSilenceSeconds,
          talkOverCount: r.talkOverCount,
          talkOverSeconds: r.talkOverSeconds,
          holdSeconds: r.holdSeconds,
        }
      : null,
    flags,
    scored: r.latestEvaluationId ? { evaluationId: r.latestEvaluationId, score: r.latestScore, status: r.latestEvaluationStatus } : null,
    keep: r.keep,
    pauses,
    hasAudio: r.status === 'stored',
  };
}

function detailJson(d: RecordingDetail) {
  const r = d.recording;
  return {
    ...recordingJson(r, d.showFullPhone),
    callSid: r.callSid,
    interactionId: r.interactionId,
    channels: r.channels,
    /** Which channel (0-based, in the file's order) is the customer's; the other is the agent's. */
    customerChannel: r.customerChannel,
    contentType: r.contentType,
    sizeBytes: r.sizeBytes,
    storedAt: r.storedAt?.toISOString() ?? null,
    pauses: d.pauses,
    holds: d.holds,
    /** The caller's post-call survey answer (rating 1-5, comment), or null. */
    survey: d.survey,
    analysis: d.analysis,
    peaks: d.peaks,
    evaluations: d.evaluations.map((e) => ({
      id: e.id,
      score: e.score,
      status: e.status,
      calibration: e.calibration,
      criticalFailed: e.criticalFailed,
      evaluator: { id: e.evaluatorId, name: e.evaluatorName },
      createdAt: e.createdAt.toISOString(),
      submittedAt: e.submittedAt?.toISOString() ?? null,
    })),
    comments: d.comments.map((c) => ({
      id: c.id,
      evaluationId: c.evaluationId,
      atSeconds: c.atSeconds,
      itemId: c.itemId,
      text: c.text,
      author: { id: c.authorId, name: c.authorName },
      createdAt: c.createdAt.toISOString(),
    })),
    audio: {
      url: `/api/recordings/${r.id}/audio`,
      playbackTicketUrl: `/api/recordings/${r.id}/playback-ticket`,
      downloadUrl: d.canDownload ? `/api/recordings/${r.id}/download` : null,
    },
  };
}

/** A recording in the list, as the console reads it. */
export type RecordingListJson = ReturnType<typeof recordingJson>;
/** One recording for the player (GET /api/recordings/:id). */
export type RecordingDetailJson = ReturnType<typeof detailJson>;

/** Whether an If-Range validator still matches: then the range is served, otherwise the whole (changed) file. */
function ifRangeHolds(ifRange: string | undefined, a: RecordingAudio): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"')) return ifRange === a.etag;
  const at = Date.parse(ifRange);
  return a.lastModified !== null && !Number.isNaN(at) && Math.floor(a.lastModified.getTime() / 1000) === Math.floor(at / 1000);
}

export function recordingsRoutes(d: { library: RecordingsLibraryService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock; log?: Logger }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const libraryRole = requireRole(...LIBRARY_ROLES);
  const router = Router();

  /** <audio> cannot send a header: ?ticket= stands for the bearer token of the one who asked for it. */
  const signedInOrTicket: RequestHandler = (req, res, next) => {
    const ticket = req.query.ticket;
    if (ticket === undefined) return signedIn(req, res, next);
    if (typeof ticket !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(ticket)) {
      res.status(400).json({ error: 'invalid', message: 'ticket must be given once, as the playback ticket issued for this recording' });
      return;
    }
    const t = d.library.redeemTicket(ticket, idParam.parse(req.params).id);
    res.locals.staff = t.staff;
    res.locals.playbackTicket = t.ticket;
    next();
  };

  /** Streams the file (or the asked range) with the headers a seeking player relies on. */
  async function send(res: Response, a: RecordingAudio, status: 200 | 206, range?: { start: number; end: number }, head = false) {
    res.status(status).set({
      'Accept-Ranges': 'bytes',
      'Content-Type': a.contentType,
      'Content-Length': String(range ? range.end - range.start + 1 : a.sizeBytes),
      ETag: a.etag,
      ...(a.lastModified ? { 'Last-Modified': a.lastModified.toUTCString() } : {}),
      ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${a.sizeBytes}` } : {}),
    });
    if (head) {
      res.end();
      return;
    }
    try {
      await pipeline(a.read(range), res);
    } catch (err) {
      // A listener that seeks closes the connection mid-chunk: normal, not worth a log line.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') d.log?.warn('recording audio stream failed', { recordingId: a.recording.id, err: String(err) });
      res.destroy();
    }
  }

  router.get('/api/recordings', signedIn, libraryRole, (req, res) => {
    const staff = currentStaff(res);
    const q = listQuery.parse(req.query);
    const { rows, total } = d.library.list(
      staff,
      {
        agentId: q.agentId,
        teamId: q.teamId,
        desk: q.desk,
        from: q.from,
        to: q.to,
        minDurationSeconds: q.minDuration,
        maxDurationSeconds: q.maxDuration,
        disposition: q.disposition,
        customerPhone: q.customerPhone,
        direction: q.direction,
        scored: q.scored,
        flag: q.flag,
        statuses: q.status,
      },
      { limit: q.limit, offset: q.offset, after: q.cursor },
    );
    const full = d.library.showsFullPhone(staff);
    const offset = q.cursor ? null : (q.offset ?? 0);
    const more = rows.length === q.limit;
    res.json({
      recordings: rows.map((r) => recordingJson(r, full)),
      total,
      limit: q.limit,
      offset,
      nextOffset: offset !== null && offset + rows.length < total ? offset + rows.length : null,
      nextCursor: more ? encodeCursor(rows[rows.length - 1]) : null,
    });
  });

  // A role with no view of the library gets 403 on every recording, real or guessed; a library role gets 404 alike
  // for a recording it may not see and one that does not exist (the service's maySee): an id reveals nothing.
  router.get('/api/recordings/:id', numericId, signedIn, libraryRole, async (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(detailJson(await d.library.detail(currentStaff(res), id)));
  });

  router.post('/api/recordings/:id/playback-ticket', numericId, signedIn, libraryRole, (req, res) => {
    const { id } = idParam.parse(req.params);
    const t = d.library.issueTicket(currentStaff(res), bearerToken(req.headers)!, id);
    res.status(201).json({ ticket: t.ticket, url: `/api/recordings/${id}/audio?ticket=${t.ticket}`, expiresAt: t.expiresAt.toISOString() });
  });

  router.get('/api/recordings/:id/audio', numericId, signedInOrTicket, libraryRole, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const staff = currentStaff(res);
    const a = await d.library.audio(staff, id);
    const head = req.method === 'HEAD';
    const asked = ifRangeHolds(req.get('if-range'), a) ? parseRange(req.get('range'), a.sizeBytes) : ({ kind: 'whole' } as const);
    if (asked.kind === 'unsatisfiable') {
      res.status(416).set({ 'Content-Range': `bytes */${a.sizeBytes}`, 'Accept-Ranges': 'bytes' }).json({ error: 'range_not_satisfiable', message: `The recording has ${a.sizeBytes} bytes` });
      return;
    }
    const range = asked.kind === 'partial' ? { start: asked.start, end: asked.end } : undefined;
    if (!head) d.library.notePlayback({ staff, ip: req.ip ?? null }, id, { ticket: res.locals.playbackTicket as string | undefined, range: range ? `bytes ${range.start}-${range.end}` : 'whole' });
    await send(res, a, range ? 206 : 200, range, head);
  });

  router.get('/api/recordings/:id/download', numericId, signedIn, requireRole('quality_controller', 'supervisor'), async (req, res) => {
    const { id } = idParam.parse(req.params);
    const a = await d.library.download({ staff: currentStaff(res), ip: req.ip ?? null }, id);
    const ext = a.contentType === 'audio/mpeg' ? 'mp3' : 'wav';
    res.attachment(`recording-${id}-${a.recording.recordingSid.replace(/[^A-Za-z0-9]/g, '')}.${ext}`);
    await send(res, a, 200);
  });

  router.patch('/api/recordings/:id', numericId, signedIn, requireRole('quality_controller', 'supervisor'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = keepBody.parse(req.body ?? {});
    const r = d.library.setKeep({ staff: currentStaff(res), ip: req.ip ?? null }, id, body.keep, body.reason);
    res.json({ id: r.id, keep: r.keep });
  });

  return router;
}
