// Owns what a password must be: long enough, not the username, not the published demo password.

/** DEMO CREDENTIALS ONLY: published in the README; seeded in simulator mode, refused everywhere else. */
export const DEMO_PASSWORD = 'hotline-demo';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** Every way `password` breaks the policy for the account `username`, as `<field>: …` lines (empty when it is fine). */
export function passwordProblems(password: string, username: string, field = 'password'): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`${field}: at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) problems.push(`${field}: at most ${PASSWORD_MAX_LENGTH} characters`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) problems.push(`${field}: must not be the username`);
  if (password === DEMO_PASSWORD) problems.push(`${field}: must not be the published demo password`);
  return problems;
}
