// Owns scorecards: supervisors create and edit them, every edit is a new version (evaluations keep theirs), and the
// service standard's default scorecard exists from the first start.
import type { AuditTrail } from '../audit/audit.repo';
import type { Principal } from '../auth/auth.service';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import { DEFAULT_SCORECARD, DEFAULT_SCORECARD_NAME, definitionProblems, type ScorecardDefinition } from './scorecards';
import type { ScorecardRow, ScorecardsRepo, ScorecardVersionRow } from './scorecards.repo';

/** `ip` goes to the audit trail with each change. */
export type Actor = Pick<Principal, 'id' | 'role'> & { ip?: string | null };

export interface ScorecardVersion {
  id: number;
  scorecardId: number;
  version: number;
  definition: ScorecardDefinition;
  createdBy: number | null;
  createdAt: Date;
}

export interface ScorecardInput {
  name: string;
  description?: string | null;
  active?: boolean;
  definition: ScorecardDefinition;
}

export function versionOf(row: ScorecardVersionRow): ScorecardVersion {
  return { id: row.id, scorecardId: row.scorecardId, version: row.version, definition: JSON.parse(row.definition) as ScorecardDefinition, createdBy: row.createdBy, createdAt: row.createdAt };
}

const READERS: readonly Actor['role'][] = ['quality_controller', 'supervisor', 'team_lead'];

export class ScorecardService {
  constructor(private readonly d: { scorecards: ScorecardsRepo; transact: Transact; clock: Clock; audit: AuditTrail }) {}

  /** Creates the service standard's scorecard when there is no scorecard at all; true when it did (idempotent). */
  ensureDefault(): boolean {
    return this.d.transact(() => {
      if (this.d.scorecards.count() > 0) return false;
      const now = this.d.clock.now();
      const s = this.d.scorecards.insert({ name: DEFAULT_SCORECARD_NAME, description: 'The conversation steps of a good call, conduct, and whether the problem was solved (DOMAIN.md)', active: true, currentVersion: 1, createdAt: now });
      this.d.scorecards.insertVersion({ scorecardId: s.id, version: 1, definition: JSON.stringify(DEFAULT_SCORECARD), createdBy: null, createdAt: now });
      return true;
    });
  }

  list(actor: Actor): (ScorecardRow & { current: ScorecardVersion })[] {
    this.mayRead(actor);
    return this.d.scorecards.list().map((s) => ({ ...s, current: this.current(s) }));
  }

  get(actor: Actor, id: number): ScorecardRow & { current: ScorecardVersion; versions: Omit<ScorecardVersion, 'definition'>[] } {
    this.mayRead(actor);
    const s = this.d.scorecards.get(id);
    if (!s) throw new NotFound(`No scorecard ${id}`);
    return { ...s, current: this.current(s), versions: this.d.scorecards.versions(id).map(({ definition: _definition, ...v }) => v) };
  }

  version(actor: Actor, id: number, version: number): ScorecardVersion {
    this.mayRead(actor);
    const v = this.d.scorecards.version(id, version);
    if (!v) throw new NotFound(`No version ${version} of scorecard ${id}`);
    return versionOf(v);
  }

  /** The version new evaluations of this scorecard use. */
  current(s: ScorecardRow): ScorecardVersion {
    const v = this.d.scorecards.version(s.id, s.currentVersion);
    if (!v) throw new Error(`scorecard ${s.id} has no version ${s.currentVersion}`);
    return versionOf(v);
  }

  /** The active scorecard a new evaluation uses when none is named: the oldest active one (the default). */
  defaultForEvaluation(scorecardId?: number): { scorecard: ScorecardRow; version: ScorecardVersion } {
    const s = scorecardId ? this.d.scorecards.get(scorecardId) : this.d.scorecards.list().find((c) => c.active);
    if (!s) throw new NotFound(scorecardId ? `No scorecard ${scorecardId}` : 'No active scorecard; a supervisor must create one');
    if (!s.active) throw new Conflict(`Scorecard ${s.id} is not active`);
    return { scorecard: s, version: this.current(s) };
  }

  create(actor: Actor, input: ScorecardInput): ScorecardRow & { current: ScorecardVersion } {
    this.maySupervise(actor);
    this.check(input.definition);
    return this.d.transact(() => {
      if (this.d.scorecards.byName(input.name)) throw new Conflict(`A scorecard named ${input.name} exists`);
      const now = this.d.clock.now();
      const s = this.d.scorecards.insert({ name: input.name, description: input.description ?? null, active: input.active ?? true, currentVersion: 1, createdAt: now });
      this.d.scorecards.insertVersion({ scorecardId: s.id, version: 1, definition: JSON.stringify(input.definition), createdBy: actor.id, createdAt: now });
      this.d.audit.record({ at: now, actorId: actor.id, action: 'scorecard.created', subjectType: 'scorecard', subjectId: s.id, ip: actor.ip, detail: { name: s.name, version: 1 } });
      return { ...s, current: this.current(s) };
    });
  }

  /** Every edit of the definition is a new version; name, description and active change in place. */
  update(actor: Actor, id: number, input: Partial<ScorecardInput>): ScorecardRow & { current: ScorecardVersion } {
    this.maySupervise(actor);
    if (input.definition) this.check(input.definition);
    return this.d.transact(() => {
      const s = this.d.scorecards.get(id);
      if (!s) throw new NotFound(`No scorecard ${id}`);
      if (input.name && input.name !== s.name && this.d.scorecards.byName(input.name)) throw new Conflict(`A scorecard named ${input.name} exists`);
      let currentVersion = s.currentVersion;
      if (input.definition) {
        currentVersion = Math.max(...this.d.scorecards.versions(id).map((v) => v.version)) + 1;
        this.d.scorecards.insertVersion({ scorecardId: id, version: currentVersion, definition: JSON.stringify(input.definition), createdBy: actor.id, createdAt: this.d.clock.now() });
      }
      const updated = this.d.scorecards.update(id, {
        name: input.name ?? s.name,
        description: input.description === undefined ? s.description : input.description,
        active: input.active ?? s.active,
        currentVersion,
      });
      const changed = (['name', 'description', 'active', 'definition'] as const).filter((k) => input[k] !== undefined);
      this.d.audit.record({ at: this.d.clock.now(), actorId: actor.id, action: 'scorecard.changed', subjectType: 'scorecard', subjectId: id, ip: actor.ip, detail: { changed, fromVersion: s.currentVersion, toVersion: currentVersion } });
      return { ...updated, current: this.current(updated) };
    });
  }

  private check(definition: ScorecardDefinition): void {
    const problems = definitionProblems(definition);
    if (problems.length) throw new Invalid(problems.join('; '), problems);
  }

  private mayRead(actor: Actor): void {
    if (!READERS.includes(actor.role)) throw new Forbidden('Scorecards are for quality controllers, supervisors and team leads');
  }

  private maySupervise(actor: Actor): void {
    if (actor.role !== 'supervisor') throw new Forbidden('Only supervisors edit scorecards');
  }
}
