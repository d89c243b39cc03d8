// The order system's integration keys: an admin creates one (shown once), lists and revokes them; intake requests
// are authenticated by them. A key is `ik_` + 32 random bytes (base64url); only its sha256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Invalid, NotFound, Unauthorized } from '../errors/domain-errors';
import type { IntegrationKeyRow, IntegrationKeysRepo } from './integration-keys.repo';

export const KEY_PREFIX = 'ik_';
/** lastUsedAt is written at most this often per key, so a busy key costs no write per request. */
const TOUCH_EVERY_MS = 60_000;

export interface IntegrationKeyView {
  id: number;
  name: string;
  prefix: string;
  createdBy: number | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface Actor {
  id: number | null;
  ip?: string | null;
}

export const keyHash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

function view(k: IntegrationKeyRow): IntegrationKeyView {
  return { id: k.id, name: k.name, prefix: k.prefix, createdBy: k.createdBy, createdAt: k.createdAt, revokedAt: k.revokedAt, lastUsedAt: k.lastUsedAt };
}

export class IntegrationKeysService {
  constructor(private readonly d: { keys: IntegrationKeysRepo; audit: AuditRepo; transact: Transact }) {}

  /** The new key in clear, returned this once and never again. */
  create(name: string, by: Actor, now: Date, reason = 'created through the API'): IntegrationKeyView & { key: string } {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new Invalid('name must be 1 to 100 characters', ['name: must be 1 to 100 characters']);
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = this.d.transact(() => {
      const k = this.d.keys.insert({ name: trimmed, keyHash: keyHash(key), prefix: key.slice(0, 10), createdBy: by.id, createdAt: now });
      this.d.audit.record({ at: now, actorId: by.id, action: 'integration_key.created', subjectType: 'integration_key', subjectId: k.id, reason, detail: { name: trimmed, prefix: k.prefix }, ip: by.ip });
      return k;
    });
    return { ...view(row), key };
  }

  list(): IntegrationKeyView[] {
    return this.d.keys.list().map(view);
  }

  /** Revoking a revoked key changes nothing (and audits nothing). */
  revoke(id: number, by: Actor, now: Date, reason?: string): IntegrationKeyView {
    return this.d.transact(() => {
      const k = this.d.keys.get(id);
      if (!k) throw new NotFound(`No integration key ${id}`);
      if (k.revokedAt) return view(k);
      this.d.keys.revoke(id, now);
      this.d.audit.record({ at: now, actorId: by.id, action: 'integration_key.revoked', subjectType: 'integration_key', subjectId: id, reason: reason ?? null, detail: { name: k.name, prefix: k.prefix }, ip: by.ip });
      return view({ ...k, revokedAt: now });
    });
  }

  /**
   * The key's record, or Unauthorized. The lookup is by sha256 (a unique index), so no comparison ever runs on the
   * secret itself: timing tells an attacker nothing about the stored keys.
   */
  authenticate(key: string, now: Date, ip: string | null = null): IntegrationKeyView {
    const k = key.startsWith(KEY_PREFIX) ? this.d.keys.byHash(keyHash(key)) : undefined;
    if (!k || k.revokedAt) {
      const why = k ? 'This integration key has been revoked' : 'Unknown integration key';
      // The first characters only (as the key list shows them): never the secret.
      this.denied(k ? k.id : `${key.slice(0, 10)}…`, why, now, ip, k ? { name: k.name, prefix: k.prefix } : {});
      throw new Unauthorized(why);
    }
    if (!k.lastUsedAt || now.getTime() - k.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      this.d.transact(() => this.d.keys.touch(k.id, now));
      return view({ ...k, lastUsedAt: now });
    }
    return view(k);
  }

  /** One audited use of a key (a request of the intake API), with what it did. */
  recordUse(k: Pick<IntegrationKeyView, 'id' | 'name' | 'prefix'>, what: { kind: string; outcome: 'success' | 'failed'; detail: Record<string, unknown> }, now: Date, ip: string | null): void {
    this.d.transact(() =>
      this.d.audit.record({ at: now, actorId: null, action: `integration_key.used`, subjectType: 'integration_key', subjectId: k.id, outcome: what.outcome, ip, detail: { name: k.name, prefix: k.prefix, kind: what.kind, ...what.detail } }),
    );
  }

  /** A refused key (unknown, revoked, or a staff session on the intake API). */
  denied(subject: string | number, why: string, now: Date, ip: string | null, detail: Record<string, unknown> = {}): void {
    this.d.transact(() => this.d.audit.record({ at: now, actorId: null, action: 'integration_key.used', subjectType: 'integration_key', subjectId: subject, outcome: 'denied', reason: why, ip, detail }));
  }
}
