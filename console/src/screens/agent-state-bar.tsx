// The agent's state and the buttons that change it, following the server's presence rules: the server's reason shows
// when a change is refused; during a call a request becomes the next state; wrap-up counts down and can be extended.
import { useEffect, useState } from 'preact/hooks';
import type { AgentStateName } from '../../../src/db/schema/index';
import type { BREAK_REASONS } from '../../../src/acd/agent-presence';
import type { DeskSkill } from '../../../src/acd/agent-desks.repo';
import { t, type TextKey } from '../i18n';
import { extendWrapUp, myDesks, presence, requestState, stateSeenAt } from './agent-desk-state';

type Desk = DeskSkill['desk'];

export const DESK_TEXT: Record<Desk, TextKey> = { front: 'deskFront', middle: 'deskMiddle', back: 'deskBack' };

type BreakReason = (typeof BREAK_REASONS)[number];

/** One label per server reason: a reason added on the server fails the type check here until it has its text. */
export const BREAK_REASON_TEXT: Record<BreakReason, TextKey> = {
  lunch: 'brLunch',
  rest: 'brRest',
  training: 'brTraining',
  meeting: 'brMeeting',
  coaching: 'brCoaching',
  personal: 'brPersonal',
};

export const STATE_TEXT: Record<AgentStateName, TextKey> = {
  offline: 'stOffline',
  available: 'stAvailable',
  reserved: 'stReserved',
  on_call: 'stOnCall',
  wrap_up: 'stWrapUp',
  break: 'stBreak',
  missed: 'stMissed',
};

const reasonText = (r: string | null) => (r && r in BREAK_REASON_TEXT ? t(BREAK_REASON_TEXT[r as BreakReason]) : (r ?? ''));

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function useTick(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, []);
  return now;
}

export function StateBar() {
  const p = presence.value;
  const now = useTick();
  const [reason, setReason] = useState<BreakReason>('rest');
  if (!p) return <div class="ad-statebar">{t('loading')}</div>;
  const inState = now - stateSeenAt.value;
  const wrapLeft = p.state === 'wrap_up' && p.wrapUpUntil ? Date.parse(p.wrapUpUntil) - Date.parse(p.since) - inState : null;
  return (
    <div class="ad-statebar" data-state={p.state}>
      <span class={`ad-state ad-st-${p.state}`} data-testid="agent-state" data-state={p.state}>
        {t(STATE_TEXT[p.state])}
        {p.state === 'break' && p.reason ? ` · ${reasonText(p.reason)}` : ''}
      </span>
      <span class="ad-desks" data-testid="my-desks" title={t('myDesks')}>
        {myDesks.value.map((d) => `${t(DESK_TEXT[d.desk])}${d.skill}`).join(' · ')}
      </span>
      <span class="ad-muted" data-testid="time-in-state">
        {t('timeInState')} {clock(inState)}
      </span>
      {wrapLeft !== null && (
        <span class="ad-wrap" data-testid="wrap-up-left">
          {t('wrapUpLeft')} <strong>{clock(wrapLeft)}</strong>
          <button type="button" onClick={() => void extendWrapUp(30)} aria-keyshortcuts="Alt+E">
            {t('extend')} <kbd>Alt+E</kbd>
          </button>
        </span>
      )}
      {p.nextState && (
        <span class="ad-next" data-testid="next-state">
          {t('nextState')}: {t(STATE_TEXT[p.nextState])}
          {p.nextReason ? ` · ${reasonText(p.nextReason)}` : ''}
        </span>
      )}
      <span class="ad-spacer" />
      <button type="button" class="ad-go-available" onClick={() => void requestState('available')} aria-keyshortcuts="Alt+R">
        {t('goAvailable')} <kbd>Alt+R</kbd>
      </button>
      <label class="ad-break">
        <span class="sr-only">{t('breakReason')}</span>
        <select value={reason} onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value as BreakReason)} aria-label={t('breakReason')}>
          {(Object.keys(BREAK_REASON_TEXT) as BreakReason[]).map((r) => (
            <option value={r} key={r}>
              {t(BREAK_REASON_TEXT[r])}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void requestState('break', reason)} aria-keyshortcuts="Alt+B" data-testid="go-break">
          {t('goBreak')} <kbd>Alt+B</kbd>
        </button>
      </label>
      <button type="button" onClick={() => void requestState('offline')}>
        {t('goOffline')}
      </button>
    </div>
  );
}
