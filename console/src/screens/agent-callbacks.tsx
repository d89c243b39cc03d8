// The agent's callback list (their own and their desks' pool, as the server scopes it): preview-call and the outcome.
import { useEffect, useState } from 'preact/hooks';
import type { CallbackView } from '../../../src/outbound/callback-list.service';
import type { AGENT_OUTCOMES } from '../../../src/outbound/callback-outcome.service';
import { subscribe } from '../live-feed';
import { t, type TextKey } from '../i18n';
import { api } from '../session';

type Outcome = (typeof AGENT_OUTCOMES)[number];
const OUTCOME: Record<Outcome, TextKey> = { reached: 'ocReached', wrong_number: 'ocWrongNumber', retry: 'ocRetry' };

export function CallbackList({ me }: { me: number }) {
  const [items, setItems] = useState<CallbackView[] | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api<{ items: CallbackView[] }>('GET', '/api/callbacks?limit=50').then(
      (r) => setItems(r.items),
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
    return subscribe((m) => {
      if (m.type === 'CallbackRequested' || ((m.type === 'CallbackAttemptEnded' || m.type === 'CallbackConnected') && m.agentId === me)) void load();
    });
  }, [me]);
  const act = async (path: string, body?: unknown) => {
    setError('');
    try {
      await api('POST', path, body);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="ad-callbacks" aria-label={t('callbacks')}>
      <h3>
        {t('callbacks')}{' '}
        <button type="button" class="ad-small" onClick={() => void load()}>
          {t('refresh')}
        </button>
      </h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p class="ad-muted">{t('noCallbacks')}</p>}
      {items && items.length > 0 && (
        <table class="ad-list">
          <tbody>
            {items.map((c) => (
              <tr key={c.id} data-callback={c.id}>
                <td>
                  <strong>{c.customer?.name ?? c.phone}</strong>
                  {c.customer?.tier === 'vip' && <span class="ad-tier ad-tier-vip">VIP</span>}
                  <div class="ad-muted">{c.reason}</div>
                </td>
                <td class="ad-muted">
                  {t('due')} {c.dueAt.slice(5, 16).replace('T', ' ')}
                  {!c.insideCallingHours && <div class="ad-warn">{t('outsideHours')}</div>}
                </td>
                <td>
                  <button type="button" class="ad-small" disabled={!c.insideCallingHours || c.status !== 'open'} onClick={() => void act(`/api/callbacks/${c.id}/call`)}>
                    {t('callNow')}
                  </button>
                  {c.attemptCount > 0 &&
                    (Object.keys(OUTCOME) as Outcome[]).map((o) => (
                      <button type="button" class="ad-small" key={o} onClick={() => void act(`/api/callbacks/${c.id}/outcome`, { outcome: o })}>
                        {t(OUTCOME[o])}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
