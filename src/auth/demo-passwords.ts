// Owns finding the accounts that still sign in with the published demo password, without ever storing it.
import { verifyPassword } from './password';
import { DEMO_PASSWORD } from './password-policy';
import type { StaffRepo } from './staff.repo';

/**
 * Usernames of active accounts whose password is the demo one. The answer is a flag kept with each hash (set by the
 * demo seed, cleared by any new password, re-set at each sign-in); accounts from before the flag, inactive ones
 * too (they could be reactivated later), are checked once against the demo password here and get their flag.
 */
export async function accountsWithDemoPassword(staff: Pick<StaffRepo, 'withUnknownDemoPassword' | 'setDemoPasswordFor' | 'activeWithDemoPassword'>): Promise<string[]> {
  for (const { id, passwordHash } of staff.withUnknownDemoPassword()) {
    staff.setDemoPasswordFor(id, passwordHash, await verifyPassword(DEMO_PASSWORD, passwordHash));
  }
  return staff.activeWithDemoPassword();
}

/** The one line the web process refuses to start with when demo passwords remain under live credentials. */
export function demoPasswordRefusal(usernames: string[]): string {
  const shown = usernames.length > 8 ? `${usernames.slice(0, 8).join(', ')} and ${usernames.length - 8} more` : usernames.join(', ');
  return (
    `Refusing to start with live Twilio credentials: ${usernames.length} active account(s) still have the published demo password (${shown}). ` +
    'Give each a new password with `npm run staff:create-admin -- --username <name>`, or deactivate them all at once with ' +
    '`npm run staff:create-admin -- --username <your admin> --deactivate-demo` (or reset them through the API in simulator mode).'
  );
}
