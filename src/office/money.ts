// Money as the order system and the agents type it: yuan with at most two decimals, kept as exact integer fen.

/**
 * Yuan ("129.5", 129.5, "-3"; "1,299.00", "1e3" and "1.234" are refused) to exact fen; undefined when it is not an
 * amount with at most two decimals. Numbers go through their shortest decimal form and strings are read digit by
 * digit, so 0.1 + 0.2 (0.30000000000000004) is refused, never rounded.
 */
export function yuanToFen(value: string | number): number | undefined {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}
