// The admin pages: staff and teams, desks, queue settings, integration keys (the key shown once) and a read-only view
// of the IVR flows. Supervisors see what the API lets them read or change; the API checks every request again.
import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../../../src/db/schema/staff';
import type { StaffJson, TeamJson } from '../../../src/http/staff.routes';
import type { AgentJson } from '../../../src/http/agents.routes';
import { t, type TextKey } from '../i18n';
import { api, session } from '../session';
import { IntegrationKeys, IvrFlows, QueueSettingsPage } from './admin-settings';
import { ErrorLine } from '../error-line';
import './qa-admin.css';

const ROLES: readonly Role[] = ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor', 'admin', 'department'];
const DESKS = ['front', 'middle', 'back'] as const;
const DEPARTMENTS = ['warehouse', 'logistics', 'finance', 'merchandise'] as const;
type Tab = 'staff' | 'desks' | 'queues' | 'keys' | 'ivr';

const TABS: readonly { id: Tab; title: TextKey; roles: readonly Role[] }[] = [
  { id: 'staff', title: 'staffAndTeams', roles: ['admin', 'supervisor'] },
  { id: 'desks', title: 'desks', roles: ['admin', 'supervisor'] },
  { id: 'queues', title: 'queueSettings', roles: ['admin', 'supervisor'] },
  { id: 'keys', title: 'integrationKeys', roles: ['admin'] },
  { id: 'ivr', title: 'ivrFlows', roles: ['admin', 'supervisor'] },
];

export function AdminPages() {
  const role = session.value!.staff.role;
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const mine = TABS.filter((x) => x.roles.includes(role));
  const asked = /^#\/admin\/(\w+)/.exec(hash)?.[1];
  const tab = mine.find((x) => x.id === asked)?.id ?? mine[0]?.id ?? 'staff';
  return (
    <section class="admin">
      <nav class="admin-tabs" aria-label={t('admin')}>
        {mine.map((x) => (
          <a key={x.id} href={`#/admin/${x.id}`} class={x.id === tab ? 'active' : ''} aria-current={x.id === tab ? 'page' : undefined}>
            {t(x.title)}
          </a>
        ))}
      </nav>
      {tab === 'staff' && <StaffAndTeams admin={role === 'admin'} />}
      {tab === 'desks' && <Desks />}
      {tab === 'queues' && <QueueSettingsPage />}
      {tab === 'keys' && <IntegrationKeys />}
      {tab === 'ivr' && <IvrFlows />}
    </section>
  );
}

function StaffAndTeams({ admin }: { admin: boolean }) {
  const [staff, setStaff] = useState<StaffJson[]>([]);
  const [teams, setTeams] = useState<TeamJson[]>([]);
  const [error, setError] = useState('');
  const [draft, setDraft] = useState({ username: '', displayName: '', role: 'agent' as Role, teamId: '', department: '', password: '' });
  const load = async () => {
    try {
      const [s, tm] = await Promise.all([api<{ staff: StaffJson[] }>('GET', '/api/staff'), api<{ teams: TeamJson[] }>('GET', '/api/teams')]);
      setStaff(s.staff);
      setTeams(tm.teams);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), []);
  const change = async (id: number, body: Record<string, unknown>) => {
    setError('');
    try {
      await api('PATCH', `/api/staff/${id}`, body);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const create = async () => {
    setError('');
    try {
      await api('POST', '/api/staff', { username: draft.username, displayName: draft.displayName, role: draft.role, teamId: draft.teamId ? Number(draft.teamId) : null, department: draft.role === 'department' && draft.department ? draft.department : null, password: draft.password });
      setDraft({ username: '', displayName: '', role: 'agent', teamId: '', department: '', password: '' });
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const teamName = (id: number | null) => teams.find((x) => x.id === id)?.name ?? '—';
  return (
    <>
      <h2>{t('staffAndTeams')}</h2>
      {!admin && <p class="admin-muted">{t('onlyAdmins')}</p>}
      <ErrorLine error={error} />
      <table class="admin-table" data-testid="staff">
        <thead>
          <tr>
            <th>{t('username')}</th>
            <th>{t('displayName')}</th>
            <th>{t('role')}</th>
            <th>{t('team')}</th>
            <th>{t('desks')}</th>
            <th>{t('active')}</th>
          </tr>
        </thead>
        <tbody>
          {staff.map((s) => (
            <tr key={s.id} data-staff={s.username}>
              <td>{s.username}</td>
              <td>{s.displayName}</td>
              <td>
                {admin ? (
                  <select aria-label={`${s.username} ${t('role')}`} value={s.role} onChange={(e) => void change(s.id, { role: e.currentTarget.value })}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role_${r}`)}
                      </option>
                    ))}
                  </select>
                ) : (
                  t(`role_${s.role}`)
                )}
              </td>
              <td>
                {admin ? (
                  <select aria-label={`${s.username} ${t('team')}`} value={s.teamId ?? ''} onChange={(e) => void change(s.id, { teamId: e.currentTarget.value ? Number(e.currentTarget.value) : null })}>
                    <option value="">{t('none')}</option>
                    {teams.map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.name}
                      </option>
                    ))}
                  </select>
                ) : (
                  teamName(s.teamId)
                )}
              </td>
              <td>{s.desks.map((d) => `${t(`desk_${d.desk}`)} ${d.skill}`).join(', ') || '—'}</td>
              <td>
                {admin ? (
                  <button type="button" onClick={() => void change(s.id, { active: !s.active })}>
                    {s.active ? t('deactivate') : t('activate')}
                  </button>
                ) : s.active ? (
                  t('yes')
                ) : (
                  t('no')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form
          class="admin-form"
          aria-label={t('newStaff')}
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <strong>{t('newStaff')}</strong>
          <label>
            {t('username')}
            <input name="new-username" autocomplete="off" value={draft.username} onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })} required />
          </label>
          <label>
            {t('displayName')}
            <input name="new-displayName" value={draft.displayName} onInput={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })} required />
          </label>
          <label>
            {t('role')}
            <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role_${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('team')}
            <select value={draft.teamId} onChange={(e) => setDraft({ ...draft, teamId: e.currentTarget.value })}>
              <option value="">{t('none')}</option>
              {teams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          {draft.role === 'department' && (
            <label>
              {t('department')}
              <select name="new-department" value={draft.department} onChange={(e) => setDraft({ ...draft, department: e.currentTarget.value })}>
                <option value="">—</option>
                {DEPARTMENTS.map((d) => (
                  <option key={d}>{d}</option>
                ))}
              </select>
            </label>
          )}
          <label>
            {t('password')}
            <input type="password" name="new-password" autocomplete="new-password" value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} required />
          </label>
          <button type="submit" class="primary">
            {t('create')}
          </button>
        </form>
      )}
      <h3>{t('teams')}</h3>
      <table class="admin-table" data-testid="teams">
        <thead>
          <tr>
            <th>{t('team')}</th>
            <th>{t('lead')}</th>
            <th>{t('members')}</th>
          </tr>
        </thead>
        <tbody>
          {teams.map((x) => (
            <tr key={x.id}>
              <td>{x.name}</td>
              <td>{staff.find((s) => s.id === x.leadId)?.displayName ?? '—'}</td>
              <td>{x.members.map((m) => m.displayName).join('、')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

type DeskChoice = Record<(typeof DESKS)[number], number | null>;

function Desks() {
  const [agents, setAgents] = useState<AgentJson[]>([]);
  const [edits, setEdits] = useState<Record<number, DeskChoice>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState<number | null>(null);
  const load = () => api<{ agents: AgentJson[] }>('GET', '/api/agents').then((r) => setAgents(r.agents), (e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  const current = (a: AgentJson): DeskChoice =>
    edits[a.id] ?? { front: a.desks.find((d) => d.desk === 'front')?.skill ?? null, middle: a.desks.find((d) => d.desk === 'middle')?.skill ?? null, back: a.desks.find((d) => d.desk === 'back')?.skill ?? null };
  const save = async (a: AgentJson) => {
    setError('');
    setSaved(null);
    const c = current(a);
    try {
      await api('PUT', `/api/agents/${a.id}/desks`, { desks: DESKS.filter((d) => c[d] !== null).map((d) => ({ desk: d, skill: c[d] })) });
      const { [a.id]: _done, ...rest } = edits;
      setEdits(rest);
      setSaved(a.id);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <h2>{t('desks')}</h2>
      <ErrorLine error={error} />
      <table class="admin-table" data-testid="desks">
        <thead>
          <tr>
            <th>{t('agent')}</th>
            <th>{t('team')}</th>
            <th>{t('presence')}</th>
            {DESKS.map((d) => (
              <th key={d}>
                {t(`desk_${d}`)} ({t('skill')})
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => {
            const c = current(a);
            return (
              <tr key={a.id} data-agent={a.username}>
                <td>{a.displayName}</td>
                <td>{a.team?.name ?? '—'}</td>
                <td>{a.presence.state}</td>
                {DESKS.map((d) => (
                  <td key={d}>
                    <input type="checkbox" aria-label={`${a.displayName} ${t(`desk_${d}`)}`} checked={c[d] !== null} onChange={(e) => setEdits({ ...edits, [a.id]: { ...c, [d]: e.currentTarget.checked ? 3 : null } })} />{' '}
                    {c[d] !== null && (
                      <input type="number" min={1} max={5} aria-label={`${a.displayName} ${t(`desk_${d}`)} ${t('skill')}`} value={c[d]!} onInput={(e) => setEdits({ ...edits, [a.id]: { ...c, [d]: Number(e.currentTarget.value) } })} />
                    )}
                  </td>
                ))}
                <td>
                  <button type="button" disabled={!edits[a.id]} onClick={() => void save(a)}>
                    {t('save')}
                  </button>
                  {saved === a.id && <span class="ok"> {t('saved')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
