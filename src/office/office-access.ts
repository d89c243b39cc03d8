// Who may work the middle and back office's review lists (the agents on the list's desk act on it; team leads,
// supervisors and dispatchers may read it; nobody else sees it), and how a record on them is named in a request.
import type { Principal } from '../auth/auth.service';
import type { Desk } from '../acd/agent-desks.repo';
import { Forbidden, NotFound } from '../errors/domain-errors';

const READERS = new Set(['team_lead', 'supervisor', 'dispatcher']);

export interface OfficeList {
  /** The desk whose agents act on the list. */
  desk: Desk;
  /** The list, as the refusal names it ("The middle-office work list"). */
  list: string;
  /** What the desk's agents review, as the refusal to act names it ("orders"). */
  reviews: string;
  desks: { desksOf(staffId: number): Desk[] };
}

/** 'act' for an agent on the list's desk, 'read' for a reader; Forbidden for anyone else. */
export function officeAccess(l: OfficeList, actor: Pick<Principal, 'id' | 'role'>): 'act' | 'read' {
  if (actor.role === 'agent' && l.desks.desksOf(actor.id).includes(l.desk)) return 'act';
  if (READERS.has(actor.role)) return 'read';
  throw new Forbidden(`${l.list} is for agents on the ${l.desk} desk (team leads, supervisors and dispatchers may read it)`);
}

/** Forbidden unless the actor acts on the list (an agent on its desk). */
export function mustActOn(l: OfficeList, actor: Pick<Principal, 'id' | 'role'>): void {
  if (officeAccess(l, actor) !== 'act') throw new Forbidden(`Only agents on the ${l.desk} desk review ${l.reviews}`);
}

/** The record `key` names: its number, or its id when the key is all digits (up to 9); NotFound "No <what> <key>" otherwise. */
export function byNumberOrId<T>(repo: { byNumber(number: string): T | undefined; byId(id: number): T | undefined }, key: string, what: string): T {
  const found = repo.byNumber(key) ?? (/^\d{1,9}$/.test(key) ? repo.byId(Number(key)) : undefined);
  if (!found) throw new NotFound(`No ${what} ${key}`);
  return found;
}
