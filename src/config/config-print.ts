// The effective configuration as an operator reads it (`npm run config:print`): every setting, secrets masked.
import type { Config } from './config';

/** Paths (dotted) of the settings that are secrets: only that they are set, and their last 4 characters, are shown. */
export const SECRET_SETTINGS = ['twilio.authToken', 'twilio.apiSecret', 'metrics.token'] as const;

/** `****abcd` for a secret long enough that 4 characters give nothing away; `****` otherwise; unset stays unset. */
export function maskSecret(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length >= 16 ? `****${value.slice(-4)}` : '****';
}

/** A URL with its password (e.g. REDIS_URL=redis://:pw@host) masked. */
function maskUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '****';
    return u.toString();
  } catch {
    return url;
  }
}

/** A plain, JSON-ready copy of the config with every secret masked. */
export function printableConfig(config: Readonly<Config>): Record<string, unknown> {
  // Unset settings are shown as null: the operator sees every setting there is.
  const copy = JSON.parse(JSON.stringify(config, (_k, v: unknown) => (v === undefined ? null : v))) as Record<string, Record<string, unknown>>;
  for (const setting of SECRET_SETTINGS) {
    const [group, key] = setting.split('.');
    if (copy[group] && typeof copy[group][key] === 'string') copy[group][key] = maskSecret(copy[group][key] as string);
  }
  (copy as Record<string, unknown>).redisUrl = maskUrlPassword(config.redisUrl);
  return copy;
}
