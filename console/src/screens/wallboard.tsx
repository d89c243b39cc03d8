// The wallboard: every queue's waiting callers and figures, every desk's agents by state, the floor's alerts and a
// chart of the day; loaded once from the API, then kept live by applying the floor feed's messages in place.
import { Component } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { lang, t, type TextKey } from '../i18n';
import { subscribe } from '../live-feed';
import { queueName } from '../queue-names';
import { api } from '../session';
import { BREAK_REASON_TEXT } from './agent-state-bar';
import { ActionDialog, type ActionTarget } from './wallboard-actions';
import { LiveClock, tickLiveClocks } from './wallboard-clock';
import { FloorChart, type ChartSample } from './wallboard-chart';
import { DESKS, FloorState, STATE_ORDER, clock, type AgentJson, type AgentState, type AgentView, type AlertView, type CallerView, type Desk, type FloorJson, type FloorMessage, type PeriodView, type QueueView } from './wallboard-floor';
import './wallboard.css';
import { ErrorLine } from '../error-line';

/** Set by scripts/bench-console.ts (and anyone curious): each update's cost goes to the User Timing entries. */
const MEASURE = sessionStorage.getItem('hotline.measureFloor') === '1';
/** The board itself renders again this often for what changes slowly (the chart's samples, a queue going late). */
const SAMPLE_MS = 5000;
/** At most one snapshot this often for messages the board cannot apply (a storm of them must not become a storm of GETs). */
const STALE_RELOAD_MS = 1000;
const SHOWN_CALLERS = 6;
/** With more queues than this, each card lists fewer callers so that the wall still shows every queue. */
const MANY_QUEUES = 6;
const ACTION_TEXT: Record<string, TextKey> = { 'agent.move-desk': 'wbMove', 'agent.end-break': 'wbEndBreak', 'agent.log-out': 'wbLogOut', 'call.priority': 'wbSetPriority', 'call.assign': 'wbAssign' };

function measure(name: string, start: number): void {
  // Reading the layout makes the figure include the browser's style and layout work, not only ours.
  void document.body.offsetHeight;
  performance.measure(name, { start, end: performance.now() });
}

export function Wallboard() {
  const floor = useMemo(() => new FloorState(), []);
  const [version, setVersion] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState('');
  const [reloading, setReloading] = useState(true);
  const [target, setTarget] = useState<ActionTarget | null>(null);
  const samples = useMemo<ChartSample[]>(() => [], []);

  useEffect(() => {
    let closed = false;
    let loading = false;
    let again = false;
    let frame = 0;
    let lastReload = 0;
    let staleTimer: ReturnType<typeof setTimeout> | undefined;
    const during: FloorMessage[] = [];
    const render = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const start = performance.now();
        setVersion(floor.version);
        if (MEASURE) queueMicrotask(() => measure('floor-render', start));
      });
    };
    const reload = async () => {
      if (loading) return void (again = true);
      loading = true;
      lastReload = Date.now();
      setReloading(true);
      try {
        const snapshot = await api<FloorJson>('GET', '/api/floor');
        // A floor feed without its own roster (before issue 9): the agents come from the dispatch API.
        const roster = snapshot.roster ? undefined : await api<{ agents: AgentJson[] }>('GET', '/api/agents').catch(() => undefined);
        if (closed) return;
        floor.load(snapshot, roster?.agents, Date.now());
        // What happened while the snapshot was on its way; applying a message the snapshot already has changes nothing.
        for (const m of during.splice(0)) floor.apply(m, Date.now());
        setError('');
      } catch (e) {
        setError((e as Error).message);
      } finally {
        loading = false;
        if (!closed) {
          setReloading(false);
          render();
          if (again) {
            again = false;
            void reload();
          }
        }
      }
    };
    void reload();
    const unsubscribe = subscribe((m) => {
      // A (re)connection may have missed messages: start again from a snapshot.
      if (m.type === 'hello') return void reload();
      if (loading) return void during.push(m);
      const start = performance.now();
      const applied = floor.apply(m, Date.now());
      if (MEASURE) performance.measure('floor-apply', { start, end: performance.now() });
      if (applied === 'changed') render();
      else if (applied === 'stale' && !staleTimer) staleTimer = setTimeout(() => {
        staleTimer = undefined;
        void reload();
      }, Math.max(0, lastReload + STALE_RELOAD_MS - Date.now()));
    });
    const ticker = setInterval(() => {
      const start = performance.now();
      tickLiveClocks(Date.now());
      if (MEASURE) measure('floor-tick', start);
    }, 1000);
    const sampler = setInterval(() => {
      samples.push(sample(floor, Date.now()));
      setNow(Date.now());
    }, SAMPLE_MS);
    return () => {
      closed = true;
      unsubscribe();
      cancelAnimationFrame(frame);
      clearTimeout(staleTimer);
      clearInterval(ticker);
      clearInterval(sampler);
    };
  }, []);

  const nowSec = Math.floor(now / 1000);
  const l = lang.value;
  const board = useMemo(() => deskBoards(floor, previous), [version]);
  previous = board;
  const queues = [...floor.queues.values()];
  const waiting = queues.reduce((n, q) => n + q.callers.length, 0);
  let longestSince: number | null = null;
  for (const q of queues) for (const c of q.callers) if (longestSince === null || c.queuedAt < longestSince) longestSince = c.queuedAt;
  const available = [...floor.agents.values()].filter((a) => a.state === 'available').length;
  const alerts = [...floor.alerts.values()];

  return (
    <section class="wb" aria-busy={reloading} data-version={version}>
      <header class="wb-head">
        <h2>{t('wallboard')}</h2>
        <Figure label={t('wbWaiting')} value={String(waiting)} testid="total-waiting" />
        <div class="wb-figure">
          <span>{t('wbLongest')}</span>
          <strong>
            <LiveClock since={longestSince} />
          </strong>
        </div>
        <Figure label={t('wbAgentsAvailable')} value={String(available)} />
        <Figure label={t('wbAlerts')} value={String(alerts.length)} tone={alerts.length ? 'bad' : undefined} />
        <WallClock lang={l} />
      </header>
      <ErrorLine error={error} />
      {reloading && !floor.loaded && <p>{t('loading')}</p>}
      {alerts.length > 0 && (
        <ul class="wb-alerts" aria-label={t('wbAlerts')} data-testid="alerts">
          {alerts.map((a) => (
            <li key={a.key}>
              <strong title={a.message}>{alertText(a, floor)}</strong> <LiveClock since={a.raisedAt} />
            </li>
          ))}
        </ul>
      )}
      <div class="wb-main">
        <div class="wb-queues">
          {queues.map((q) => (
            <QueueCard key={q.name} q={q} shownCallers={queues.length > MANY_QUEUES ? 3 : SHOWN_CALLERS} nowSec={nowSec} lang={l} floor={floor} onCaller={(caller) => setTarget({ kind: 'caller', caller, queue: q })} />
          ))}
        </div>
        <div class="wb-desks">
          {DESKS.map((d) => (
            <DeskPanel key={d} desk={d} board={board[d]} lang={l} monitoring={floor.monitoring} onAgent={(agent) => setTarget({ kind: 'agent', agent })} />
          ))}
        </div>
      </div>
      <div class="wb-foot">
        <FloorChart samples={samples} nowSec={nowSec} />
        <section class="wb-actions" aria-label={t('wbRecentActions')}>
          <h3>{t('wbRecentActions')}</h3>
          {floor.actions.length === 0 && <p class="wb-quiet">{t('wbNoActions')}</p>}
          <ol>
            {floor.actions.map((a) => (
              <li key={`${a.at}-${a.subjectId}-${a.action}`}>
                <time>{new Date(a.at).toLocaleTimeString(l === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}</time> {ACTION_TEXT[a.action] ? t(ACTION_TEXT[a.action]) : a.action} {a.subjectType === 'agent' ? (floor.agents.get(Number(a.subjectId))?.displayName ?? a.subjectId) : a.subjectId.slice(-6)} — {a.reason}
              </li>
            ))}
          </ol>
        </section>
      </div>
      {target && <ActionDialog target={target} floor={floor} onClose={() => setTarget(null)} />}
    </section>
  );
}

/**
 * An alert in the board's language, from its kind, subject, the figure when raised and the threshold: "综合咨询：最长等待
 * 2:05（超过 1:00）". The server's English sentence only for a kind the board does not know.
 */
export function alertText(a: AlertView, floor: FloorState): string {
  const zh = lang.value === 'zh';
  if (a.raisedValue === undefined || a.raiseAt === undefined) return a.message;
  const v = Math.round(a.raisedValue * 10) / 10;
  const at = Math.round(a.raiseAt * 10) / 10;
  const agent = () => (a.agentId ? floor.agents.get(a.agentId)?.displayName : undefined) ?? a.subject;
  const desk = () => {
    const d = a.subject.replace(/^desk:/, '');
    return (DESKS as readonly string[]).includes(d) ? t(`wbDesk_${d}` as TextKey) : d;
  };
  switch (a.kind) {
    case 'longest_wait':
      return zh ? `${queueName(a.subject)}：最长等待 ${clock(Math.round(v))}（超过 ${clock(Math.round(at))}）` : `${queueName(a.subject)}: longest wait ${clock(Math.round(v))} (over ${clock(Math.round(at))})`;
    case 'service_level':
      return zh ? `${queueName(a.subject)}：30 分钟服务水平 ${v}%（低于 ${at}%）` : `${queueName(a.subject)}: service level (30 min) ${v}% (under ${at}%)`;
    case 'abandon_rate':
      return zh ? `${queueName(a.subject)}：15 分钟放弃率 ${v}%（超过 ${at}%）` : `${queueName(a.subject)}: abandoned (15 min) ${v}% (over ${at}%)`;
    case 'agents_available':
      return zh ? `${desk()}：空闲坐席 ${v} 人（少于 ${at} 人）` : `${desk()}: ${v} agents available (under ${at})`;
    case 'wrap_up_too_long':
      return zh ? `${agent()}：话后处理已 ${clock(Math.round(v))}（超过 ${clock(Math.round(at))}）` : `${agent()}: in wrap-up for ${clock(Math.round(v))} (over ${clock(Math.round(at))})`;
    case 'break_too_long':
      return zh ? `${agent()}：小休已 ${clock(Math.round(v))}（超过 ${clock(Math.round(at))}）` : `${agent()}: on break for ${clock(Math.round(v))} (over ${clock(Math.round(at))})`;
    default:
      return a.message;
  }
}

/** Why a caller is queued (the IVR flow's queue node, or the server's load shedding), in the board's language. */
const REASON: Record<string, TextKey> = { vip: 'wbWhyVip', returns: 'wbWhyReturns', complaint: 'wbWhyComplaint', agent: 'wbWhyAgent', 'after-hours': 'wbWhyAfterHours', shed: 'wbWhyShed' };
const reasonText = (r: string | null | undefined) => (r ? (REASON[r] ? t(REASON[r]) : r) : '');

function Figure({ label, value, tone, testid }: { label: string; value: string; tone?: 'bad'; testid?: string }) {
  return (
    <div class={`wb-figure ${tone ?? ''}`}>
      <span>{label}</span>
      <strong data-testid={testid}>{value}</strong>
    </div>
  );
}

const pct = (p: PeriodView | undefined, f: 'serviceLevel') => (p?.[f] === null || p?.[f] === undefined ? '—' : `${Math.round(p[f])}%`);

interface QueueCardProps {
  q: QueueView;
  shownCallers: number;
  /** The board's slow clock (every few seconds): whether the queue as a whole is late. */
  nowSec: number;
  lang: string;
  floor: FloorState;
  onCaller: (c: CallerView) => void;
}

/** Renders again only when a prop changed (a new onCaller arrow at every render of the board is no change). */
function changed<P extends object>(a: P, b: P, skip: keyof P): boolean {
  for (const k in b) if (k !== skip && a[k] !== b[k]) return true;
  return false;
}

class QueueCard extends Component<QueueCardProps, { all: boolean }> {
  state = { all: false };

  shouldComponentUpdate(next: QueueCardProps, nextState: { all: boolean }): boolean {
    return nextState !== this.state || changed(this.props, next, 'onCaller');
  }

  render({ q, shownCallers, nowSec, floor, onCaller }: QueueCardProps, { all }: { all: boolean }) {
    let first: number | null = null;
    for (const c of q.callers) if (first === null || c.queuedAt < first) first = c.queuedAt;
    const shown = all ? q.callers : q.callers.slice(0, shownCallers);
    const late = first !== null && nowSec * 1000 - first > q.serviceLevelSeconds * 1000;
    return (
      <article class={`wb-queue ${late ? 'late' : ''}`} data-queue={q.name} aria-label={queueName(q.name)}>
        <header>
          <h3 title={q.name} data-testid={`queue-name-${q.name}`}>{queueName(q.name)}</h3>
          <span class="wb-desk-tag">{t(`wbDesk_${q.desk}` as TextKey)}</span>
        </header>
        <div class="wb-queue-figures">
          <div class="wb-big">
            <strong data-testid={`waiting-${q.name}`}>{q.callers.length}</strong>
            <span>{t('wbWaiting')}</span>
          </div>
          <dl>
            <dt>{t('wbLongest')}</dt>
            <dd>
              <LiveClock since={first} lateAfter={q.serviceLevelSeconds} />
            </dd>
            <dt>{t('wbEstimated')}</dt>
            <dd>{clock(q.estimatedWaitSeconds === null || q.estimatedWaitSeconds === undefined ? null : Math.round(q.estimatedWaitSeconds))}</dd>
            <dt>{t('wbSlToday')}</dt>
            <dd>{pct(q.today, 'serviceLevel')}</dd>
            <dt>{t('wbSl30')}</dt>
            <dd>{pct(q.last30Minutes, 'serviceLevel')}</dd>
            <dt>{t('wbAbandoned')}</dt>
            <dd>{q.today?.abandoned ?? '—'}</dd>
            {q.callbacksDue !== undefined && <dt>{t('wbCallbacksDue')}</dt>}
            {q.callbacksDue !== undefined && <dd>{q.callbacksDue}</dd>}
          </dl>
        </div>
        {q.callers.length === 0 ? (
          <p class="wb-quiet">{t('wbNoCallers')}</p>
        ) : (
          <ol class={`wb-callers ${all ? 'all' : ''}`}>
            {shown.map((c, i) => (
              <li key={c.callSid}>
                <button type="button" data-call={c.callSid} onClick={() => onCaller(c)}>
                  <span class="pos">{i + 1}</span>
                  <span class="prio" title={t('wbPriority')}>
                    P{c.priority}
                  </span>
                  <span class="why">{c.ringingAgentId ? `${t('wbRinging')} → ${floor.agents.get(c.ringingAgentId)?.displayName ?? c.ringingAgentId}` : reasonText(c.reason)}</span>
                  <LiveClock class="wait" since={c.queuedAt} lateAfter={q.serviceLevelSeconds} />
                </button>
              </li>
            ))}
          </ol>
        )}
        {q.callers.length > shownCallers && (
          <button type="button" class="wb-more" aria-expanded={all} onClick={() => this.setState({ all: !all })}>
            {all ? t('wbLess') : `+${q.callers.length - shownCallers} ${t('wbMore')}`}
          </button>
        )}
      </article>
    );
  }
}

interface DeskBoard {
  agents: AgentView[];
  counts: Partial<Record<AgentState, number>>;
}

/** The previous render's desk boards: a desk whose agents did not change keeps its board, and is not rendered again. */
let previous: Record<Desk, DeskBoard> | undefined;

/** Each desk's signed-in agents, ordered by state then by time in it (longest first), and their counts by state. */
function deskBoards(floor: FloorState, before: Record<Desk, DeskBoard> | undefined): Record<Desk, DeskBoard> {
  const out = { front: { agents: [], counts: {} }, middle: { agents: [], counts: {} }, back: { agents: [], counts: {} } } as Record<Desk, DeskBoard>;
  for (const a of floor.agents.values()) {
    if (a.state === 'offline') continue;
    for (const d of a.desks) {
      out[d].agents.push(a);
      out[d].counts[a.state] = (out[d].counts[a.state] ?? 0) + 1;
    }
  }
  const rank = (s: AgentState) => STATE_ORDER.indexOf(s);
  for (const d of DESKS) {
    out[d].agents.sort((a, b) => rank(a.state) - rank(b.state) || (a.since ?? 0) - (b.since ?? 0) || a.id - b.id);
    const old = before?.[d].agents;
    if (old && old.length === out[d].agents.length && old.every((a, i) => a === out[d].agents[i])) out[d] = before[d];
  }
  return out;
}

interface DeskPanelProps {
  desk: Desk;
  board: DeskBoard;
  lang: string;
  monitoring: FloorState['monitoring'];
  onAgent: (a: AgentView) => void;
}

/** The tiles' grid in px (kept in step with wallboard.css): only the rows in view are rendered, so a desk of 1,000 costs 60. */
const TILE = { minWidth: 128, height: 40, gap: 3, overscanRows: 2 };

interface DeskPanelState {
  top: number;
  width: number;
  height: number;
}

class DeskPanel extends Component<DeskPanelProps, DeskPanelState> {
  state = { top: 0, width: 600, height: 240 };
  private resize?: ResizeObserver;
  private box?: HTMLElement | null;

  shouldComponentUpdate(next: DeskPanelProps, nextState: DeskPanelState): boolean {
    return nextState !== this.state || changed(this.props, next, 'onAgent');
  }

  componentWillUnmount(): void {
    this.resize?.disconnect();
  }

  private attach = (el: HTMLElement | null) => {
    if (el === this.box) return;
    this.resize?.disconnect();
    this.box = el;
    if (!el) return;
    this.resize = new ResizeObserver(() => this.setState({ width: el.clientWidth, height: el.clientHeight }));
    this.resize.observe(el);
  };

  render({ desk, board, lang: l, monitoring, onAgent }: DeskPanelProps, { top, width, height }: DeskPanelState) {
    const row = TILE.height + TILE.gap;
    const cols = Math.max(1, Math.floor((width + TILE.gap) / (TILE.minWidth + TILE.gap)));
    const rows = Math.ceil(board.agents.length / cols);
    const first = Math.max(0, Math.floor(top / row) - TILE.overscanRows);
    const last = Math.min(rows, Math.ceil((top + height) / row) + TILE.overscanRows);
    return (
      <section class="wb-desk" data-desk={desk} aria-label={t(`wbDesk_${desk}` as TextKey)}>
        <h3>{t(`wbDesk_${desk}` as TextKey)}</h3>
        <ul class="wb-counts">
          {STATE_ORDER.filter((s) => s !== 'offline').map((s) => (
            <li key={s} class={`st-${s}`}>
              <strong data-testid={`count-${desk}-${s}`}>{board.counts[s] ?? 0}</strong>
              <span>{t(`wbState_${s}` as TextKey)}</span>
            </li>
          ))}
        </ul>
        {board.agents.length === 0 ? (
          <p class="wb-quiet">{t('wbNobodyHere')}</p>
        ) : (
          <div class="wb-agents-box" ref={this.attach} tabIndex={0} onScroll={(e) => this.setState({ top: e.currentTarget.scrollTop })}>
            <ul class="wb-agents" style={{ height: `${rows * row}px`, paddingTop: `${first * row}px`, gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
              {board.agents.slice(first * cols, last * cols).map((a) => (
                <AgentTile key={a.id} a={a} lang={l} monitored={monitoring.has(a.id)} onAgent={onAgent} />
              ))}
            </ul>
          </div>
        )}
      </section>
    );
  }
}

interface AgentTileProps {
  a: AgentView;
  lang: string;
  monitored: boolean;
  onAgent: (a: AgentView) => void;
}

/** Renders again only when its agent changed; their time in state ticks on by itself. */
class AgentTile extends Component<AgentTileProps> {
  shouldComponentUpdate(next: AgentTileProps): boolean {
    return changed(this.props, next, 'onAgent');
  }

  render({ a, monitored, onAgent }: AgentTileProps) {
    return (
      <li class={`wb-agent st-${a.state}`} data-agent={a.id}>
        <button type="button" onClick={() => onAgent(a)} title={a.reason ?? undefined}>
          <span class="name">{a.displayName}</span>
          <span class="state" data-testid={`agent-${a.id}-state`}>
            {t(`wbState_${a.state}` as TextKey)}
            {a.state === 'break' && a.reason && a.reason in BREAK_REASON_TEXT ? ` · ${t(BREAK_REASON_TEXT[a.reason as keyof typeof BREAK_REASON_TEXT])}` : ''}
            {monitored ? ` · ${t('wbMonitored')}` : ''}
          </span>
          <LiveClock class="since" since={a.since} />
        </button>
      </li>
    );
  }
}

/** The wall clock in the board's corner (renders only itself, once a second). */
function WallClock({ lang: l }: { lang: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <time class="wb-clock">{new Date(now).toLocaleTimeString(l === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}</time>;
}

/** One point of the day's chart: callers waiting and the 30-minute service level across the queues (offered-weighted). */
function sample(floor: FloorState, now: number): ChartSample {
  let waiting = 0;
  let inTime = 0;
  let offered = 0;
  for (const q of floor.queues.values()) {
    waiting += q.callers.length;
    const p = q.last30Minutes;
    if (p?.serviceLevel !== null && p?.serviceLevel !== undefined && p.offered) {
      inTime += (p.serviceLevel * p.offered) / 100;
      offered += p.offered;
    }
  }
  return { at: now / 1000, waiting, serviceLevel: offered ? (100 * inTime) / offered : null };
}
