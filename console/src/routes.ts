// The console's screens and who may open them (the API checks every request again; this only decides what to show).
import type { Role } from '../../src/db/schema/staff';
import type { TextKey } from './i18n';

export type ScreenId = 'agent' | 'wallboard' | 'qa' | 'admin';

export const SCREENS: readonly { id: ScreenId; title: TextKey; roles: readonly Role[] }[] = [
  { id: 'agent', title: 'agentDesk', roles: ['agent'] },
  { id: 'wallboard', title: 'wallboard', roles: ['dispatcher', 'supervisor', 'team_lead'] },
  { id: 'qa', title: 'qa', roles: ['quality_controller', 'supervisor', 'team_lead', 'agent'] },
  { id: 'admin', title: 'admin', roles: ['admin', 'supervisor'] },
];

export function screensFor(role: Role) {
  return SCREENS.filter((s) => s.roles.includes(role));
}

/** The screen in the address (#/wallboard), else the first the role may open. */
export function screenFromHash(hash: string, role: Role): { id: ScreenId; allowed: boolean } {
  const asked = hash.replace(/^#\/?/, '').split('/')[0] as ScreenId;
  const mine = screensFor(role);
  if (!asked) return { id: mine[0]?.id ?? 'agent', allowed: mine.length > 0 };
  return { id: asked, allowed: mine.some((s) => s.id === asked) };
}
