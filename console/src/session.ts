// Who is signed in (token kept for this browser tab only) and the API client that sends it.
import { signal } from '@preact/signals';
import type { Role } from '../../src/db/schema/staff';
import { t } from './i18n';

export interface StaffView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  teamId: number | null;
}

export interface Session {
  token: string;
  staff: StaffView;
}

const KEY = 'hotline.session';

function restore(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const session = signal<Session | null>(restore());

export function signedIn(s: Session | null): void {
  session.value = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

/** An API error the screens show as it is: the server's own message (never a stack trace). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the staff API as the signed-in person; a 401 signs them out (the session ended or was revoked). */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const s = session.value;
  if (s) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    // The network, not the server, refused: say that instead of the browser's "Failed to fetch".
    throw new ApiError(0, t('serverUnreachable'));
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (res.status === 401 && s) signedIn(null);
  if (!res.ok) throw new ApiError(res.status, typeof json.message === 'string' ? json.message : `${res.status}`);
  return json as T;
}

export async function signIn(username: string, password: string): Promise<void> {
  // The sign-in's refusals are the first thing everyone meets: said in the console's language (the API's are English).
  const r = await api<{ token: string; staff: StaffView }>('POST', '/api/auth/login', { username, password }).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) throw new ApiError(401, t('wrongPassword'));
    if (e instanceof ApiError && e.status === 429) throw new ApiError(429, `${t('tooManySignIns')} (${e.message})`);
    throw e;
  });
  signedIn({ token: r.token, staff: r.staff });
}

export async function signOut(): Promise<void> {
  // An agent who leaves goes offline first: signed out but still available, the ACD would offer them the next call
  // (within milliseconds on a busy floor) until their heartbeat lapsed. During a call this asks for offline next.
  if (session.value?.staff.role === 'agent') await api('PUT', '/api/agents/me/state', { state: 'offline' }).catch(() => undefined);
  await api('POST', '/api/auth/logout').catch(() => undefined);
  signedIn(null);
}
