// The scorecard form of one evaluation (answer, save, submit; the total is the server's), and the agent's own
// evaluations with acknowledge and dispute.
import { useEffect, useState } from 'preact/hooks';
import type { EvaluationDetailJson, EvaluationListItemJson } from '../../../src/http/evaluations.routes';
import type { ScorecardJson } from '../../../src/http/scorecards.routes';
import { dateTime, t, type TextKey } from '../i18n';
import { api } from '../session';
import { ErrorLine } from '../error-line';

type Answer = EvaluationDetailJson['answers'][number];
/** An item's choice in the form: a score, null for N/A, undefined while unanswered. */
type Choice = number | null | undefined;

export const statusText = (s: string) => t(`st_${s}` as TextKey);

/**
 * The scorecard of one evaluation. `editable`: the evaluator's draft (save, submit). `amend`: a supervisor settling a
 * dispute changes answers in place; the form reports the answers that differ from the evaluation's and saves nothing.
 */
export function ScorecardForm(props: { evaluation: EvaluationDetailJson; editable: boolean; onSaved: (e: EvaluationDetailJson) => void; amend?: (changed: Answer[]) => void }) {
  const { evaluation: ev, editable, onSaved, amend } = props;
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const c: Record<string, Choice> = {};
    const n: Record<string, string> = {};
    for (const a of ev.answers) {
      c[a.itemId] = a.score;
      if (a.comment) n[a.itemId] = a.comment;
    }
    setChoices(c);
    setNotes(n);
  }, [ev.id, ev.status]);

  const answers = (): Answer[] =>
    Object.entries(choices)
      .filter(([, v]) => v !== undefined)
      .map(([itemId, score]) => ({ itemId, score: score as number | null, comment: notes[itemId]?.trim() || null }));

  useEffect(() => {
    if (!amend) return;
    const before = new Map(ev.answers.map((a) => [a.itemId, a]));
    amend(answers().filter((a) => before.get(a.itemId)?.score !== a.score || (before.get(a.itemId)?.comment ?? null) !== a.comment));
  }, [choices, notes]);

  const run = async (submit: boolean) => {
    setBusy(true);
    setError('');
    setSaved(false);
    try {
      let e = await api<EvaluationDetailJson>('PUT', `/api/evaluations/${ev.id}/answers`, { answers: answers() });
      if (submit) e = await api<EvaluationDetailJson>('POST', `/api/evaluations/${ev.id}/submit`);
      setSaved(true);
      onSaved(e);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const open = Boolean(amend) || (editable && ev.status === 'draft');
  const draft = !amend && editable && ev.status === 'draft';
  return (
    <form
      class="qa-card"
      data-testid="scorecard"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft) void run(true);
      }}
    >
      {ev.scorecard.definition.sections.map((s) => (
        <fieldset key={s.id}>
          <legend>{s.title}</legend>
          {s.items.map((i) => {
            const values = Array.from({ length: i.scale.max - i.scale.min + 1 }, (_, k) => i.scale.min + k);
            return (
              <div class="qa-item" key={i.id} data-item={i.id}>
                <span class="qa-item-title" title={i.description}>
                  {i.title}
                  {i.critical && <em class="qa-critical"> {t('critical')}</em>}
                </span>
                <span class="qa-choices" role="radiogroup" aria-label={i.title}>
                  {values.map((v) => (
                    <label key={v}>
                      <input type="radio" name={`item-${i.id}`} value={v} checked={choices[i.id] === v} disabled={!open} onChange={() => setChoices({ ...choices, [i.id]: v })} />
                      {v}
                    </label>
                  ))}
                  {i.allowNa && (
                    <label>
                      <input type="radio" name={`item-${i.id}`} value="na" checked={choices[i.id] === null} disabled={!open} onChange={() => setChoices({ ...choices, [i.id]: null })} />
                      {t('naOption')}
                    </label>
                  )}
                </span>
                {open ? (
                  <input class="qa-item-note" aria-label={`${i.title} ${t('commentText')}`} value={notes[i.id] ?? ''} onInput={(e) => setNotes({ ...notes, [i.id]: e.currentTarget.value })} />
                ) : (
                  notes[i.id] && <span class="qa-item-note">{notes[i.id]}</span>
                )}
              </div>
            );
          })}
        </fieldset>
      ))}
      <p class="qa-total">
        {t('serverTotal')}: <strong data-testid="server-total">{ev.score ?? '—'}</strong> · {statusText(ev.status)}
        {ev.criticalFailed && <span class="error"> · {t('criticalFailed')}</span>}
      </p>
      <ErrorLine error={error} />
      {saved && !error && <p class="ok">{t('saved')}</p>}
      {draft && (
        <p class="qa-actions">
          <button type="button" disabled={busy} onClick={() => void run(false)}>
            {t('saveDraft')}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {t('submitEvaluation')}
          </button>
        </p>
      )}
    </form>
  );
}

/** Which scorecard a new evaluation uses: the controller picks one of the active ones. */
export function ScorecardPicker(props: { onStart: (scorecardId: number) => void; busy: boolean; label?: string }) {
  const [cards, setCards] = useState<ScorecardJson[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<ScorecardJson[]>('GET', '/api/scorecards').then((c) => {
      const active = c.filter((x) => x.active);
      setCards(active);
      setChosen(active[0]?.id ?? null);
    }, (e: Error) => setError(e.message));
  }, []);
  return (
    <p class="qa-actions">
      <label>
        {t('scorecard')}{' '}
        <select value={chosen ?? ''} onChange={(e) => setChosen(Number(e.currentTarget.value))}>
          {cards.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} v{c.currentVersion}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="primary" disabled={props.busy || chosen === null} onClick={() => chosen !== null && props.onStart(chosen)}>
        {props.label ?? t('startEvaluation')}
      </button>
      {error && <span class="error">{error}</span>}
    </p>
  );
}

/** The agent's own evaluations: score and status, acknowledge a submitted one or dispute it with a reason. */
export function MyEvaluations() {
  const [rows, setRows] = useState<EvaluationListItemJson[] | null>(null);
  const [error, setError] = useState('');
  const [disputing, setDisputing] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const load = () => api<EvaluationListItemJson[]>('GET', '/api/evaluations?agent=me').then(setRows, (e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  const act = async (id: number, action: 'acknowledge' | 'dispute') => {
    setError('');
    try {
      await api('POST', `/api/evaluations/${id}/${action}`, action === 'dispute' ? { reason } : undefined);
      setDisputing(null);
      setReason('');
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="qa-panel" data-testid="my-evaluations">
      <h3>{t('myEvaluations')}</h3>
      <ErrorLine error={error} />
      {rows && !rows.length && <p>{t('noEvaluations')}</p>}
      {rows && rows.length > 0 && (
        <table class="qa-table">
          <thead>
            <tr>
              <th>{t('startedAt')}</th>
              <th>{t('score')}</th>
              <th>{t('status')}</th>
              <th>{t('evaluator')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} data-evaluation={e.id} data-status={e.status}>
                <td>
                  <a href={`#/qa/rec/${e.recordingId}`}>{dateTime(e.recordingStartedAt, { year: true })}</a>
                </td>
                <td data-testid="my-score">{e.score ?? '—'}</td>
                <td>
                  {statusText(e.status)}
                  {e.status === 'disputed' && <div class="qa-muted qa-reason">{e.disputeReason}</div>}
                  {e.status === 'resolved' && (
                    <div class="qa-reason" data-testid="my-resolution">
                      {e.resolution === 'changed' ? t('resChanged') : t('resUpheld')} · {e.resolutionNote}
                    </div>
                  )}
                </td>
                <td>{e.evaluator.name ?? '—'}</td>
                <td>
                  {e.status === 'submitted' && disputing !== e.id && (
                    <>
                      <button type="button" onClick={() => void act(e.id, 'acknowledge')}>
                        {t('acknowledge')}
                      </button>{' '}
                      <button type="button" onClick={() => setDisputing(e.id)}>
                        {t('dispute')}
                      </button>
                    </>
                  )}
                  {disputing === e.id && (
                    <form
                      class="qa-inline"
                      onSubmit={(ev) => {
                        ev.preventDefault();
                        void act(e.id, 'dispute');
                      }}
                    >
                      <input aria-label={t('disputeReason')} placeholder={t('disputeReason')} value={reason} onInput={(ev) => setReason(ev.currentTarget.value)} required />
                      <button type="submit">{t('dispute')}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
