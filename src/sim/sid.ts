// Twilio-style identifiers (two-letter prefix + 32 hex) and RFC 2822 dates for the simulator's resources.
import { randomBytes } from 'node:crypto';

export function newSid(prefix: 'CA' | 'QU' | 'CF' | 'RE' | 'PN'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** `Fri, 18 Oct 2019 17:00:00 +0000`, as Twilio writes dates. */
export function rfc2822(date: Date | undefined | null): string | null {
  if (!date) return null;
  return date.toUTCString().replace('GMT', '+0000');
}
