// The agent's callback list (their own and their desks' pool, as the server scopes it): preview-call, and once the
// call was made the outcome (reached, wrong number, retry at a chosen time) with a note on the attempt.
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { CallbackView } from '../../../src/outbound/callback-list.service';
import type { AGENT_OUTCOMES } from '../../../src/outbound/callback-outcome.service';
import { subscribe } from '../live-feed';
import { dateTime, t, type TextKey } from '../i18n';
import { callbackReason } from '../queue-names';
import { api } from '../session';
import type { AttemptResult } from '../../../src/outbound/callback-requests.repo';
import { presence } from './agent-desk-state';
import { ErrorLine } from '../error-line';

type Outcome = (typeof AGENT_OUTCOMES)[number];
const OUTCOME: Record<Outcome, TextKey> = { reached: 'ocReached', retry: 'ocRetry', wrong_number: 'ocWrongNumber' };

const RESULT: Record<AttemptResult, TextKey> = {
  answered: 'arAnswered',
  busy: 'arBusy',
  'no-answer': 'arNoAnswer',
  failed: 'arFailed',
  machine: 'arMachine',
  canceled: 'arCanceled',
  wrong_number: 'ocWrongNumber',
  not_dialed: 'arNotDialed',
  agent_missed: 'arAgentMissed',
};
const resultText = (r: string) => (r in RESULT ? t(RESULT[r as AttemptResult]) : r);

/** The item waits for this agent's word: their last attempt reached the customer (connected or over). */
export function awaitsOutcome(c: CallbackView, me: number): boolean {
  const last = c.attempts.at(-1);
  return c.status === 'in_progress' && last?.agent?.id === me && (last.state === 'placed' || (last.state === 'ended' && last.result === 'answered'));
}

/** A local date-time input's value ("2026-11-24T09:30") as an ISO instant, or undefined when empty. */
function localToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The list as last read: the desk shows the customer of a callback being offered from it. */
export const callbackItems = signal<CallbackView[]>([]);

export function CallbackList({ me }: { me: number }) {
  const [items, setItems] = useState<CallbackView[] | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api<{ items: CallbackView[] }>('GET', '/api/callbacks?limit=50').then(
      (r) => {
        setItems(r.items);
        callbackItems.value = r.items;
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
    return subscribe((m) => {
      if (m.type === 'CallbackRequested' || ((m.type === 'CallbackOffered' || m.type === 'CallbackAttemptEnded' || m.type === 'CallbackConnected' || m.type === 'CallEnded') && m.agentId === me)) void load();
    });
  }, [me]);
  const act = async (path: string, body?: unknown): Promise<boolean> => {
    setError('');
    try {
      await api('POST', path, body);
      await load();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };
  const available = presence.value?.state === 'available';
  // "Go available to call" is for an agent who is not working a call: ringing, talking or wrapping up, it only misleads.
  const busy = ['reserved', 'on_call', 'wrap_up'].includes(presence.value?.state ?? '');
  return (
    <section class="ad-callbacks" aria-label={t('callbacks')} data-testid="callback-list">
      <h3>
        {t('callbacks')}{' '}
        <button type="button" class="ad-small" onClick={() => void load()}>
          {t('refresh')}
        </button>
      </h3>
      <ErrorLine error={error} testId="callback-error" />
      {items && items.length === 0 && <p class="ad-muted">{t('noCallbacks')}</p>}
      {items && items.length > 0 && (
        <table class="ad-list ad-cb-table">
          <tbody>
            {items.map((c) => (
              <CallbackRow key={c.id} c={c} me={me} available={available} act={act} />
            ))}
          </tbody>
        </table>
      )}
      {items && items.length > 0 && !available && !busy && <p class="ad-muted">{t('cbBeAvailable')}</p>}
    </section>
  );
}

function CallbackRow({ c, me, available, act }: { c: CallbackView; me: number; available: boolean; act: (path: string, body?: unknown) => Promise<boolean> }) {
  const waiting = awaitsOutcome(c, me);
  const [note, setNote] = useState('');
  const [retryAt, setRetryAt] = useState('');
  const last = c.attempts.at(-1);
  const record = (o: Outcome) => {
    const body: { outcome: Outcome; note?: string; dueAt?: string } = { outcome: o };
    if (note.trim()) body.note = note.trim();
    const due = o === 'retry' ? localToIso(retryAt) : undefined;
    if (due) body.dueAt = due;
    void act(`/api/callbacks/${c.id}/outcome`, body);
  };
  const callable = c.status === 'open' && c.insideCallingHours && available;
  return (
    <tr data-callback={c.id} data-status={c.status} class={waiting ? 'ad-cb-waiting' : undefined}>
      <td>
        <strong>{c.customer?.name ?? c.phone}</strong>
        {c.customer?.tier === 'vip' && <span class="ad-tier ad-tier-vip">VIP</span>}
        {c.customer?.name && <div class="ad-muted">{c.phone}</div>}
        <div data-testid="callback-reason" title={c.reason}>
          {callbackReason(c.reason)}
        </div>
        {c.question && (
          <div class="ad-muted">
            {t('cbAsk')}: {c.question}
          </div>
        )}
      </td>
      <td class="ad-muted ad-cb-when">
        <div>
          {t('due')} {dateTime(c.dueAt)}
        </div>
        <div title={c.timeZone}>
          {t('cbCustomerTime')} {c.customerLocalTime.slice(11)}
        </div>
        {!c.insideCallingHours && <div class="ad-warn">{t('outsideHours')}</div>}
        {c.attemptCount > 0 && (
          <div data-testid="callback-attempts">
            {t('cbAttempts')} {c.attemptCount}
            {c.lastResult && ` · ${resultText(c.lastResult)}`}
          </div>
        )}
      </td>
      <td class="ad-cb-actions">
        {waiting ? (
          <fieldset class="ad-cb-outcome" data-testid="callback-outcome">
            <legend>
              {t('cbRecordOutcome')} <kbd>Alt+C</kbd>
            </legend>
            <label>
              {t('cbNote')}
              <input type="text" name="note" value={note} aria-keyshortcuts="Alt+C" maxLength={2000} onInput={(e) => setNote(e.currentTarget.value)} />
            </label>
            <label>
              {t('cbRetryAt')}
              <input type="datetime-local" name="retryAt" value={retryAt} onInput={(e) => setRetryAt(e.currentTarget.value)} />
            </label>
            <div>
              {(Object.keys(OUTCOME) as Outcome[]).map((o) => (
                <button type="button" class="ad-small" key={o} data-outcome={o} onClick={() => record(o)}>
                  {t(OUTCOME[o])}
                </button>
              ))}
            </div>
          </fieldset>
        ) : c.status === 'in_progress' ? (
          <span class="ad-muted">{last?.agent?.id === me ? t('cbCalling') : t('cbBusy')}</span>
        ) : (
          <button type="button" class="ad-small ad-cb-call" disabled={!callable} title={!available ? t('cbBeAvailable') : undefined} onClick={() => void act(`/api/callbacks/${c.id}/call`)}>
            {t('callNow')}
          </button>
        )}
      </td>
    </tr>
  );
}
