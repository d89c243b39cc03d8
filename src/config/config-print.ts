// The effective configuration as an operator reads it (`npm run config:print`): every setting, secrets masked.
// Masking goes by what a value is, not by a list kept by hand: a setting named like a secret (token, secret,
// password, credential, private key) is masked wherever it is in the config, and every URL has its password and its
// signature-like query parameters masked. A new secret setting is masked without touching this file.
import type { Config } from './config';

/** Setting names that hold secrets (the last part of the path: `authToken`, `apiSecret`, `token`, `password`…). */
export const SECRET_NAME = /(token|secret|password|passphrase|credential|privatekey)$/i;

/** Query parameters of a URL that carry credentials (a pre-signed URL's signature, an API key in the query). */
const SECRET_QUERY = /^(x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|token|access_token|api_?key|key|secret|password|auth)$/i;

/** `****abcd` for a secret long enough that 4 characters give nothing away; `****` otherwise; unset stays unset. */
export function maskSecret(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length >= 16 ? `****${value.slice(-4)}` : '****';
}

/** A URL with its password (redis://:pw@host) and credential query parameters masked; anything else unchanged. */
export function maskUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  if (u.password) {
    u.password = '****';
    changed = true;
  }
  for (const name of [...u.searchParams.keys()]) {
    if (!SECRET_QUERY.test(name)) continue;
    u.searchParams.set(name, '****');
    changed = true;
  }
  return changed ? u.toString() : value;
}

function masked(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return SECRET_NAME.test(key) ? maskSecret(value) : maskUrl(value);
  if (Array.isArray(value)) return value.map((v) => masked('', v));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(k, v)]));
  return value;
}

/** A plain, JSON-ready copy of the config with every secret masked; unset settings are null (every setting shows). */
export function printableConfig(config: Readonly<Config>): Record<string, unknown> {
  return masked('', JSON.parse(JSON.stringify(config, (_k, v: unknown) => (v === undefined ? null : v)))) as Record<string, unknown>;
}
