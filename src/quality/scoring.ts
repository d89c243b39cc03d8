// The evaluation's total, computed by the server only: a weighted mean of the applicable items' normalised scores
// on 0–100, and 0 when any critical item scored its scale's minimum (docs/quality.md).
import { findItem, items, type ScorecardDefinition, type ScorecardItem } from './scorecards';

/** One item's answer: a score on the item's scale, or null for "not applicable". */
export interface Answer {
  itemId: string;
  score: number | null;
  comment?: string | null;
}

export interface ScoreResult {
  /** 0–100, rounded to 0.1; null when no item is applicable. */
  score: number | null;
  criticalFailed: boolean;
  /** The critical items scored at their minimum. */
  failedCritical: string[];
}

/** An item fails when it scores its scale's minimum (the figures count these; a critical one zeroes the total). */
export function isFail(item: ScorecardItem, score: number | null): boolean {
  return score !== null && score <= item.scale.min;
}

/** Problems with answers against a version: unknown items, scores off the scale or not whole, N/A where not allowed. */
export function answerProblems(d: ScorecardDefinition, answers: readonly Answer[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of answers) {
    const found = findItem(d, a.itemId);
    if (!found) {
      problems.push(`answers: no item ${a.itemId} on this scorecard version`);
      continue;
    }
    if (seen.has(a.itemId)) problems.push(`answers: item ${a.itemId} is answered twice`);
    seen.add(a.itemId);
    const { scale, allowNa } = found.item;
    if (a.score === null) {
      if (!allowNa) problems.push(`answers: item ${a.itemId} cannot be not applicable`);
    } else if (!Number.isInteger(a.score) || a.score < scale.min || a.score > scale.max) {
      problems.push(`answers: item ${a.itemId} takes a whole score from ${scale.min} to ${scale.max}, got ${a.score}`);
    }
  }
  return problems;
}

/** Items without an answer (a score or an explicit N/A): an evaluation is submitted only when this is empty. */
export function unanswered(d: ScorecardDefinition, answers: readonly Answer[]): string[] {
  const answered = new Set(answers.map((a) => a.itemId));
  return items(d)
    .filter((i) => !answered.has(i.id))
    .map((i) => i.id);
}

/**
 * score = 100 × Σ wᵢ·(sᵢ − minᵢ)/(maxᵢ − minᵢ) / Σ wᵢ over the items answered with a score (N/A and unanswered items
 * drop out of both sums), where wᵢ = section weight × item weight; 0 when a critical item scored its minimum.
 */
export function computeScore(d: ScorecardDefinition, answers: readonly Answer[]): ScoreResult {
  const byItem = new Map(answers.map((a) => [a.itemId, a.score]));
  let weighted = 0;
  let weights = 0;
  const failedCritical: string[] = [];
  for (const section of d.sections) {
    for (const item of section.items) {
      const s = byItem.get(item.id);
      if (s === undefined || s === null) continue;
      const w = section.weight * item.weight;
      weighted += (w * (s - item.scale.min)) / (item.scale.max - item.scale.min);
      weights += w;
      if (item.critical && isFail(item, s)) failedCritical.push(item.id);
    }
  }
  if (failedCritical.length) return { score: 0, criticalFailed: true, failedCritical };
  if (weights === 0) return { score: null, criticalFailed: false, failedCritical };
  return { score: Math.round((1000 * weighted) / weights) / 10, criticalFailed: false, failedCritical };
}

/** Population standard deviation, rounded to 0.01 (0 for one value). */
export function standardDeviation(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.round(Math.sqrt(variance) * 100) / 100;
}
