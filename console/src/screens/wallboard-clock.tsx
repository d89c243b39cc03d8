// Live-ticking durations on the wallboard (a caller's wait, an agent's time in state): rendered once, then the
// wallboard's one-second timer rewrites their text in place, so a thousand ticking clocks cost no render at all.
import { Component } from 'preact';
import { clock, secondsSince } from './wallboard-floor';

interface Ticking {
  text: Text;
  el: HTMLElement;
  since: number;
  lateAfter?: number;
  shown: string;
  late: boolean;
}

const ticking = new Set<Ticking>();

interface Props {
  since: number | null;
  /** Seconds after which the clock reads as late (class `late`). */
  lateAfter?: number;
  class?: string;
}

function late(seconds: number | null, lateAfter: number | undefined): boolean {
  return lateAfter !== undefined && seconds !== null && seconds > lateAfter;
}

export class LiveClock extends Component<Props> {
  private entry?: Ticking;

  shouldComponentUpdate(next: Props): boolean {
    return next.since !== this.props.since || next.lateAfter !== this.props.lateAfter || next.class !== this.props.class;
  }

  componentDidMount(): void {
    this.follow();
  }

  componentDidUpdate(): void {
    this.follow();
  }

  componentWillUnmount(): void {
    if (this.entry) ticking.delete(this.entry);
  }

  /** Hands the rendered text node to the timer (its node, not the element: the renderer keeps writing to it later). */
  private follow(): void {
    if (this.entry) ticking.delete(this.entry);
    this.entry = undefined;
    const el = this.base as HTMLElement | undefined;
    const text = el?.firstChild;
    const { since, lateAfter } = this.props;
    // The timer sets `late` on the element itself, behind the renderer's back: a clock that stops (the last caller left,
    // since = null) or restarts must not keep the red of the one before.
    el?.classList.toggle('late', late(secondsSince(since, Date.now()), lateAfter));
    if (!el || since === null || !(text instanceof Text)) return;
    this.entry = { text, el, since, lateAfter, shown: text.data, late: el.classList.contains('late') };
    ticking.add(this.entry);
  }

  render({ since, lateAfter, class: cls }: Props) {
    const s = secondsSince(since, Date.now());
    return <span class={`${cls ?? ''}${late(s, lateAfter) ? ' late' : ''}`}>{clock(s)}</span>;
  }
}

/** Brings every live clock to `now`; touches only the ones whose text (or lateness) changed. */
export function tickLiveClocks(now: number): void {
  for (const e of ticking) {
    const s = secondsSince(e.since, now);
    const shown = clock(s);
    if (shown !== e.shown) e.text.data = e.shown = shown;
    const isLate = late(s, e.lateAfter);
    if (isLate !== e.late) e.el.classList.toggle('late', (e.late = isLate));
  }
}
