// The agent desktop (starter): the agent's presence and the state buttons, following the server's rules.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { subscribe } from '../live-feed';
import { api, session } from '../session';

interface Presence {
  state: string;
  reason: string | null;
  since: string;
}

export function AgentDesk() {
  const [me, setMe] = useState<Presence | null>(null);
  const [error, setError] = useState('');
  const load = () => api<Presence>('GET', '/api/agents/me').then(setMe, (e: Error) => setError(e.message));
  useEffect(() => {
    void load();
    return subscribe((m) => {
      if (m.type === 'AgentStateChanged' && m.agentId === session.value?.staff.id) void load();
    });
  }, []);
  const change = async (state: string, reason?: string) => {
    setError('');
    try {
      setMe(await api<Presence>('PUT', '/api/agents/me/state', reason ? { state, reason } : { state }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="agent-desk">
      <h2>{t('agentDesk')}</h2>
      <p>
        {t('state')}: <strong data-testid="agent-state">{me?.state ?? t('loading')}</strong>
      </p>
      <div class="buttons">
        <button type="button" onClick={() => void change('available')}>available</button>
        <button type="button" onClick={() => void change('break', 'rest')}>break</button>
        <button type="button" onClick={() => void change('offline')}>offline</button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
