// The wallboard (starter): GET /api/floor, refreshed when the floor feed says something changed.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { subscribe } from '../live-feed';
import { api } from '../session';

interface Floor {
  queues: { name: string; waiting: number; longestWaitSeconds: number; calls: { callSid: string; waitedSeconds: number }[] }[];
}

export function Wallboard() {
  const [floor, setFloor] = useState<Floor | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () => api<Floor>('GET', '/api/floor').then(setFloor, (e: Error) => setError(e.message));
    void load();
    return subscribe((m) => {
      if (m.type !== 'hello' && m.type !== 'heartbeat') void load();
    });
  }, []);
  return (
    <section class="wallboard">
      <h2>{t('wallboard')}</h2>
      {error && <p class="error">{error}</p>}
      <div class="queues">
        {floor?.queues.map((q) => (
          <article class="queue" key={q.name} data-queue={q.name}>
            <h3>{q.name}</h3>
            <p class="big" data-testid={`waiting-${q.name}`}>
              {q.waiting}
            </p>
            <p>{q.longestWaitSeconds} s</p>
          </article>
        ))}
      </div>
    </section>
  );
}
