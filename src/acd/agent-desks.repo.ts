// Reads the agents' roster (desks, skills, presence) and replaces an agent's desks (drizzle only; the rules are in desks.service.ts).
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentDesks, agentPresence, staff, teams, type AgentStateName } from '../db/schema/index';

export type Desk = (typeof agentDesks.$inferSelect)['desk'];
export interface DeskSkill {
  desk: Desk;
  skill: number;
}

/** One agent as a dispatcher sees them on the floor. */
export interface AgentOnFloor {
  id: number;
  username: string;
  displayName: string;
  active: boolean;
  team: { id: number; name: string } | null;
  desks: DeskSkill[];
  /** No presence row yet reads as offline since an unknown time. */
  presence: { state: AgentStateName; reason: string | null; since: Date | null };
}

const DESK_ORDER: readonly Desk[] = ['front', 'middle', 'back'];

export class AgentDesksRepo {
  constructor(private readonly db: Db) {}

  /** Every agent account (or only `id`), ordered by id. */
  agents(id?: number): AgentOnFloor[] {
    const rows = this.db
      .select({
        id: staff.id,
        username: staff.username,
        displayName: staff.displayName,
        active: staff.active,
        teamId: staff.teamId,
        teamName: teams.name,
        state: agentPresence.state,
        reason: agentPresence.reason,
        since: agentPresence.since,
      })
      .from(staff)
      .leftJoin(teams, eq(teams.id, staff.teamId))
      .leftJoin(agentPresence, eq(agentPresence.staffId, staff.id))
      .where(and(eq(staff.role, 'agent'), id === undefined ? undefined : eq(staff.id, id)))
      .orderBy(asc(staff.id))
      .all();
    if (!rows.length) return [];
    const desks = new Map<number, DeskSkill[]>();
    const deskRows = this.db.select().from(agentDesks).where(id === undefined ? undefined : eq(agentDesks.staffId, id)).all();
    deskRows.sort((a, b) => DESK_ORDER.indexOf(a.desk) - DESK_ORDER.indexOf(b.desk));
    for (const d of deskRows) desks.set(d.staffId, [...(desks.get(d.staffId) ?? []), { desk: d.desk, skill: d.skill }]);
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.displayName,
      active: r.active,
      team: r.teamId !== null && r.teamName !== null ? { id: r.teamId, name: r.teamName } : null,
      desks: desks.get(r.id) ?? [],
      presence: { state: r.state ?? 'offline', reason: r.reason ?? null, since: r.since ?? null },
    }));
  }

  agent(id: number): AgentOnFloor | undefined {
    return this.agents(id)[0];
  }

  /** Deletes the agent's desks and inserts `desks`; run it inside a transaction. */
  replaceDesks(staffId: number, desks: DeskSkill[]): void {
    this.db.delete(agentDesks).where(eq(agentDesks.staffId, staffId)).run();
    this.db
      .insert(agentDesks)
      .values(desks.map((d) => ({ staffId, desk: d.desk, skill: d.skill })))
      .run();
  }

  /** The desks one staff member may work (none for non-agents). */
  desksOf(staffId: number): Desk[] {
    return this.db.select({ desk: agentDesks.desk }).from(agentDesks).where(eq(agentDesks.staffId, staffId)).all().map((r) => r.desk);
  }
}
