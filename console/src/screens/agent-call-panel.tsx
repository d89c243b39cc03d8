// The softphone and the call controls: answer, hang up, mute, hold, recording pause/resume, each with its shortcut.
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';
import { takeLostFocus } from '../focus';
import { callbackItems } from './agent-callbacks';
import { call, presence, toggleHold, toggleRecording } from './agent-desk-state';
import { answerCall, hangUpCall, phoneError, phoneMode, phoneMuted, phoneStatus, toggleMute } from './agent-softphone';
import { ErrorLine } from '../error-line';

export function CallPanel() {
  const c = call.value;
  const status = phoneStatus.value;
  const ringing = status === 'ringing';
  const talking = status === 'connected';
  const connected = talking || c?.phase === 'connected';
  const answerButton = useRef<HTMLButtonElement>(null);
  const hangUpButton = useRef<HTMLButtonElement>(null);
  // A ring while the focus is nowhere (the Call pressed on a callback is gone or disabled) puts it on Answer; once
  // answered, the disabled Answer hands it to Hang up: Enter, Enter works as Alt+A, Alt+H do. The agent's state is
  // watched too: it may disable the focused control just after the phone started ringing.
  const agentState = presence.value?.state;
  useEffect(() => {
    if (ringing) takeLostFocus(answerButton.current);
    else if (talking) takeLostFocus(hangUpButton.current);
  }, [status, agentState]);
  return (
    <section class="ad-phone" aria-label={t('softphone')}>
      <h3>
        {t('softphone')}{' '}
        <span class="ad-muted" data-testid="phone-mode">
          {phoneMode.value === 'simulator' ? t('phoneSim') : phoneMode.value === 'live' ? t('phoneLive') : ''}
        </span>
      </h3>
      <p class={`ad-phone-status ad-ph-${status}`} data-testid="phone-status" data-status={status} role="status">
        {status === 'off' ? t('phoneOff') : ringing ? `${t('incoming')}${c?.pop?.customer ? ` · ${c.pop.customer.name}` : c?.callback ? ` · ${t('callbackOffer')} · ${callbackItems.value.find((x) => x.id === c.callback?.id)?.customer?.name ?? c.callback.phone}` : ''}` : talking ? (c?.callback && c.phase === 'offered' ? t('dialingCustomer') : t('stOnCall')) : t('phoneIdle')}
      </p>
      <div class="ad-phone-buttons">
        <button type="button" class="ad-answer" ref={answerButton} disabled={!ringing} onClick={() => void answerCall()} aria-keyshortcuts="Alt+A">
          {t('answer')} <kbd>Alt+A</kbd>
        </button>
        <button type="button" class="ad-hangup" ref={hangUpButton} disabled={!ringing && !talking} onClick={() => void hangUpCall()} aria-keyshortcuts="Alt+H">
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
      <ErrorLine error={phoneError.value} />
    </section>
  );
}
