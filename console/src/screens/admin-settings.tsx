// Admin pages, second half: each queue's rules, the order system's integration keys, and the IVR flows read-only.
import { useEffect, useState } from 'preact/hooks';
import type { QueueSettings } from '../../../src/acd/queue-settings.repo';
import type { IntegrationKeyJson } from '../../../src/http/integration-keys.routes';
import type { IvrFlowJson } from '../../../src/http/ivr-flows.routes';
import { lang, t, type TextKey } from '../i18n';
import { queueName } from '../queue-names';
import { api } from '../session';
import { ErrorLine } from '../error-line';

const OVERFLOW = ['callback_or_voicemail', 'voicemail', 'queue'] as const;
const DESKS = ['front', 'middle', 'back'] as const;
const SECONDS = ['serviceLevelSeconds', 'maxWaitSeconds', 'wrapUpSeconds'] as const;

export function QueueSettingsPage() {
  const [queues, setQueues] = useState<QueueSettings[]>([]);
  const [error, setError] = useState('');
  useEffect(() => void api<{ queues: QueueSettings[] }>('GET', '/api/queues').then((r) => setQueues(r.queues), (e: Error) => setError(e.message)), []);
  return (
    <>
      <h2>{t('queueSettings')}</h2>
      <ErrorLine error={error} />
      <table class="admin-table" data-testid="queues">
        <thead>
          <tr>
            <th>{t('queue')}</th>
            <th>{t('desk')}</th>
            {SECONDS.map((f) => (
              <th key={f}>{t(f)}</th>
            ))}
            <th>{t('overflowAction')}</th>
            <th>{t('overflowQueue')}</th>
            <th>{t('postCallSurvey')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <QueueRow key={q.name} queue={q} others={queues.filter((x) => x.name !== q.name).map((x) => x.name)} />
          ))}
        </tbody>
      </table>
    </>
  );
}

/** One queue's rules; PUT replaces them as a whole, so every field is sent. */
function QueueRow({ queue, others }: { queue: QueueSettings; others: string[] }) {
  const [q, setQ] = useState(queue);
  const [base, setBase] = useState(queue);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  const changed = JSON.stringify(q) !== JSON.stringify(base);
  const edit = (patch: Partial<QueueSettings>) => {
    setSaved(false);
    setQ({ ...q, ...patch });
  };
  const save = async () => {
    setError('');
    try {
      const { name, ...rules } = q;
      const r = await api<QueueSettings>('PUT', `/api/queues/${encodeURIComponent(name)}`, { ...rules, overflowQueue: rules.overflowAction === 'queue' ? rules.overflowQueue : null });
      setQ(r);
      setBase(r);
      setSaved(true);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <tr data-queue={q.name}>
      <td>
        <strong>{queueName(q.name)}</strong>
        <br />
        <code class="admin-queue-id">{q.name}</code>
        <ErrorLine error={error} />
      </td>
      <td>
        <select aria-label={`${q.name} ${t('desk')}`} value={q.desk} onChange={(e) => edit({ desk: e.currentTarget.value as QueueSettings['desk'] })}>
          {DESKS.map((d) => (
            <option key={d} value={d}>
              {t(`desk_${d}`)}
            </option>
          ))}
        </select>
      </td>
      {SECONDS.map((f) => (
        <td key={f}>
          <input type="number" min={0} name={f} aria-label={`${q.name} ${t(f)}`} value={q[f]} onInput={(e) => edit({ [f]: Number(e.currentTarget.value) })} />
        </td>
      ))}
      <td>
        <select aria-label={`${q.name} ${t('overflowAction')}`} value={q.overflowAction} onChange={(e) => edit({ overflowAction: e.currentTarget.value as QueueSettings['overflowAction'] })}>
          {OVERFLOW.map((o) => (
            <option key={o} value={o}>
              {t(`ov_${o}` as TextKey)}
            </option>
          ))}
        </select>
      </td>
      <td>
        {q.overflowAction === 'queue' ? (
          <select aria-label={`${q.name} ${t('overflowQueue')}`} value={q.overflowQueue ?? ''} onChange={(e) => edit({ overflowQueue: e.currentTarget.value || null })}>
            <option value="">—</option>
            {others.map((o) => (
              <option key={o} value={o}>
                {queueName(o)}
              </option>
            ))}
          </select>
        ) : (
          '—'
        )}
      </td>
      <td>
        <input type="checkbox" aria-label={`${q.name} ${t('postCallSurvey')}`} checked={q.postCallSurvey} onChange={(e) => edit({ postCallSurvey: e.currentTarget.checked })} />
      </td>
      <td>
        <button type="button" class="primary" disabled={!changed && !error} onClick={() => void save()}>
          {t('save')}
        </button>
        {saved && <span class="ok"> {t('saved')}</span>}
      </td>
    </tr>
  );
}

export function IntegrationKeys() {
  const [keys, setKeys] = useState<IntegrationKeyJson[]>([]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState('');
  const load = () => api<IntegrationKeyJson[]>('GET', '/api/integration-keys').then(setKeys, (e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  const run = async (f: () => Promise<unknown>) => {
    setError('');
    try {
      await f();
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
  return (
    <>
      <h2>{t('integrationKeys')}</h2>
      <ErrorLine error={error} />
      {shown && (
        <div class="admin-key" role="status" data-testid="new-key">
          <p>
            <strong>{shown.name}</strong>: {t('keyShownOnce')}
          </p>
          <code>{shown.key}</code>
        </div>
      )}
      <form
        class="admin-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const k = await api<IntegrationKeyJson & { key: string }>('POST', '/api/integration-keys', { name });
            setShown({ name: k.name, key: k.key });
            setName('');
          });
        }}
      >
        <label>
          {t('keyName')}
          <input name="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} placeholder="erp" />
        </label>
        <button type="submit" class="primary">
          {t('newKey')}
        </button>
      </form>
      <table class="admin-table" data-testid="keys">
        <thead>
          <tr>
            <th>{t('keyName')}</th>
            <th>{t('prefix')}</th>
            <th>{t('createdAt')}</th>
            <th>{t('lastUsedAt')}</th>
            <th>{t('revokedAt')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{when(k.createdAt)}</td>
              <td>{when(k.lastUsedAt)}</td>
              <td>{when(k.revokedAt)}</td>
              <td>
                {!k.revokedAt && (
                  <button type="button" onClick={() => void run(() => api('DELETE', `/api/integration-keys/${k.id}`))}>
                    {t('revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A node's fields in one line: prompts in the console's language, choices and rules as "input → next". */
function nodeDetails(node: Record<string, unknown>): string {
  const text = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.map(text).join('; ');
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o[lang.value] === 'string') return o[lang.value] as string;
      if ('next' in o) return `${String(o.digits ?? o.if ?? o.when ?? o.value ?? Object.values(o)[0])} → ${String(o.next)}`;
      return Object.entries(o)
        .map(([k, x]) => `${k} ${text(x)}`)
        .join(', ');
    }
    return '';
  };
  return Object.entries(node)
    .filter(([k]) => k !== 'id' && k !== 'type')
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join(' · ');
}

export function IvrFlows() {
  const [flows, setFlows] = useState<IvrFlowJson[]>([]);
  const [error, setError] = useState('');
  useEffect(() => void api<{ flows: IvrFlowJson[] }>('GET', '/api/ivr/flows').then((r) => setFlows(r.flows), (e: Error) => setError(e.message)), []);
  return (
    <>
      <h2>{t('ivrFlows')}</h2>
      <ErrorLine error={error} />
      {flows.map((f) => (
        <details class="admin-flow" key={f.id} open={f.purpose === 'inbound'} data-flow={f.id}>
          <summary>
            <strong>{f.id}</strong> {f.description ?? ''} <span class="admin-muted">({f.purpose}; {t('numbers')}: {f.numbers.join(', ') || '*'})</span>
          </summary>
          <table class="admin-table">
            <thead>
              <tr>
                <th>{t('node')}</th>
                <th>{t('type')}</th>
                <th>{t('details')}</th>
              </tr>
            </thead>
            <tbody>
              {f.nodes.map((n) => (
                <tr key={n.id} id={`node-${f.id}-${n.id}`}>
                  <td>
                    <code>{n.id}</code>
                    {n.id === f.start && <em class="admin-muted"> ({t('startNode')})</em>}
                  </td>
                  <td>{n.type}</td>
                  <td>{nodeDetails(n as unknown as Record<string, unknown>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </>
  );
}
