// The QA workspace: the recordings library with filters, the player (waveform of both channels, seek, speed,
// markers), comments pinned to moments, and the scorecard; agents see their own evaluations. The API decides who sees what.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RecordingDetailJson, RecordingListJson } from '../../../src/http/recordings.routes';
import type { EvaluationDetailJson } from '../../../src/http/evaluations.routes';
import { dateTime, t, type TextKey } from '../i18n';
import { api, session } from '../session';
import { MyEvaluations, ScorecardForm, ScorecardPicker, statusText } from './qa-scorecard';
import { DisputeList, DisputePanel } from './qa-disputes';
import { CalibrationView } from './qa-calibration';
import { dispositionText, useDispositions } from '../dispositions';
import { peaksLength, Waveform } from './qa-waveform';
import './qa-admin.css';
import { ErrorLine } from '../error-line';

const FLAGS = ['long_silence', 'talk_over', 'agent_talk_ratio'] as const;
const DESKS = ['front', 'middle', 'back'] as const;
const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;

export const clock = (s: number) => {
  const v = Math.max(0, Math.floor(s));
  return `${Math.floor(v / 60)}:${String(v % 60).padStart(2, '0')}`;
};

export function QaWorkspace() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  // #/qa/rec/<recording>[/ev/<evaluation>]: the player, with one evaluation in focus (a dispute to settle).
  const [, id, focus] = /^#\/qa\/rec\/(\d+)(?:\/ev\/(\d+))?/.exec(hash) ?? [];
  const role = session.value?.staff.role;
  const scorer = role === 'quality_controller' || role === 'supervisor';
  return (
    <section class="qa">
      {id ? (
        <RecordingView id={Number(id)} focus={focus ? Number(focus) : undefined} key={hash} />
      ) : (
        <>
          {role === 'agent' && <MyEvaluations />}
          {scorer && <DisputeList />}
          <RecordingList />
        </>
      )}
    </section>
  );
}

interface Filters {
  agentId: string;
  desk: string;
  from: string;
  to: string;
  minDuration: string;
  maxDuration: string;
  flag: string;
  scored: string;
}

const NO_FILTERS: Filters = { agentId: '', desk: '', from: '', to: '', minDuration: '', maxDuration: '', flag: '', scored: '' };

/** The query string for GET /api/recordings: dates are local days, `to` inclusive (the API's `to` is exclusive). */
function query(f: Filters): string {
  const q = new URLSearchParams();
  if (f.agentId) q.set('agentId', f.agentId);
  if (f.desk) q.set('desk', f.desk);
  if (f.from) q.set('from', new Date(`${f.from}T00:00:00`).toISOString());
  if (f.to) q.set('to', new Date(new Date(`${f.to}T00:00:00`).getTime() + 86_400_000).toISOString());
  if (f.minDuration) q.set('minDuration', f.minDuration);
  if (f.maxDuration) q.set('maxDuration', f.maxDuration);
  if (f.flag) q.set('flag', f.flag);
  if (f.scored) q.set('scored', f.scored);
  q.set('limit', '50');
  return q.toString();
}

// Kept while the console is open: the list comes back as it was left after a recording was opened.
let lastFilters: Filters = NO_FILTERS;
const agentsSeen = new Map<number, string>();

function RecordingList() {
  const { codes } = useDispositions();
  const [filters, setFilters] = useState<Filters>(lastFilters);
  const [rows, setRows] = useState<RecordingListJson[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const load = async (f: Filters, cursor?: string) => {
    setError('');
    try {
      const r = await api<{ recordings: RecordingListJson[]; total: number; nextCursor: string | null }>('GET', `/api/recordings?${query(f)}${cursor ? `&cursor=${cursor}` : ''}`);
      for (const x of r.recordings) if (x.agent) agentsSeen.set(x.agent.id, x.agent.name ?? `#${x.agent.id}`);
      setRows(cursor ? [...(rows ?? []), ...r.recordings] : r.recordings);
      setTotal(r.total);
      setNext(r.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(filters), []);
  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement).value });

  return (
    <>
      <h2>{t('recordings')}</h2>
      <form
        class="qa-filters"
        aria-label={t('filters')}
        onSubmit={(e) => {
          e.preventDefault();
          lastFilters = filters;
          void load(filters);
        }}
      >
        {/* An agent sees only their own calls: a choice of agent would offer nobody else. */}
        {session.value?.staff.role !== 'agent' && (
          <label>
            {t('agent')}
            <select name="agentId" value={filters.agentId} onChange={set('agentId')}>
              <option value="">{t('anyOption')}</option>
              {[...agentsSeen].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('desk')}
          <select name="desk" value={filters.desk} onChange={set('desk')}>
            <option value="">{t('anyOption')}</option>
            {DESKS.map((d) => (
              <option key={d} value={d}>
                {t(`desk_${d}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('dateFrom')}
          <input type="date" name="from" value={filters.from} onInput={set('from')} />
        </label>
        <label>
          {t('dateTo')}
          <input type="date" name="to" value={filters.to} onInput={set('to')} />
        </label>
        <label>
          {t('minDuration')}
          <input type="number" min={0} name="minDuration" value={filters.minDuration} onInput={set('minDuration')} />
        </label>
        <label>
          {t('maxDuration')}
          <input type="number" min={0} name="maxDuration" value={filters.maxDuration} onInput={set('maxDuration')} />
        </label>
        <label>
          {t('flag')}
          <select name="flag" value={filters.flag} onChange={set('flag')}>
            <option value="">{t('anyOption')}</option>
            {FLAGS.map((f) => (
              <option key={f} value={f}>
                {t(`flag_${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('scored')}
          <select name="scored" value={filters.scored} onChange={set('scored')}>
            <option value="">{t('anyOption')}</option>
            <option value="true">{t('yes')}</option>
            <option value="false">{t('no')}</option>
          </select>
        </label>
        <span class="qa-filter-actions">
          <button type="submit" class="primary">
            {t('applyFilters')}
          </button>
          <button
            type="button"
            onClick={() => {
              setFilters((lastFilters = NO_FILTERS));
              void load(NO_FILTERS);
            }}
          >
            {t('clearFilters')}
          </button>
        </span>
      </form>
      <ErrorLine error={error} />
      {rows && !rows.length && <p>{t('noRecordings')}</p>}
      {rows && rows.length > 0 && (
        <>
          <p class="qa-count">
            {t('total')} {total}
          </p>
          <table class="qa-table" data-testid="recordings">
            <thead>
              <tr>
                <th>{t('startedAt')}</th>
                <th>{t('agent')}</th>
                <th>{t('desk')}</th>
                <th>{t('duration')}</th>
                <th>{t('qaDisposition')}</th>
                <th>{t('flag')}</th>
                <th>{t('score')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-recording={r.id}>
                  <td>
                    <a href={`#/qa/rec/${r.id}`}>{dateTime(r.startedAt, { year: true })}</a>
                  </td>
                  <td>{r.agent?.name ?? '—'}</td>
                  <td>{r.desk ? t(`desk_${r.desk}`) : '—'}</td>
                  <td>{r.durationSeconds === null ? '—' : clock(r.durationSeconds)}</td>
                  <td data-testid="recording-disposition">{r.disposition ? dispositionText(codes, r.disposition) : '—'}</td>
                  <td>
                    {r.flags.map((f) => (
                      <span class={`qa-flag qa-flag-${f}`} key={f}>
                        {t(`flag_${f}` as TextKey)}
                      </span>
                    ))}
                  </td>
                  <td>{r.scored ? `${r.scored.score ?? '—'} · ${statusText(r.scored.status ?? 'draft')}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next && (
            <button type="button" onClick={() => void load(filters, next)}>
              {t('more')}
            </button>
          )}
        </>
      )}
    </>
  );
}

function RecordingView({ id, focus }: { id: number; focus?: number }) {
  const me = session.value!.staff;
  const scorer = me.role === 'quality_controller' || me.role === 'supervisor';
  const [rec, setRec] = useState<RecordingDetailJson | null>(null);
  const [src, setSrc] = useState('');
  const [error, setError] = useState('');
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [audioLength, setAudioLength] = useState(0);
  const [evaluation, setEvaluation] = useState<EvaluationDetailJson | null>(null);
  const [viewed, setViewed] = useState<EvaluationDetailJson | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const { codes } = useDispositions();
  const audio = useRef<HTMLAudioElement>(null);
  /** Where to pick up after a fresh ticket (a ticket lasts minutes; a long review outlives it), or null. */
  const resume = useRef<{ at: number; play: boolean; tries: number } | null>(null);

  const reload = () => api<RecordingDetailJson>('GET', `/api/recordings/${id}`).then(setRec, (e: Error) => setError(e.message));
  const ticket = () =>
    api<{ url: string }>('POST', `/api/recordings/${id}/playback-ticket`).then(
      (r) => setSrc(r.url),
      (e: Error) => setError(e.message),
    );

  useEffect(() => {
    void reload().then(() => undefined);
  }, [id]);
  useEffect(() => {
    if (rec?.hasAudio && !src) void ticket();
    // The controller's own evaluation of this call is the one they continue (a draft) and comment on.
    // A calibration evaluation is theirs to continue when the counted one is someone else's.
    if (rec && scorer && !evaluation) {
      const mine = rec.evaluations.find((e) => e.evaluator.id === me.id && !e.calibration) ?? rec.evaluations.find((e) => e.evaluator.id === me.id && e.calibration);
      if (mine) void api<EvaluationDetailJson>('GET', `/api/evaluations/${mine.id}`).then(setEvaluation, (e: Error) => setError(e.message));
    }
  }, [rec]);
  // The evaluation the address names (a dispute from the list) opens beside the player.
  useEffect(() => {
    if (focus) void api<EvaluationDetailJson>('GET', `/api/evaluations/${focus}`).then(setViewed, (e: Error) => setError(e.message));
  }, [focus]);

  // While playing, follow the audio each frame; timeupdate alone moves the playhead in jumps.
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = () => {
      if (audio.current) setTime(audio.current.currentTime);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  const length = useMemo(() => (rec ? peaksLength(rec) || audioLength : audioLength), [rec, audioLength]);
  const commentTimes = useMemo(() => rec?.comments.map((c) => c.atSeconds) ?? [], [rec]);

  const seek = (s: number) => {
    if (audio.current) audio.current.currentTime = s;
    setTime(s);
  };
  const toggle = () => {
    const a = audio.current;
    if (!a) return;
    if (a.paused) void a.play().catch((e: Error) => setError(e.message));
    else a.pause();
  };

  // A recording has one counted evaluation; once someone else holds it, another scorer's evaluation is a calibration one.
  const counted = rec?.evaluations.find((e) => !e.calibration && e.evaluator.id !== me.id);
  const openEvaluation = async (scorecardId?: number): Promise<EvaluationDetailJson> => {
    if (evaluation) return evaluation;
    const body: { scorecardId?: number; calibration?: boolean } = scorecardId ? { scorecardId } : {};
    if (counted) body.calibration = true;
    const e = await api<EvaluationDetailJson>('POST', `/api/recordings/${id}/evaluations`, body);
    setEvaluation(e);
    void reload();
    return e;
  };

  const addComment = async () => {
    setBusy(true);
    setError('');
    try {
      const e = await openEvaluation();
      await api('POST', `/api/evaluations/${e.id}/comments`, { atSeconds: Math.round(time * 10) / 10, text: comment });
      setComment('');
      await reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!rec)
    return (
      <>
        <p>
          <a href="#/qa">← {t('back')}</a>
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p>{t('loading')}</p>
        )}
      </>
    );

  const f = rec.figures;
  return (
    <div class="qa-recording" data-testid="recording-view">
      <p class="qa-head">
        <a href="#/qa">← {t('back')}</a>
        <strong>{dateTime(rec.startedAt, { year: true, seconds: true })}</strong>
        <span>{rec.agent?.name ?? '—'}</span>
        <span>{rec.desk ? t(`desk_${rec.desk}`) : ''}</span>
        <span>{rec.customer.phone ?? ''}</span>
        <span>{rec.disposition ? dispositionText(codes, rec.disposition) : ''}</span>
        {rec.flags.map((x) => (
          <span class={`qa-flag qa-flag-${x}`} key={x}>
            {t(`flag_${x}` as TextKey)}
          </span>
        ))}
      </p>
      <ErrorLine error={error} />
      <div class="qa-player">
        {rec.peaks ? (
          <Waveform recording={rec} length={length} time={time} comments={commentTimes} onSeek={seek} onToggle={toggle} />
        ) : (
          <p>{t('noWaveform')}</p>
        )}
        <ul class="qa-legend">
          <li class="lg-pause">{t('legendPause')}</li>
          <li class="lg-hold">{t('legendHold')}</li>
          <li class="lg-silence">{t('legendSilence')}</li>
          <li class="lg-talkover">{t('legendTalkOver')}</li>
          <li class="lg-comment">{t('legendComment')}</li>
        </ul>
        {rec.hasAudio ? (
          <div class="qa-controls">
            <audio
              ref={audio}
              src={src || undefined}
              preload="auto"
              data-testid="audio"
              onPlay={() => setPlaying(true)}
              onPause={() => setPlaying(false)}
              onEnded={() => setPlaying(false)}
              onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
              onLoadedMetadata={(e) => {
                const a = e.currentTarget;
                a.playbackRate = speed;
                if (Number.isFinite(a.duration)) setAudioLength(a.duration);
                const r = resume.current;
                if (r) {
                  a.currentTime = r.at;
                  if (r.play) void a.play().catch(() => undefined);
                  resume.current = { ...r, tries: 0 };
                }
              }}
              onError={(e) => {
                // An expired ticket: ask for a new one once and carry on where the listener was.
                const a = e.currentTarget;
                const tries = resume.current?.tries ?? 0;
                if (tries >= 1) return setError(t('noAudio'));
                resume.current = { at: a.currentTime || time, play: !a.paused || playing, tries: tries + 1 };
                void ticket();
              }}
            />
            <button type="button" onClick={() => seek(Math.max(0, time - 5))} aria-label={t('back5')}>
              −5s
            </button>
            <button type="button" class="primary" onClick={toggle} data-testid="play">
              {playing ? t('pause') : t('play')}
            </button>
            <button type="button" onClick={() => seek(Math.min(length, time + 5))} aria-label={t('forward5')}>
              +5s
            </button>
            <span class="qa-time" data-testid="time">
              {clock(time)} / {clock(length)}
            </span>
            <label>
              {t('speed')}{' '}
              <select
                value={speed}
                data-testid="speed"
                onChange={(e) => {
                  const v = Number(e.currentTarget.value);
                  setSpeed(v);
                  if (audio.current) audio.current.playbackRate = v;
                }}
              >
                {SPEEDS.map((s) => (
                  <option key={s} value={s}>
                    {s}×
                  </option>
                ))}
              </select>
            </label>
          </div>
        ) : (
          <p>{t('noAudio')}</p>
        )}
      </div>
      <div class="qa-columns">
        <section class="qa-panel">
          <h3>{t('comments')}</h3>
          {!rec.comments.length && <p>{t('noComments')}</p>}
          <ul class="qa-comments" data-testid="comments">
            {[...rec.comments]
              .sort((a, b) => a.atSeconds - b.atSeconds)
              .map((c) => (
                <li key={c.id}>
                  <button type="button" class="link" onClick={() => seek(c.atSeconds)}>
                    {clock(c.atSeconds)}
                  </button>{' '}
                  <span>{c.text}</span> <small>— {c.author.name}</small>
                </li>
              ))}
          </ul>
          {scorer && (
            <form
              class="qa-inline"
              onSubmit={(e) => {
                e.preventDefault();
                void addComment();
              }}
            >
              <input aria-label={t('commentText')} placeholder={t('commentText')} value={comment} onInput={(e) => setComment(e.currentTarget.value)} required maxLength={2000} />
              <button type="submit" disabled={busy}>
                {t('addCommentAt')} ({clock(time)})
              </button>
            </form>
          )}
          {f && (
            <>
              <h3>{t('figures')}</h3>
              <dl class="qa-figures">
                <dt>{t('talkRatio')}</dt>
                <dd>{f.agentTalkRatio === null ? '—' : `${Math.round(f.agentTalkRatio * 100)}%`}</dd>
                <dt>{t('longestSilence')}</dt>
                <dd>{f.longestSilenceSeconds ?? '—'} s</dd>
                <dt>{t('talkOverCount')}</dt>
                <dd>{f.talkOverCount ?? '—'}</dd>
                <dt>{t('holdTime')}</dt>
                <dd>{f.holdSeconds ?? '—'} s</dd>
                {rec.survey && (
                  <>
                    <dt>{t('survey')}</dt>
                    <dd>{rec.survey.rating ?? '—'} / 5</dd>
                  </>
                )}
              </dl>
            </>
          )}
        </section>
        <section class="qa-panel">
          {viewed && (viewed.status === 'disputed' || viewed.status === 'resolved') && (
            <DisputePanel
              evaluation={viewed}
              agentName={rec.agent?.name ?? '—'}
              evaluatorName={rec.evaluations.find((e) => e.id === viewed.id)?.evaluator.name ?? `#${viewed.evaluatorId}`}
              onResolved={(e) => {
                setViewed(e);
                void reload();
              }}
            />
          )}
          <h3>
            {t('scorecard')}
            {evaluation?.calibration && <small class="qa-muted"> · {t('calibrationShort')}</small>}
          </h3>
          {scorer && !evaluation && counted && <p class="qa-muted">{t('calibrationHint')}</p>}
          {scorer && !evaluation && <ScorecardPicker busy={busy} label={counted ? t('startCalibration') : undefined} onStart={(sc) => void openEvaluation(sc).catch((e: Error) => setError(e.message))} />}
          {evaluation && (
            <ScorecardForm
              evaluation={evaluation}
              editable={scorer}
              onSaved={(e) => {
                setEvaluation(e);
                void reload();
              }}
            />
          )}
          <h3>{t('evaluations')}</h3>
          {!rec.evaluations.length && <p>{t('noEvaluations')}</p>}
          <ul class="qa-evaluations">
            {rec.evaluations.map((e) => (
              <li key={e.id}>
                <button type="button" class="link" onClick={() => void api<EvaluationDetailJson>('GET', `/api/evaluations/${e.id}`).then(setViewed, (x: Error) => setError(x.message))}>
                  {e.score ?? '—'} · {statusText(e.status)}
                </button>{' '}
                <small>
                  {e.evaluator.name}
                  {e.calibration && ` (${t('calibrationShort')})`} · {dateTime(e.submittedAt ?? e.createdAt, { year: true })}
                </small>
              </li>
            ))}
          </ul>
          {viewed && viewed.id !== evaluation?.id && viewed.status !== 'disputed' && viewed.status !== 'resolved' && (
            <>
              <p class="qa-readonly">{t('readOnly')}</p>
              <ScorecardForm evaluation={viewed} editable={false} onSaved={() => undefined} />
            </>
          )}
        </section>
      </div>
      {/* Side by side once two evaluators have scored the call (a calibration score beside the counted one). */}
      {scorer && rec.evaluations.filter((e) => e.status !== 'draft').length >= 2 && (
        <section class="qa-panel" data-testid="calibration-panel">
          <h3>{t('calibration')}</h3>
          <CalibrationView recordingId={rec.id} names={new Map(rec.evaluations.map((e) => [e.evaluator.id, e.evaluator.name ?? `#${e.evaluator.id}`]))} version={rec.evaluations.map((e) => `${e.id}:${e.status}:${e.score}`).join()} />
        </section>
      )}
    </div>
  );
}
