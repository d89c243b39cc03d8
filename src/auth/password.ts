// Owns password hashing: salted scrypt stored as `scrypt$N$salt$hash`, checked in constant time, upgraded when N is below today's cost.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's current scrypt cost (N=2^17, r=8, p=1): about 130 MiB and a few hundred ms per hash. */
export const PASSWORD_COST = 1 << 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** A stored hash may carry a different N; anything outside this range is treated as corrupt, not computed. */
const MAX_COST = 1 << 20;

function scryptOptions(cost: number): ScryptOptions {
  // scrypt needs 128 * N * r bytes; Node's default maxmem (32 MiB) is below that for N=2^17.
  return { N: cost, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 256 * cost * BLOCK_SIZE };
}

function derive(password: string, salt: Buffer, cost: number, keyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyBytes, scryptOptions(cost), (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function encode(cost: number, salt: Buffer, key: Buffer): string {
  return `scrypt$${cost}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function assertCost(cost: number): void {
  if (!validCost(cost)) throw new RangeError(`scrypt cost must be a power of two between 2 and ${MAX_COST}`);
}

function validCost(cost: number): boolean {
  return Number.isInteger(cost) && cost >= 2 && cost <= MAX_COST && (cost & (cost - 1)) === 0;
}

/** Hashes on the libuv thread pool so a login does not block the event loop. `cost` is lowered only by tests. */
export async function hashPassword(password: string, cost = PASSWORD_COST): Promise<string> {
  assertCost(cost);
  const salt = randomBytes(SALT_BYTES);
  return encode(cost, salt, await derive(password, salt, cost, KEY_BYTES));
}

/** Blocking variant for one-off scripts and seeding, where there is no event loop to protect. */
export function hashPasswordSync(password: string, cost = PASSWORD_COST): string {
  assertCost(cost);
  const salt = randomBytes(SALT_BYTES);
  return encode(cost, salt, scryptSync(password.normalize('NFC'), salt, KEY_BYTES, scryptOptions(cost)));
}

/** The N a stored hash was made with, or undefined when it is malformed. */
export function hashCost(stored: string): number | undefined {
  const [scheme, costText] = stored.split('$');
  const cost = Number(costText);
  return scheme === 'scrypt' && validCost(cost) ? cost : undefined;
}

/** True when the stored hash was made with less than `cost` and should be redone at the next successful sign-in. */
export function needsRehash(stored: string, cost = PASSWORD_COST): boolean {
  const n = hashCost(stored);
  return n !== undefined && n < cost;
}

/** True when `password` matches `stored`; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, , saltText, keyText, ...rest] = stored.split('$');
  const cost = hashCost(stored);
  if (cost === undefined || rest.length) return false;
  const salt = Buffer.from(saltText ?? '', 'base64');
  const expected = Buffer.from(keyText ?? '', 'base64');
  if (!salt.length || !expected.length) return false;
  return timingSafeEqual(await derive(password, salt, cost, expected.length), expected);
}
