// Reads an HTTP Range header (RFC 9110 §14) against an object's size: which bytes a player asked for.

export type RangeAnswer =
  /** No Range header, or one this server ignores (not `bytes=`, malformed): answer 200 with the whole object. */
  | { kind: 'whole' }
  /** Bytes [start, end], inclusive: answer 206 with Content-Range. */
  | { kind: 'partial'; start: number; end: number }
  /** Well formed, but no range overlaps the object: answer 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

/** Spec of one range: `a-b`, `a-` (from a to the end) or `-n` (the last n bytes). */
const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

/**
 * Several ranges (`bytes=0-99,200-299`) are answered with the first satisfiable one alone, as a single-part 206:
 * players never ask for more than one, and RFC 9110 lets a server send fewer parts than asked.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'whole' };
  const specs = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  if (!specs.length) return { kind: 'whole' };
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    const s = SPEC.exec(spec);
    if (!s) return { kind: 'whole' }; // one malformed spec makes the whole header invalid: ignore it
    if (s[3] !== undefined) {
      const suffix = Number(s[3]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(s[1]);
    const end = s[2] === '' ? size - 1 : Number(s[2]);
    if (s[2] !== '' && end < start) return { kind: 'whole' }; // a-b with b < a is invalid, not unsatisfiable
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }
  return ranges.length ? { kind: 'partial', ...ranges[0] } : { kind: 'unsatisfiable' };
}
