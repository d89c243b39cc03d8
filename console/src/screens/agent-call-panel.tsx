// The softphone and the call controls: answer, hang up, mute, hold, recording pause/resume, each with its shortcut.
import { t } from '../i18n';
import { call, toggleHold, toggleRecording } from './agent-desk-state';
import { answerCall, hangUpCall, phoneError, phoneMode, phoneMuted, phoneStatus, toggleMute } from './agent-softphone';

export function CallPanel() {
  const c = call.value;
  const status = phoneStatus.value;
  const ringing = status === 'ringing';
  const talking = status === 'connected';
  const connected = talking || c?.phase === 'connected';
  return (
    <section class="ad-phone" aria-label={t('softphone')}>
      <h3>
        {t('softphone')}{' '}
        <span class="ad-muted" data-testid="phone-mode">
          {phoneMode.value === 'simulator' ? t('phoneSim') : phoneMode.value === 'live' ? t('phoneLive') : ''}
        </span>
      </h3>
      <p class={`ad-phone-status ad-ph-${status}`} data-testid="phone-status" data-status={status} role="status">
        {status === 'off' ? t('phoneOff') : ringing ? `${t('incoming')}${c?.pop?.customer ? ` · ${c.pop.customer.name}` : c?.callback ? ` · ${t('callbackOffer')} ${c.callback.reason}` : ''}` : talking ? t('stOnCall') : t('phoneIdle')}
      </p>
      <div class="ad-phone-buttons">
        <button type="button" class="ad-answer" disabled={!ringing} onClick={() => void answerCall()} aria-keyshortcuts="Alt+A">
          {t('answer')} <kbd>Alt+A</kbd>
        </button>
        <button type="button" class="ad-hangup" disabled={!ringing && !talking} onClick={() => void hangUpCall()} aria-keyshortcuts="Alt+H">
          {t('hangUp')} <kbd>Alt+H</kbd>
        </button>
        <button type="button" disabled={!talking} aria-pressed={phoneMuted.value} onClick={() => void toggleMute()} aria-keyshortcuts="Alt+M">
          {phoneMuted.value ? t('unmute') : t('mute')} <kbd>Alt+M</kbd>
        </button>
        <button type="button" disabled={!connected || !c || c.interactionId < 0} aria-pressed={c?.onHold ?? false} onClick={() => void toggleHold()} aria-keyshortcuts="Alt+O">
          {c?.onHold ? t('resume') : t('hold')} <kbd>Alt+O</kbd>
        </button>
        <button type="button" disabled={!connected || !c || c.interactionId < 0} aria-pressed={c?.recordingPaused ?? false} onClick={() => void toggleRecording()} aria-keyshortcuts="Alt+P">
          {c?.recordingPaused ? t('recResume') : t('recPause')} <kbd>Alt+P</kbd>
        </button>
      </div>
      <p class="ad-flags">
        {c?.onHold && <span class="ad-flag">{t('onHold')}</span>}
        {c?.recordingPaused && <span class="ad-flag">{t('recPaused')}</span>}
        {phoneMuted.value && <span class="ad-flag">{t('muted')}</span>}
      </p>
      {phoneError.value && (
        <p class="error" role="alert">
          {phoneError.value}
        </p>
      )}
    </section>
  );
}
