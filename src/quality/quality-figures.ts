// Quality figures for supervisors, team leads and controllers: average score and count per agent, team or week
// (counted evaluations only: submitted or later, no calibration), the items most often failed, dispute rates, and the
// automatic signals of the recordings averaged; as JSON or CSV.
import type { Principal } from '../auth/auth.service';
import { Forbidden } from '../errors/domain-errors';
import type { EvaluationsRepo } from './evaluations.repo';
import type { ScorecardsRepo } from './scorecards.repo';
import { findItem, type ScorecardDefinition } from './scorecards';
import { isFail, type Answer } from './scoring';
import { isoWeek } from './sampling';

export type GroupBy = 'agent' | 'team' | 'week';

export interface QualityGroup {
  key: string;
  evaluations: number;
  averageScore: number | null;
  criticalFailed: number;
  disputed: number;
  disputeRate: number | null;
  upheld: number;
  changed: number;
  recordings: number;
  averageAgentTalkRatio: number | null;
  averageLongestSilenceSeconds: number | null;
  averageTalkOverCount: number | null;
  averageTalkOverSeconds: number | null;
  flagged: number;
  flags: Record<string, number>;
}

export interface FailedItem {
  itemId: string;
  title: string;
  fails: number;
  scored: number;
  share: number;
}

export interface QualityReport {
  from: string;
  to: string;
  groupBy: GroupBy;
  groups: QualityGroup[];
  mostFailedItems: FailedItem[];
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const mean = (values: number[], places = 1) => (values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, places) : null);

export class QualityFigures {
  constructor(private readonly d: { evaluations: EvaluationsRepo; scorecards: ScorecardsRepo; timeZone: string }) {}

  figures(actor: Pick<Principal, 'role' | 'teamId'>, q: { from: Date; to: Date; groupBy: GroupBy }): QualityReport {
    let teamId: number | undefined;
    if (actor.role === 'team_lead') teamId = actor.teamId ?? -1;
    else if (actor.role !== 'supervisor' && actor.role !== 'quality_controller') throw new Forbidden('Quality figures are for supervisors, quality controllers and team leads');
    const evaluations = this.d.evaluations.counted(q.from, q.to, teamId);
    const recordings = this.d.evaluations.analysedRecordings(q.from, q.to, teamId);
    const keyOf = (r: { agentId: number | null; teamId: number | null }, at: Date) =>
      q.groupBy === 'agent' ? String(r.agentId ?? 'none') : q.groupBy === 'team' ? String(r.teamId ?? 'none') : isoWeek(at, this.d.timeZone);

    const groups = new Map<string, { scores: number[]; critical: number; disputed: number; upheld: number; changed: number; count: number; ratio: number[]; silence: number[]; overCount: number[]; overSeconds: number[]; recordings: number; flagged: number; flags: Record<string, number> }>();
    const group = (key: string) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { scores: [], critical: 0, disputed: 0, upheld: 0, changed: 0, count: 0, ratio: [], silence: [], overCount: [], overSeconds: [], recordings: 0, flagged: 0, flags: {} }));
      return g;
    };
    const definitions = new Map<number, ScorecardDefinition>();
    const failed = new Map<string, FailedItem>();
    for (const e of evaluations) {
      const g = group(keyOf(e, e.submittedAt!));
      g.count += 1;
      if (e.score !== null) g.scores.push(e.score);
      if (e.criticalFailed) g.critical += 1;
      // A dispute counts once it is raised, whatever its outcome.
      if (e.disputedAt) g.disputed += 1;
      if (e.resolution === 'upheld') g.upheld += 1;
      if (e.resolution === 'changed') g.changed += 1;
      let def = definitions.get(e.scorecardVersionId);
      if (!def) {
        const v = this.d.scorecards.versionById(e.scorecardVersionId);
        def = v ? (JSON.parse(v.definition) as ScorecardDefinition) : { sections: [] };
        definitions.set(e.scorecardVersionId, def);
      }
      for (const a of JSON.parse(e.answers) as Answer[]) {
        const found = findItem(def, a.itemId);
        if (!found || a.score === null) continue;
        const f = failed.get(a.itemId) ?? { itemId: a.itemId, title: found.item.title, fails: 0, scored: 0, share: 0 };
        f.scored += 1;
        if (isFail(found.item, a.score)) f.fails += 1;
        failed.set(a.itemId, f);
      }
    }
    for (const r of recordings) {
      if (r.analysedAt === null) continue;
      const g = group(keyOf(r, r.startedAt));
      g.recordings += 1;
      if (r.agentTalkRatio !== null) g.ratio.push(r.agentTalkRatio);
      if (r.longestSilenceSeconds !== null) g.silence.push(r.longestSilenceSeconds);
      if (r.talkOverCount !== null) g.overCount.push(r.talkOverCount);
      if (r.talkOverSeconds !== null) g.overSeconds.push(r.talkOverSeconds);
      const flags = JSON.parse(r.flags) as string[];
      if (flags.length) g.flagged += 1;
      for (const f of flags) g.flags[f] = (g.flags[f] ?? 0) + 1;
    }
    return {
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      groupBy: q.groupBy,
      groups: [...groups]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([key, g]) => ({
          key,
          evaluations: g.count,
          averageScore: mean(g.scores),
          criticalFailed: g.critical,
          disputed: g.disputed,
          disputeRate: g.count ? round(g.disputed / g.count, 3) : null,
          upheld: g.upheld,
          changed: g.changed,
          recordings: g.recordings,
          averageAgentTalkRatio: mean(g.ratio, 3),
          averageLongestSilenceSeconds: mean(g.silence),
          averageTalkOverCount: mean(g.overCount),
          averageTalkOverSeconds: mean(g.overSeconds),
          flagged: g.flagged,
          flags: g.flags,
        })),
      mostFailedItems: [...failed.values()]
        .filter((f) => f.fails > 0)
        .map((f) => ({ ...f, share: round(f.fails / f.scored, 3) }))
        .sort((a, b) => b.fails - a.fails || b.share - a.share || a.itemId.localeCompare(b.itemId)),
    };
  }
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A leading = + - @ (or a tab or CR before one) would run as a formula in a spreadsheet; only a plain number is left as is.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export const GROUP_COLUMNS = [
  'key',
  'evaluations',
  'averageScore',
  'criticalFailed',
  'disputed',
  'disputeRate',
  'upheld',
  'changed',
  'recordings',
  'averageAgentTalkRatio',
  'averageLongestSilenceSeconds',
  'averageTalkOverCount',
  'averageTalkOverSeconds',
  'flagged',
  'flags',
] as const;
export const ITEM_COLUMNS = ['itemId', 'title', 'fails', 'scored', 'share'] as const;
