// Disputes: the evaluations agents disputed (for supervisors, who settle them, and quality controllers, who follow
// them), and the panel in the player where a supervisor reads the agent's reason, hears the call and resolves it:
// the score stands (upheld) or the answers change (the server scores them again). Both need a note.
import { useEffect, useState } from 'preact/hooks';
import type { EvaluationDetailJson, EvaluationListItemJson } from '../../../src/http/evaluations.routes';
import { dateTime, t } from '../i18n';
import { api, session } from '../session';
import { ScorecardForm, statusText } from './qa-scorecard';
import { ErrorLine } from '../error-line';

type Answer = EvaluationDetailJson['answers'][number];

/** Where a dispute opens: the recording's player with the evaluation in focus. */
export const disputeHref = (e: { recordingId: number; id: number }) => `#/qa/rec/${e.recordingId}/ev/${e.id}`;

export function DisputeList() {
  const [rows, setRows] = useState<EvaluationListItemJson[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<EvaluationListItemJson[]>('GET', '/api/evaluations?status=disputed&limit=100').then(setRows, (e: Error) => setError(e.message));
  }, []);
  return (
    <section class="qa-panel" data-testid="disputes" aria-labelledby="qa-disputes-title">
      <h3 id="qa-disputes-title">
        {t('disputes')} {rows && rows.length > 0 && <span class="qa-badge">{rows.length}</span>}
      </h3>
      <ErrorLine error={error} />
      {rows && !rows.length && <p class="qa-muted">{t('noDisputes')}</p>}
      {rows && rows.length > 0 && (
        <table class="qa-table">
          <thead>
            <tr>
              <th>{t('disputedAt')}</th>
              <th>{t('agent')}</th>
              <th>{t('evaluator')}</th>
              <th>{t('score')}</th>
              <th>{t('disputeReason')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} data-dispute={e.id}>
                <td class="qa-nowrap">{e.disputedAt ? dateTime(e.disputedAt) : '—'}</td>
                <td>{e.agent.name ?? `#${e.agent.id}`}</td>
                <td>{e.evaluator.name ?? `#${e.evaluator.id}`}</td>
                <td>{e.score ?? '—'}</td>
                <td class="qa-reason">{e.disputeReason}</td>
                <td>
                  <a href={disputeHref(e)}>{session.value?.staff.role === 'supervisor' ? t('handleDispute') : t('open')}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The disputed (or settled) evaluation in the player: reason, scores, and for a supervisor the resolution form. */
export function DisputePanel(props: { evaluation: EvaluationDetailJson; agentName: string; evaluatorName: string; onResolved: (e: EvaluationDetailJson) => void }) {
  const { evaluation: ev, onResolved } = props;
  const me = session.value!.staff;
  const [note, setNote] = useState('');
  const [changed, setChanged] = useState<Answer[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // The supervisor who scored the call (or took it) does not settle its dispute: the server says so too.
  const mayResolve = ev.status === 'disputed' && me.role === 'supervisor' && ev.evaluatorId !== me.id && ev.agentId !== me.id;
  const resolve = async (resolution: 'upheld' | 'changed') => {
    setBusy(true);
    setError('');
    try {
      const body = resolution === 'changed' ? { resolution, note, answers: changed } : { resolution, note };
      onResolved(await api<EvaluationDetailJson>('POST', `/api/evaluations/${ev.id}/resolve`, body));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const previous = ev.history.find((h) => h.action === 'resolved_changed')?.data as { previous?: { score: number | null } } | null | undefined;
  return (
    <section class="qa-dispute" data-testid="dispute-panel" data-status={ev.status}>
      <h3>
        {ev.status === 'disputed' ? t('disputeOpen') : t('disputeSettled')} · {statusText(ev.status)}
      </h3>
      <dl class="qa-figures">
        <dt>{t('agent')}</dt>
        <dd>{props.agentName}</dd>
        <dt>{t('evaluator')}</dt>
        <dd>{props.evaluatorName}</dd>
        <dt>{t('disputedAt')}</dt>
        <dd>{ev.disputedAt ? dateTime(ev.disputedAt, { year: true }) : '—'}</dd>
        <dt>{t('disputeReason')}</dt>
        <dd data-testid="dispute-reason" class="qa-reason">
          {ev.disputeReason}
        </dd>
        {ev.status === 'resolved' && (
          <>
            <dt>{t('resolution')}</dt>
            <dd data-testid="resolution">
              {ev.resolution === 'changed' ? t('resChanged') : t('resUpheld')}
              {ev.resolution === 'changed' && previous?.previous && ` (${previous.previous.score ?? '—'} → ${ev.score ?? '—'})`} · {ev.resolutionNote}
            </dd>
          </>
        )}
      </dl>
      <ScorecardForm evaluation={ev} editable={false} onSaved={() => undefined} amend={mayResolve ? setChanged : undefined} />
      {mayResolve && (
        <form
          class="qa-resolve"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <p class="qa-muted">{t('resolveHint')}</p>
          <label>
            {t('resolutionNote')}
            <textarea name="resolutionNote" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} required />
          </label>
          <ErrorLine error={error} />
          <p class="qa-actions">
            <button type="button" class="primary" disabled={busy || !note.trim()} onClick={() => void resolve('upheld')}>
              {t('resolveUphold')}
            </button>
            <button type="button" disabled={busy || !note.trim() || !changed.length} onClick={() => void resolve('changed')}>
              {t('resolveChange')} {changed.length > 0 && `(${changed.length})`}
            </button>
          </p>
        </form>
      )}
      {ev.status === 'disputed' && !mayResolve && <p class="qa-muted">{me.role === 'supervisor' ? t('resolveNotYours') : t('resolveSupervisorsOnly')}</p>}
    </section>
  );
}
