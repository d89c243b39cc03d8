// The desk's normal agent talk ratio (pure): what the agent_talk_ratio flag compares a call with.

export interface TalkRatioNormOptions {
  /** Below this many analysed recordings the desk has no normal of its own yet, and `fallback` is used. @default 20 */
  minRecordings: number;
  /** The configured default normal. @default 0.5 */
  fallback: number;
}

export const DEFAULT_TALK_RATIO_NORM: Readonly<TalkRatioNormOptions> = Object.freeze({ minRecordings: 20, fallback: 0.5 });

export interface TalkRatioNorm {
  /** The ratio a call is compared with. */
  value: number;
  /** desk: the median of the desk's recent recordings; default: the configured value (too few recordings, or no desk). */
  source: 'desk' | 'default';
  /** How many recordings the desk's median was taken over (0 for the default). */
  recordings: number;
}

/**
 * The median agent talk ratio of the desk's recent analysed recordings once there are at least `minRecordings`, else
 * the configured default. The median, not the mean: a few odd calls (a customer who never stops, a voicemail read out)
 * do not move it.
 */
export function deskTalkRatioNorm(ratios: readonly number[], options: Partial<TalkRatioNormOptions> = {}): TalkRatioNorm {
  const o = { ...DEFAULT_TALK_RATIO_NORM, ...options };
  const valid = ratios.filter((r) => Number.isFinite(r) && r >= 0 && r <= 1);
  if (valid.length === 0 || valid.length < o.minRecordings) return { value: o.fallback, source: 'default', recordings: 0 };
  const sorted = [...valid].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { value: Math.round(median * 1000) / 1000, source: 'desk', recordings: valid.length };
}
