/**
 * @module store/users
 * Server mode's tables (migration 4): users, sessions, API tokens, the audit log, and the
 * team's tags, notes and saved searches. Plain SQL in the subset SQLite and PostgreSQL share
 * (`?` placeholders, TEXT ids generated here, ISO-8601 TEXT timestamps, `ON CONFLICT … DO`),
 * so the PostgreSQL back-end can run the same statements. Secrets never reach this layer in
 * clear: callers pass SHA-256 hashes of session ids and tokens, and password hashes.
 */
import { randomBytes } from 'node:crypto';
import type { CaseDb } from './sqlite.ts';

export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** reader < editor < admin. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A random id: 16 hex digits (64 bits). */
export function newId(): string {
  return randomBytes(8).toString('hex');
}

let lastMs = 0;
let seq = 0;

/**
 * A time-ordered id: base-36 milliseconds and a sequence number (both fixed width), then 48
 * random bits. Monotonic within a process even when the clock stands still or steps back, so
 * ordering by id is the order of insertion (the audit log's order).
 */
export function newTimeId(at: Date): string {
  const ms = at.getTime();
  if (ms > lastMs) {
    lastMs = ms;
    seq = 0;
  } else seq++;
  return lastMs.toString(36).padStart(10, '0') + seq.toString(36).padStart(4, '0') + randomBytes(6).toString('hex');
}

// ---------------------------------------------------------------- users

export interface UserRow {
  name: string;
  role: Role;
  password_hash: string;
  created_at: string;
  disabled: boolean;
}

export type PublicUser = Omit<UserRow, 'password_hash'>;

interface RawUser {
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  disabled: number;
}

function toUser(r: RawUser): UserRow {
  return { name: r.name, role: r.role as Role, password_hash: r.password_hash, created_at: r.created_at, disabled: r.disabled !== 0 };
}

export function publicUser(u: UserRow): PublicUser {
  return { name: u.name, role: u.role, created_at: u.created_at, disabled: u.disabled };
}

export function countUsers(db: CaseDb): number {
  return (db.stmt('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
}

export function getUser(db: CaseDb, name: string): UserRow | null {
  const r = db.stmt('SELECT name, role, password_hash, created_at, disabled FROM users WHERE name = ?').get(name) as RawUser | undefined;
  return r ? toUser(r) : null;
}

export function listUsers(db: CaseDb): UserRow[] {
  return (db.stmt('SELECT name, role, password_hash, created_at, disabled FROM users ORDER BY name').all() as unknown as RawUser[]).map(toUser);
}

/** Adds a user; false when the name is taken. */
export function insertUser(db: CaseDb, u: { name: string; role: Role; password_hash: string }, now: Date): boolean {
  const r = db.tx(() => db.stmt('INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, 0) ON CONFLICT (name) DO NOTHING').run(u.name, u.role, u.password_hash, now.toISOString()));
  return Number(r.changes) === 1;
}

export function updateUser(db: CaseDb, name: string, change: { role?: Role; disabled?: boolean; password_hash?: string }): boolean {
  return db.tx(() => {
    let n = 0;
    if (change.role !== undefined) n += Number(db.stmt('UPDATE users SET role = ? WHERE name = ?').run(change.role, name).changes);
    if (change.disabled !== undefined) n += Number(db.stmt('UPDATE users SET disabled = ? WHERE name = ?').run(change.disabled ? 1 : 0, name).changes);
    if (change.password_hash !== undefined) n += Number(db.stmt('UPDATE users SET password_hash = ? WHERE name = ?').run(change.password_hash, name).changes);
    return n > 0 || getUser(db, name) !== null;
  });
}

// ---------------------------------------------------------------- sessions

export interface SessionRow {
  id_hash: string;
  user_name: string;
  csrf: string;
  created_at: string;
  expires_at: string;
  last_seen: string;
}

export function insertSession(db: CaseDb, s: SessionRow): void {
  db.tx(() => db.stmt('INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)').run(s.id_hash, s.user_name, s.csrf, s.created_at, s.expires_at, s.last_seen));
}

export function getSession(db: CaseDb, idHash: string): SessionRow | null {
  return (db.stmt('SELECT id_hash, user_name, csrf, created_at, expires_at, last_seen FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined) ?? null;
}

export function touchSession(db: CaseDb, idHash: string, at: string): void {
  db.tx(() => db.stmt('UPDATE sessions SET last_seen = ? WHERE id_hash = ?').run(at, idHash));
}

export function deleteSession(db: CaseDb, idHash: string): void {
  db.tx(() => db.stmt('DELETE FROM sessions WHERE id_hash = ?').run(idHash));
}

/** Ends every session of a user (disabled, password or role changed). */
export function deleteUserSessions(db: CaseDb, name: string): number {
  return Number(db.tx(() => db.stmt('DELETE FROM sessions WHERE user_name = ?').run(name)).changes);
}

/** Drops sessions past their absolute expiry or idle since before idleCutoff. */
export function purgeSessions(db: CaseDb, now: string, idleCutoff: string): void {
  db.tx(() => db.stmt('DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?').run(now, idleCutoff));
}

// ---------------------------------------------------------------- API tokens

export interface TokenRow {
  id: string;
  user_name: string;
  label: string | null;
  created_at: string;
  last_used: string | null;
  revoked: boolean;
}

interface RawToken extends Omit<TokenRow, 'revoked'> {
  revoked: number;
}

const toToken = (r: RawToken): TokenRow => ({ ...r, revoked: r.revoked !== 0 });

export function insertToken(db: CaseDb, t: { id: string; user_name: string; token_hash: string; label: string | null }, now: Date): void {
  db.tx(() => db.stmt('INSERT INTO api_tokens (id, user_name, token_hash, label, created_at, last_used, revoked) VALUES (?, ?, ?, ?, ?, NULL, 0)').run(t.id, t.user_name, t.token_hash, t.label, now.toISOString()));
}

export function tokenByHash(db: CaseDb, hash: string): TokenRow | null {
  const r = db.stmt('SELECT id, user_name, label, created_at, last_used, revoked FROM api_tokens WHERE token_hash = ?').get(hash) as RawToken | undefined;
  return r ? toToken({ ...r }) : null;
}

export function listTokens(db: CaseDb, user?: string): TokenRow[] {
  const rows = user === undefined
    ? db.stmt('SELECT id, user_name, label, created_at, last_used, revoked FROM api_tokens ORDER BY created_at, id').all()
    : db.stmt('SELECT id, user_name, label, created_at, last_used, revoked FROM api_tokens WHERE user_name = ? ORDER BY created_at, id').all(user);
  return (rows as unknown as RawToken[]).map((r) => toToken({ ...r }));
}

export function touchToken(db: CaseDb, id: string, at: string): void {
  db.tx(() => db.stmt('UPDATE api_tokens SET last_used = ? WHERE id = ?').run(at, id));
}

/** False when no such token. */
export function revokeToken(db: CaseDb, id: string): boolean {
  return Number(db.tx(() => db.stmt('UPDATE api_tokens SET revoked = 1 WHERE id = ?').run(id)).changes) === 1;
}

// ---------------------------------------------------------------- audit

export interface AuditEntry {
  user: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: string;
}

export function writeAudit(db: CaseDb, e: AuditEntry, at: Date): void {
  db.tx(() => db.stmt('INSERT INTO audit (id, at, user_name, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(newTimeId(at), at.toISOString(), e.user, e.action, e.target, e.detail ? JSON.stringify(e.detail) : null, e.ip));
}

/** Newest first (ids are time-ordered, see newTimeId). */
export function listAudit(db: CaseDb, limit: number, offset: number): { total: number; items: AuditRow[] } {
  const total = (db.stmt('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
  const rows = db.stmt('SELECT id, at, user_name, action, target, detail, ip FROM audit ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as unknown as
    { id: string; at: string; user_name: string | null; action: string; target: string | null; detail: string | null; ip: string | null }[];
  return {
    total,
    items: rows.map((r) => ({ id: r.id, at: r.at, user: r.user_name, action: r.action, target: r.target, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null, ip: r.ip })),
  };
}

// ---------------------------------------------------------------- tags, notes, saved searches

export interface Tag { tag: string; by: string | null; at: string }
export interface Note { id: string; text: string; by: string | null; at: string }
export interface SavedSearch { id: string; name: string; q: string; by: string | null; at: string }

/** Idempotent: tagging twice keeps the first tagger and time. */
export function addTag(db: CaseDb, message: string, tag: string, by: string | null, at: Date): void {
  db.tx(() => db.stmt('INSERT INTO tags (message, tag, created_by, at) VALUES (?, ?, ?, ?) ON CONFLICT (message, tag) DO NOTHING').run(message, tag, by, at.toISOString()));
}

export function removeTag(db: CaseDb, message: string, tag: string): boolean {
  return Number(db.tx(() => db.stmt('DELETE FROM tags WHERE message = ? AND tag = ?').run(message, tag)).changes) === 1;
}

export function listTags(db: CaseDb, message: string): Tag[] {
  return db.stmt('SELECT tag, created_by AS "by", at FROM tags WHERE message = ? ORDER BY tag').all(message) as unknown as Tag[];
}

export function addNote(db: CaseDb, message: string, text: string, by: string | null, at: Date): Note {
  const n = { id: newTimeId(at), text, by, at: at.toISOString() };
  db.tx(() => db.stmt('INSERT INTO notes (id, message, text, created_by, at) VALUES (?, ?, ?, ?, ?)').run(n.id, message, text, by, n.at));
  return n;
}

export function listNotes(db: CaseDb, message: string): Note[] {
  return db.stmt('SELECT id, text, created_by AS "by", at FROM notes WHERE message = ? ORDER BY at, id').all(message) as unknown as Note[];
}

export function addSavedSearch(db: CaseDb, name: string, q: string, by: string | null, at: Date): SavedSearch {
  const s = { id: newTimeId(at), name, q, by, at: at.toISOString() };
  db.tx(() => db.stmt('INSERT INTO saved_searches (id, name, q, created_by, at) VALUES (?, ?, ?, ?, ?)').run(s.id, name, q, by, s.at));
  return s;
}

export function listSavedSearches(db: CaseDb): SavedSearch[] {
  return db.stmt('SELECT id, name, q, created_by AS "by", at FROM saved_searches ORDER BY name, id').all() as unknown as SavedSearch[];
}

export function deleteSavedSearch(db: CaseDb, id: string): boolean {
  return Number(db.tx(() => db.stmt('DELETE FROM saved_searches WHERE id = ?').run(id)).changes) === 1;
}
