// Owns the recordings library's rules: who may see and hear which recording, what each role is shown, playback
// tickets, the playback and download audit, the keep flag, and the waveform peaks a player draws.
import type { Readable } from 'node:stream';
import type { AuditRepo } from '../audit/audit.repo';
import type { AuthService, Principal } from '../auth/auth.service';
import type { Role } from '../db/schema/index';
import type { Transact } from '../db/transaction';
import { Forbidden, NotFound, Unauthorized } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import { waveformPeaks, type Interval, type WaveformPeaks } from './audio-signals';
import type { PlaybackTickets } from './playback-tickets';
import type { RecordingStore } from './recording-store';
import type { CommentRow, EvaluationSummaryRow, ListedRecording, RecordingCursor, RecordingFilter, RecordingRow, RecordingScope, RecordingsRepo } from './recordings.repo';
import { interleavedWav } from './wav';
import { holdsOnRecording, type RecordingHoldMarker } from './recording-holds';
import type { SurveyAnswer } from '../surveys/surveys.service';

/** Roles that see every recording, the customer's full number, and may download the file. */
export const QUALITY_ROLES: readonly Role[] = ['quality_controller', 'supervisor'];
/** Roles with any view of the library (team leads their team's, agents their own). */
export const LIBRARY_ROLES: readonly Role[] = ['quality_controller', 'supervisor', 'team_lead', 'agent'];

/** One answer for "no such recording" and "not yours": a guessed id reveals nothing. */
const NO_SUCH_RECORDING = 'No such recording';

export interface RecordingsLibraryOptions {
  /** Waveform buckets computed when the analysis stored none. @default 1000 */
  peakBuckets?: number;
  /** Peaks kept in memory (per recording) once computed. @default 64 */
  peakCacheSize?: number;
  /** Files read whole for peaks at once (each is in memory meanwhile); a view beyond it gets no waveform. @default 2 */
  peakReadsAtOnce?: number;
  /** Requests of one staff member for one recording closer than this are one playback in the audit log. @default 5 min */
  playbackAuditWindowMs?: number;
}

/** The stored analysis parts a player uses (the analysis job writes the whole AudioSignals, maybe with peaks). */
export interface PlayerAnalysis {
  segments: { customer: Interval[]; agent: Interval[] } | null;
  longSilences: Interval[];
  talkOver: Interval[];
  longestSilence: Interval | null;
}

export interface RecordingDetail {
  recording: ListedRecording;
  pauses: Interval[];
  /** When the customer was on hold, in seconds from the recording's start (`end` null while a hold still runs). */
  holds: RecordingHoldMarker[];
  flags: string[];
  analysis: PlayerAnalysis;
  peaks: WaveformPeaks | null;
  evaluations: EvaluationSummaryRow[];
  comments: CommentRow[];
  /** The caller's post-call survey answer about this conversation, null when they gave none. */
  survey: SurveyAnswer | null;
  canDownload: boolean;
  showFullPhone: boolean;
}

export interface RecordingAudio {
  recording: RecordingRow;
  sizeBytes: number;
  contentType: string;
  /** A strong validator: the file's checksum when known (the file never changes once stored). */
  etag: string;
  lastModified: Date | null;
  read(range?: { start: number; end: number }): Readable;
}

export interface Caller {
  staff: Principal;
  ip: string | null;
}

export class RecordingsLibraryService {
  private readonly o: Required<RecordingsLibraryOptions>;
  /** Computed peaks, or null for a file they cannot be read from (not read again for every view). */
  private readonly peaks = new Map<string, WaveformPeaks | null>();
  private readonly computing = new Map<string, Promise<WaveformPeaks | null>>();
  private readonly lastPlayback = new Map<string, number>();
  /** Stored files never change: their sizes are kept briefly, so a player's Range requests skip one stat each. */
  private readonly sizes = new Map<string, { sizeBytes: number; at: number }>();

  constructor(
    private readonly d: {
      repo: RecordingsRepo;
      store: RecordingStore;
      audit: Pick<AuditRepo, 'record'>;
      tickets: PlaybackTickets;
      auth: Pick<AuthService, 'authenticate'>;
      transact: Transact;
      clock: Clock;
      options?: RecordingsLibraryOptions;
      /** The post-call survey answers, shown on a recording's detail. */
      surveys?: { forInteraction(interactionId: number | null): SurveyAnswer | undefined };
    },
  ) {
    this.o = { peakBuckets: 1000, peakCacheSize: 64, peakReadsAtOnce: 2, playbackAuditWindowMs: 5 * 60_000, ...d.options };
  }

  /** The list's scope for this caller; 403 for roles with no view of the library. */
  scopeOf(staff: Principal): RecordingScope {
    if (QUALITY_ROLES.includes(staff.role)) return { kind: 'all' };
    if (staff.role === 'team_lead') return { kind: 'team', teamId: staff.teamId };
    if (staff.role === 'agent') return { kind: 'agent', agentId: staff.id };
    throw new Forbidden(`The recordings library needs one of the roles: ${LIBRARY_ROLES.join(', ')}`);
  }

  showsFullPhone(staff: Principal): boolean {
    return QUALITY_ROLES.includes(staff.role);
  }

  list(staff: Principal, filter: RecordingFilter, page: { limit: number; offset?: number; after?: RecordingCursor }) {
    const scope = this.scopeOf(staff);
    // Whoever sees the number masked could unmask it with an exact filter, trying the hidden digits one by one.
    if (filter.customerPhone !== undefined && !this.showsFullPhone(staff)) throw new Forbidden(`Filtering by customerPhone needs one of the roles: ${QUALITY_ROLES.join(', ')}`);
    return this.d.repo.list(scope, filter, page);
  }

  /**
   * The recording if this caller may see it; NotFound alike for a missing one and a forbidden one, and Forbidden for a
   * role with no view of the library whatever the id (so neither answer depends on whether the recording exists).
   */
  visible(staff: Principal, id: number): RecordingRow {
    if (!LIBRARY_ROLES.includes(staff.role)) throw new Forbidden(`The recordings library needs one of the roles: ${LIBRARY_ROLES.join(', ')}`);
    const r = this.d.repo.get(id);
    if (!r || !maySee(staff, r)) throw new NotFound(NO_SUCH_RECORDING);
    return r;
  }

  async detail(staff: Principal, id: number): Promise<RecordingDetail> {
    const r = this.visible(staff, id);
    const quality = QUALITY_ROLES.includes(staff.role);
    // Drafts and calibration scores are the controllers' working material, not the agent's evaluation.
    const evaluations = this.d.repo.evaluations(id).filter((e) => quality || (e.status !== 'draft' && !e.calibration));
    const scored = evaluations.filter((e) => e.status !== 'draft' && !e.calibration).sort((a, b) => (b.submittedAt?.getTime() ?? 0) - (a.submittedAt?.getTime() ?? 0) || b.id - a.id)[0];
    const analysis = parseJson(r.analysis);
    return {
      recording: {
        ...r,
        ...this.d.repo.names(r),
        latestEvaluationId: scored?.id ?? null,
        latestScore: scored ? scored.score : null,
        latestEvaluationStatus: scored?.status ?? null,
      },
      pauses: intervals(parseJson(r.pauses)),
      holds: holdsOnRecording(this.d.repo.holds(r.callSid), r.startedAt, r.durationSeconds),
      flags: stringArray(parseJson(r.flags)),
      analysis: playerAnalysis(analysis),
      peaks: storedPeaks(analysis) ?? (await this.computedPeaks(r)),
      evaluations,
      comments: this.d.repo.comments(evaluations.map((e) => e.id)),
      survey: this.d.surveys?.forInteraction(r.interactionId) ?? null,
      canDownload: quality,
      showFullPhone: quality,
    };
  }

  /** The stored audio of a recording this caller may hear; NotFound when there is none (not yet stored, deleted). */
  async audio(staff: Principal, id: number): Promise<RecordingAudio> {
    const r = this.visible(staff, id);
    const stat = r.status === 'stored' && r.storageKey ? await this.stat(r.storageKey) : undefined;
    if (!stat || !r.storageKey) throw new NotFound('No audio is stored for this recording');
    const key = r.storageKey;
    return {
      recording: r,
      sizeBytes: stat.sizeBytes,
      contentType: r.contentType ?? 'audio/wav',
      etag: `"${r.sha256 ? r.sha256.slice(0, 32) : `${r.id}-${stat.sizeBytes}-${r.storedAt?.getTime() ?? 0}`}"`,
      lastModified: r.storedAt,
      read: (range) => this.d.store.read(key, range),
    };
  }

  /** The whole file, for quality staff only; every download is audited. */
  async download(caller: Caller, id: number): Promise<RecordingAudio> {
    if (!QUALITY_ROLES.includes(caller.staff.role)) throw new Forbidden(`Downloading a recording needs one of the roles: ${QUALITY_ROLES.join(', ')}`);
    const a = await this.audio(caller.staff, id);
    this.record(caller, 'recording.downloaded', id, { sizeBytes: a.sizeBytes });
    return a;
  }

  /**
   * Audits one playback: once per ticket, and for the bearer header once per staff member and recording until they
   * have made no request for it for `playbackAuditWindowMs` (a player makes many Range requests per listen).
   */
  notePlayback(caller: Caller, id: number, how: { ticket?: string; range: string }): void {
    const now = this.d.clock.now().getTime();
    if (how.ticket) {
      const t = this.d.tickets.find(how.ticket, new Date(now));
      if (!t || t.audited) return;
      t.audited = true;
    } else {
      const key = `${caller.staff.id}:${id}`;
      const last = this.lastPlayback.get(key);
      this.lastPlayback.set(key, now);
      if (last !== undefined && now - last < this.o.playbackAuditWindowMs) return;
      if (this.lastPlayback.size > 10_000) for (const [k, at] of this.lastPlayback) if (now - at >= this.o.playbackAuditWindowMs) this.lastPlayback.delete(k);
    }
    this.record(caller, 'recording.played', id, { via: how.ticket ? 'ticket' : 'bearer', range: how.range });
  }

  /** A playback URL's ticket for one recording the caller may hear, standing for their current session. */
  issueTicket(staff: Principal, token: string, id: number): { ticket: string; expiresAt: Date } {
    this.visible(staff, id);
    return this.d.tickets.issue(token, staff.id, id, this.d.clock.now());
  }

  /** Who a playback ticket plays for; 401 when it is unknown, expired, for another recording or its session ended. */
  redeemTicket(ticket: string, recordingId: number): { staff: Principal; ticket: string } {
    const now = this.d.clock.now();
    const t = this.d.tickets.find(ticket, now);
    if (!t || t.recordingId !== recordingId) throw new Unauthorized('The playback ticket is unknown, expired or for another recording; ask for a new one');
    const staff = this.d.auth.authenticate(t.token, now);
    if (staff.id !== t.staffId) throw new Unauthorized('The playback ticket is unknown, expired or for another recording; ask for a new one');
    return { staff, ticket };
  }

  setKeep(caller: Caller, id: number, keep: boolean, reason: string): RecordingRow {
    if (!QUALITY_ROLES.includes(caller.staff.role)) throw new Forbidden(`Keeping a recording needs one of the roles: ${QUALITY_ROLES.join(', ')}`);
    this.visible(caller.staff, id);
    return this.d.transact(() => {
      const r = this.d.repo.setKeep(id, keep)!;
      this.d.audit.record({ at: this.d.clock.now(), actorId: caller.staff.id, action: keep ? 'recording.kept' : 'recording.unkept', subjectType: 'recording', subjectId: id, reason, ip: caller.ip });
      return r;
    });
  }

  private async stat(key: string): Promise<{ sizeBytes: number } | undefined> {
    const now = Date.now();
    const known = this.sizes.get(key);
    if (known && now - known.at < 10_000) return known;
    const stat = await this.d.store.stat(key);
    if (this.sizes.size >= 1000) this.sizes.clear();
    if (stat) this.sizes.set(key, { sizeBytes: stat.sizeBytes, at: now });
    return stat;
  }

  private record(caller: Caller, action: string, id: number, detail: Record<string, unknown>): void {
    this.d.transact(() => this.d.audit.record({ at: this.d.clock.now(), actorId: caller.staff.id, action, subjectType: 'recording', subjectId: id, detail, ip: caller.ip }));
  }

  /** Peaks from the stored file when the analysis has none; computed once per file and kept (a few KB each). */
  private async computedPeaks(r: RecordingRow): Promise<WaveformPeaks | null> {
    if (r.status !== 'stored' || !r.storageKey) return null;
    const key = `${r.id}:${r.storageKey}:${this.o.peakBuckets}`;
    const cached = this.peaks.get(key);
    if (cached !== undefined) return cached;
    let running = this.computing.get(key);
    if (!running) {
      // Each computation holds a whole file in memory: a burst of views (of recordings whose analysis failed) waits for none.
      if (this.computing.size >= this.o.peakReadsAtOnce) return null;
      running = this.readPeaks(r.storageKey).finally(() => this.computing.delete(key));
      this.computing.set(key, running);
    }
    const peaks = await running;
    this.peaks.set(key, peaks);
    while (this.peaks.size > this.o.peakCacheSize) this.peaks.delete(this.peaks.keys().next().value!);
    return peaks;
  }

  private async readPeaks(storageKey: string): Promise<WaveformPeaks | null> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of this.d.store.read(storageKey)) chunks.push(chunk as Buffer);
      const wav = interleavedWav(Buffer.concat(chunks));
      return waveformPeaks({ sampleRate: wav.sampleRate, interleaved: wav.interleaved, channelCount: wav.channelCount }, this.o.peakBuckets);
    } catch {
      // A missing or unreadable file: the player still gets everything else, without a waveform.
      return null;
    }
  }
}

/** The sharing rule of the library (see the README): quality staff all, team leads their team's, agents their own. */
export function maySee(staff: Principal, r: Pick<RecordingRow, 'agentId' | 'teamId'>): boolean {
  if (QUALITY_ROLES.includes(staff.role)) return true;
  if (staff.role === 'team_lead') return staff.teamId !== null && r.teamId === staff.teamId;
  if (staff.role === 'agent') return r.agentId === staff.id;
  return false;
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isInterval(x: unknown): x is Interval {
  const r = x as Partial<Interval> | null;
  return typeof r?.start === 'number' && typeof r.end === 'number';
}

/** Only well-formed {start, end} pairs, as plain objects (an analysis interval may carry more, e.g. seconds). */
function intervals(x: unknown): Interval[] {
  return Array.isArray(x) ? x.filter(isInterval).map((r) => ({ start: r.start, end: r.end })) : [];
}

function stringArray(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

/** The parts of the stored analysis a player draws, read defensively: a missing part is empty, never an error. */
export function playerAnalysis(a: unknown): PlayerAnalysis {
  const o = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>;
  const segments = o.segments as { customer?: unknown; agent?: unknown } | undefined;
  const talkOver = o.talkOver as { intervals?: unknown } | undefined;
  return {
    segments: segments && typeof segments === 'object' ? { customer: intervals(segments.customer), agent: intervals(segments.agent) } : null,
    longSilences: intervals(o.longSilences),
    talkOver: intervals(talkOver?.intervals),
    longestSilence: isInterval(o.longestSilence) ? { start: o.longestSilence.start, end: o.longestSilence.end } : null,
  };
}

/** Peaks the analysis job stored beside the figures, if it did. */
function storedPeaks(a: unknown): WaveformPeaks | null {
  const p = (a as { peaks?: Partial<WaveformPeaks> } | null)?.peaks;
  return p && typeof p.bucketSeconds === 'number' && Array.isArray(p.channels) ? (p as WaveformPeaks) : null;
}
