// Sign-in: a wrong password shows the server's message, nothing else.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { signIn } from '../session';
import { ErrorLine } from '../error-line';

export function SignIn() {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      await signIn(String(form.get('username')), String(form.get('password')));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="sign-in" onSubmit={(e) => void submit(e)}>
      <h1>{t('appName')}</h1>
      <label>
        {t('username')}
        <input name="username" autocomplete="username" required autofocus />
      </label>
      <label>
        {t('password')}
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <ErrorLine error={error} />
      <button type="submit" disabled={busy}>
        {t('signIn')}
      </button>
    </form>
  );
}
