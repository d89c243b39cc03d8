// Owns password hashing: salted scrypt stored as `scrypt$N$salt$hash`, checked in constant time.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = 16384;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** A stored hash may carry a different N; anything outside this range is treated as corrupt, not computed. */
const MAX_COST = 1 << 20;

function derive(password: string, salt: Buffer, cost: number, keyBytes: number): Promise<Buffer> {
  const options: ScryptOptions = { N: cost, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 256 * cost * BLOCK_SIZE };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function encode(salt: Buffer, key: Buffer): string {
  return `scrypt$${COST}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Hashes on the libuv thread pool so a login does not block the event loop. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(salt, await derive(password, salt, COST, KEY_BYTES));
}

/** Blocking variant for one-off scripts and seeding, where there is no event loop to protect. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  return encode(salt, scryptSync(password.normalize('NFC'), salt, KEY_BYTES, { N: COST, r: BLOCK_SIZE, p: PARALLELISM }));
}

/** True when `password` matches `stored`; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costText, saltText, keyText, ...rest] = stored.split('$');
  const cost = Number(costText);
  if (scheme !== 'scrypt' || rest.length || !Number.isInteger(cost) || cost < 2 || cost > MAX_COST || (cost & (cost - 1)) !== 0) return false;
  const salt = Buffer.from(saltText ?? '', 'base64');
  const expected = Buffer.from(keyText ?? '', 'base64');
  if (!salt.length || !expected.length) return false;
  return timingSafeEqual(await derive(password, salt, cost, expected.length), expected);
}
