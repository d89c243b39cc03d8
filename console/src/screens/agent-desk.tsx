// The agent desktop: state, softphone and call controls, the caller's screen pop before answering, wrap-up with a
// disposition and a work order, the callback list; keyboard shortcuts for the frequent actions.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { callbackReason } from '../queue-names';
import { online, send, subscribe } from '../live-feed';
import { session } from '../session';
import { call, deskError, extendWrapUp, loadPresence, myDesks, onFeed, presence, requestState, toggleHold, toggleRecording, type DeskCall } from './agent-desk-state';
import { answerCall, hangUpCall, startSoftphone, stopSoftphone, toggleMute } from './agent-softphone';
import { StateBar } from './agent-state-bar';
import { CallPanel } from './agent-call-panel';
import { ScreenPop } from './agent-screen-pop';
import { WrapUp } from './agent-wrap-up';
import { CallbackList, callbackItems } from './agent-callbacks';
import { ReviewLists } from './agent-reviews';
import './agent-desk.css';
import { ErrorLine } from '../error-line';

const SHORTCUTS: [string, () => void][] = [
  ['KeyA', () => void answerCall()],
  ['KeyH', () => void hangUpCall()],
  ['KeyM', () => void toggleMute()],
  ['KeyR', () => void requestState('available')],
  ['KeyB', () => document.querySelector<HTMLButtonElement>('[data-testid=go-break]')?.click()],
  ['KeyO', () => void toggleHold()],
  ['KeyP', () => void toggleRecording()],
  ['KeyE', () => presence.value?.state === 'wrap_up' && void extendWrapUp(30)],
  ['KeyD', () => document.getElementById('ad-disposition')?.focus()],
  ['KeyC', () => document.querySelector<HTMLInputElement>('[data-testid=callback-outcome] input[name=note]')?.focus()],
];

function onKey(e: KeyboardEvent): void {
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  const hit = SHORTCUTS.find(([code]) => code === e.code);
  if (!hit) return;
  e.preventDefault();
  hit[1]();
}

export function AgentDesk() {
  const me = session.value?.staff.id ?? 0;
  useEffect(() => {
    void loadPresence();
    void startSoftphone();
    const off = subscribe((m) => onFeed(m, me));
    // The desktop's sign of life: without it the server puts a silent agent offline.
    const beat = setInterval(() => send({ type: 'heartbeat' }), 10_000);
    addEventListener('keydown', onKey);
    return () => {
      off();
      clearInterval(beat);
      removeEventListener('keydown', onKey);
      stopSoftphone();
    };
  }, [me]);
  // No banner while the first connection is still being made: only once it was up, or after 3 s without it.
  const [expectOnline, setExpectOnline] = useState(false);
  useEffect(() => {
    if (online.value) setExpectOnline(true);
    const id = setTimeout(() => setExpectOnline(true), 3000);
    return () => clearTimeout(id);
  }, [online.value]);
  const c = call.value;
  return (
    <section class="agent-desk">
      {!online.value && expectOnline && (
        <p class="ad-offline" role="alert" data-testid="desk-offline">
          {t('deskOffline')}
        </p>
      )}
      <StateBar />
      <ErrorLine error={deskError.value} testId="desk-error" />
      <div class="ad-main">
        <div class="ad-left">
          <CallPanel />
          {c && c.interactionId > 0 && c.phase !== 'offered' && <WrapUp c={c} key={c.interactionId} />}
          <Shortcuts />
        </div>
        <div class="ad-right">
          {c?.pop ? (
            <ScreenPop pop={c.pop} />
          ) : c?.callback ? (
            <CallbackPop callback={c.callback} />
          ) : (
            <section class="ad-pop ad-empty">{t('noCall')}</section>
          )}
          <CallbackList me={me} />
          {/* Moved to another desk: the review lists follow (the server decides which lists are theirs). */}
          <ReviewLists me={me} desks={myDesks.value.map((d) => d.desk)} key={myDesks.value.map((d) => d.desk).join()} />
        </div>
      </div>
    </section>
  );
}

/** A callback on the desk (ringing the agent, then with the customer): who, why, and what to ask. */
function CallbackPop({ callback: cb }: { callback: NonNullable<DeskCall['callback']> }) {
  const item = callbackItems.value.find((x) => x.id === cb.id);
  return (
    <section class="ad-pop" data-testid="screen-pop">
      <div class="ad-pop-head">
        <h3 data-testid="pop-name">{item?.customer?.name ?? cb.phone}</h3>
        {item?.customer?.tier === 'vip' && <span class="ad-tier ad-tier-vip">VIP</span>}
        <span class="ad-muted">
          {t('callbackOffer')}
          {item?.customer?.name && ` · ${cb.phone}`}
          {item && ` · ${t('cbCustomerTime')} ${item.customerLocalTime.slice(11)}`}
          {cb.attempts > 0 && ` · ${t('cbAttempts')} ${cb.attempts}`}
        </span>
      </div>
      <p title={cb.reason}>{callbackReason(cb.reason)}</p>
      {cb.question && (
        <p class="ad-ivr">
          <strong>{t('cbAsk')}:</strong> {cb.question}
        </p>
      )}
    </section>
  );
}

function Shortcuts() {
  const rows: [string, Parameters<typeof t>[0]][] = [
    ['Alt+A', 'answer'],
    ['Alt+H', 'hangUp'],
    ['Alt+M', 'mute'],
    ['Alt+O', 'hold'],
    ['Alt+P', 'recPause'],
    ['Alt+R', 'goAvailable'],
    ['Alt+B', 'goBreak'],
    ['Alt+E', 'extend'],
    ['Alt+D', 'disposition'],
    ['Alt+C', 'cbRecordOutcome'],
  ];
  return (
    <details class="ad-shortcuts">
      <summary>{t('shortcuts')}</summary>
      <dl>
        {rows.map(([k, label]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
