/**
 * @module server/auth/users
 * Managing users, shared by `trove users …` and the admin API: name and password rules,
 * hashing, and the guard that keeps at least one enabled admin. Changing a password or
 * disabling a user ends their sessions.
 */
import { TroveError } from '../../core/errors.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { deleteUserSessions, getUser, insertUser, isRole, listUsers, publicUser, ROLES, updateUser, type PublicUser, type Role } from '../../store/users.ts';
import { hashPassword, passwordProblem } from './password.ts';

/** Letters, digits and . _ - @, starting with a letter or digit, at most 64. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkName(name: string): void {
  if (!NAME_RE.test(name)) throw new TroveError('usage', `user name ${JSON.stringify(name.slice(0, 80))}: use letters, digits and . _ - @ (at most 64, starting with a letter or digit)`);
}

export function checkRole(role: string): Role {
  if (!isRole(role)) throw new TroveError('usage', `role must be one of ${ROLES.join(', ')} (got ${role})`);
  return role;
}

function checkPassword(password: string): void {
  const p = passwordProblem(password);
  if (p) throw new TroveError('usage', p);
}

/** The name is taken (the API answers 409 conflict, the CLI exits 1). */
export class UserExists extends TroveError {
  constructor(name: string) {
    super('usage', `a user named ${name} already exists`);
    this.name = 'UserExists';
  }
}

/** The change would leave no enabled admin (409 / exit 1). */
export class LastAdmin extends TroveError {
  constructor() {
    super('usage', 'this would leave the case without an enabled admin');
    this.name = 'LastAdmin';
  }
}

export async function addUser(db: CaseDb, name: string, role: string, password: string, now: Date): Promise<PublicUser> {
  checkName(name);
  const r = checkRole(role);
  checkPassword(password);
  if (getUser(db, name)) throw new UserExists(name);
  if (!insertUser(db, { name, role: r, password_hash: await hashPassword(password) }, now)) throw new UserExists(name);
  return publicUser(getUser(db, name)!);
}

function needUser(db: CaseDb, name: string) {
  const u = getUser(db, name);
  if (!u) throw new TroveError('not-found', `no user named ${name}`);
  return u;
}

/** True when name is the only enabled admin. */
function lastAdmin(db: CaseDb, name: string): boolean {
  const admins = listUsers(db).filter((u) => u.role === 'admin' && !u.disabled);
  return admins.length === 1 && admins[0].name === name;
}

export interface UserChange {
  role?: string;
  disabled?: boolean;
  password?: string;
}

export async function changeUser(db: CaseDb, name: string, change: UserChange): Promise<PublicUser> {
  const u = needUser(db, name);
  const role = change.role === undefined ? undefined : checkRole(change.role);
  if (change.password !== undefined) checkPassword(change.password);
  const demoted = role !== undefined && role !== 'admin';
  if ((demoted || change.disabled === true) && u.role === 'admin' && !u.disabled && lastAdmin(db, name)) throw new LastAdmin();
  const password_hash = change.password === undefined ? undefined : await hashPassword(change.password);
  updateUser(db, name, { role, disabled: change.disabled, password_hash });
  if (change.disabled === true || password_hash !== undefined) deleteUserSessions(db, name);
  return publicUser(needUser(db, name));
}
