/**
 * @module server/auth/sessions
 * Browser sessions and API tokens: creation, lookup, expiry. A session id and an API token
 * are 256-bit random secrets given to the client once; the case stores only their SHA-256,
 * so reading the database opens no session. Sessions end after 12 hours idle or 7 days in
 * all, on logout, and when their user is disabled or changes password or role.
 */
import {
  deleteSession, getSession, getUser, insertSession, insertToken, newId, purgeSessions, tokenByHash, touchSession, touchToken,
  type Role, type SessionRow, type TokenRow,
} from '../../store/users.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { newSecret, secretHash } from './password.ts';

export const SESSION_COOKIE = 'trove_session';
export const IDLE_MS = 12 * 3600_000;
export const ABSOLUTE_MS = 7 * 24 * 3600_000;
/** last_seen is written at most this often (a write per request would serialise readers on SQLite). */
const TOUCH_MS = 60_000;
/** API tokens read: `trove_` + 43 base64url characters. */
export const TOKEN_PREFIX = 'trove_';

export interface Principal {
  /** null: nobody signed in (open mode). */
  name: string | null;
  role: Role;
  via: 'session' | 'api-token' | 'server-token' | 'open';
  /** For a session: its row (CSRF token, id hash). */
  session?: SessionRow;
  tokenId?: string;
}

/** Opens a session for a user; returns the secret for the cookie and the row. */
export function openSession(db: CaseDb, user: string, now: Date): { secret: string; row: SessionRow } {
  const secret = newSecret();
  const row: SessionRow = {
    id_hash: secretHash(secret),
    user_name: user,
    csrf: newSecret(),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ABSOLUTE_MS).toISOString(),
    last_seen: now.toISOString(),
  };
  // expired rows of everyone go when anyone logs in: the table stays the size of live sessions
  purgeSessions(db, now.toISOString(), new Date(now.getTime() - IDLE_MS).toISOString());
  insertSession(db, row);
  return { secret, row };
}

/** The session a cookie names, if live and its user enabled; an expired one is deleted. */
export function resolveSession(db: CaseDb, secret: string, now: Date): Principal | null {
  const hash = secretHash(secret);
  const s = getSession(db, hash);
  if (!s) return null;
  const t = now.getTime();
  if (Date.parse(s.expires_at) <= t || Date.parse(s.last_seen) + IDLE_MS <= t) {
    deleteSession(db, hash);
    return null;
  }
  const u = getUser(db, s.user_name);
  if (!u || u.disabled) return null;
  if (t - Date.parse(s.last_seen) >= TOUCH_MS) touchSession(db, hash, now.toISOString());
  return { name: u.name, role: u.role, via: 'session', session: s };
}

export function closeSession(db: CaseDb, secret: string): void {
  deleteSession(db, secretHash(secret));
}

/** Creates an API token for a user: the token (shown once) and its id (to revoke it). */
export function createApiToken(db: CaseDb, user: string, label: string | null, now: Date): { id: string; token: string } {
  const token = TOKEN_PREFIX + newSecret();
  const id = newId();
  insertToken(db, { id, user_name: user, token_hash: secretHash(token), label }, now);
  return { id, token };
}

/** The user an API token stands for, if the token is live and the user enabled. */
export function resolveApiToken(db: CaseDb, token: string, now: Date): Principal | null {
  const t: TokenRow | null = tokenByHash(db, secretHash(token));
  if (!t || t.revoked) return null;
  const u = getUser(db, t.user_name);
  if (!u || u.disabled) return null;
  if (!t.last_used || now.getTime() - Date.parse(t.last_used) >= TOUCH_MS) touchToken(db, t.id, now.toISOString());
  return { name: u.name, role: u.role, via: 'api-token', tokenId: t.id };
}
