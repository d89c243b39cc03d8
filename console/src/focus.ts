// Keyboard focus in the agent's flow: when the control that had the focus goes away (a button disabled or removed as
// the call moves on), the next natural control takes it, so Tab and Enter carry on from where the agent is. Focus
// that sits on a live control (the agent typing a note) is never taken.

/** Whether the focus is lost: on the page itself, or on a control that is disabled or gone. */
export function focusLost(): boolean {
  const a = document.activeElement as (HTMLElement & { disabled?: boolean }) | null;
  return !a || a === document.body || a.disabled === true || !a.isConnected;
}

/** Focuses `el` when the focus is lost; true when it did. */
export function takeLostFocus(el: HTMLElement | null | undefined): boolean {
  if (!el || !focusLost()) return false;
  el.focus();
  return document.activeElement === el;
}
