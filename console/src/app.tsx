// The shell: sign-in, then the screens of the person's role, the language switch and the connection state.
import { useEffect, useState } from 'preact/hooks';
import { lang, setLang, t, type TextKey } from './i18n';
import { connect, disconnect, online } from './live-feed';
import { screenFromHash, screensFor } from './routes';
import { session, signOut } from './session';
import { SignIn } from './screens/sign-in';
import { AgentDesk } from './screens/agent-desk';
import { Wallboard } from './screens/wallboard';
import { Placeholder } from './screens/placeholder';
// QA workspace and admin pages (c-qa)
import { QaWorkspace } from './screens/qa-workspace';
import { AdminPages } from './screens/admin-pages';

export function App() {
  const s = session.value;
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    if (!s) return;
    connect();
    return () => disconnect();
  }, [s?.token]);
  useEffect(() => {
    document.title = t('appName');
  }, [lang.value]);
  if (!s) return <SignIn />;
  const screen = screenFromHash(hash, s.staff.role);
  return (
    <div class="shell">
      <header class="topbar">
        <strong>{t('appName')}</strong>
        <nav>
          {screensFor(s.staff.role).map((x) => (
            <a href={`#/${x.id}`} class={x.id === screen.id ? 'active' : ''} key={x.id}>
              {t(x.title)}
            </a>
          ))}
        </nav>
        <span class={online.value ? 'status ok' : 'status down'} role="status" data-testid="connection">
          {online.value ? t('online') : t('offline')}
        </span>
        <span class="who">
          {s.staff.displayName} · {t(`role_${s.staff.role}` as TextKey)}
        </span>
        <button type="button" onClick={() => setLang(lang.value === 'zh' ? 'en' : 'zh')} aria-label="language">
          {lang.value === 'zh' ? 'English' : '中文'}
        </button>
        <button type="button" onClick={() => void signOut()}>
          {t('signOut')}
        </button>
      </header>
      <main>{!screen.allowed ? <p class="error" role="alert">{t('notAllowed')}</p> : <Screen id={screen.id} />}</main>
    </div>
  );
}

function Screen({ id }: { id: string }) {
  if (id === 'agent') return <AgentDesk />;
  if (id === 'wallboard') return <Wallboard />;
  if (id === 'qa') return <QaWorkspace />;
  if (id === 'admin') return <AdminPages />;
  return <Placeholder id={id} />;
}
