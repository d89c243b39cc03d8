// The steps a simulated caller (or a softphone user) takes, one at a time, when the call asks for input.
export type CallerStep =
  | { press: string }
  /** `heardAs`: what the recognizer returns instead (a misheard word); without it, `say` as a recognizer writes it. */
  | { say: string; heardAs?: string }
  | { wait: number }
  /** Talks for `seconds` without words a recognizer would take (a <Gather> hears nothing): speech on a recording. */
  | { talk: number }
  /** Says and presses nothing until the caller has heard these words (a <Say> containing them): then the next step. */
  | { hear: string }
  | { hangup: true };

export function isPress(s: CallerStep | undefined): s is { press: string } {
  return !!s && typeof (s as { press?: unknown }).press === 'string';
}
export function isSay(s: CallerStep | undefined): s is { say: string; heardAs?: string } {
  return !!s && typeof (s as { say?: unknown }).say === 'string';
}
export function isWait(s: CallerStep | undefined): s is { wait: number } {
  return !!s && typeof (s as { wait?: unknown }).wait === 'number';
}
export function isTalk(s: CallerStep | undefined): s is { talk: number } {
  return !!s && typeof (s as { talk?: unknown }).talk === 'number';
}
export function isHear(s: CallerStep | undefined): s is { hear: string } {
  return !!s && typeof (s as { hear?: unknown }).hear === 'string';
}
export function isHangup(s: CallerStep | undefined): s is { hangup: true } {
  return !!s && (s as { hangup?: unknown }).hangup === true;
}

/** Checks a script that arrived from outside (control API, CLI) and copies it. */
export function parseScript(raw: unknown): CallerStep[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Error('script must be an array of steps');
  return raw.map((s, i) => {
    const step = s as CallerStep;
    if (isSay(step) && step.heardAs !== undefined && typeof step.heardAs !== 'string') throw new Error(`script step ${i}: heardAs must be a string`);
    if (isPress(step) || isSay(step) || isHangup(step)) return { ...step };
    if (isHear(step) && step.hear.length > 0) return { hear: step.hear };
    if (isWait(step) && Number.isFinite(step.wait) && step.wait >= 0) return { wait: step.wait };
    if (isTalk(step) && Number.isFinite(step.talk) && step.talk > 0) return { talk: step.talk };
    throw new Error(`script step ${i} must be {press}, {say, heardAs?}, {wait: seconds}, {talk: seconds}, {hear: words} or {hangup: true}`);
  });
}
