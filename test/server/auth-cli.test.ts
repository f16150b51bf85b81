/**
 * `trove users …` end to end, as a user runs it (child processes of bin/trove.js), against an
 * empty case: adding users with a password from stdin, listing, roles, disabling, password
 * changes, API tokens that work (and stop working) against the API, the audit rows the CLI
 * writes (export included), and what `serve` refuses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { verifyPassword } from '../../src/server/auth/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { getUser, listAudit } from '../../src/store/users.ts';
import { BIN, NODE_FLAGS } from '../helpers/cli.ts';

let dir: string;
let caseDir: string;

const { TROVE_TOKEN: _ignored, ...ENV } = process.env;

/** Runs trove with the case, stdin from `input` (a pipe, never a terminal). */
function run(args: string[], input = '', env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, BIN, '--case', caseDir, ...args], { input, encoding: 'utf8', env: { ...ENV, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Opens the case briefly (the CLI runs in other processes). */
function withDb<T>(fn: (db: CaseDb) => T | Promise<T>): Promise<T> {
  const db = new CaseDb(caseDir, { create: false });
  return Promise.resolve(fn(db)).finally(() => db.close());
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trove-users-'));
  caseDir = join(dir, 'case');
  new CaseDb(caseDir, { create: true }).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trove users', () => {
  it('adds users with a password from stdin, refuses bad names, roles, short passwords and duplicates', async () => {
    const a = run(['users', 'add', 'alice', '--role', 'admin', '--password-stdin'], 'alice password one\n');
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/added alice \(admin\)/);
    expect(run(['users', 'add', 'bob', '--role', 'reader', '--password-stdin', '--json'], 'bob password one').status).toBe(0);
    for (const [args, input, msg] of [
      [['users', 'add', 'alice', '--role', 'reader', '--password-stdin'], 'another password', /already exists/],
      [['users', 'add', 'carol', '--role', 'owner', '--password-stdin'], 'carol password one', /role must be one of reader, editor, admin/],
      [['users', 'add', 'carol', '--role', 'reader', '--password-stdin'], 'short', /at least 10 characters/],
      [['users', 'add', '-carol', '--role', 'reader', '--password-stdin'], 'carol password one', /./],
      [['users', 'add', 'car/ol', '--role', 'reader', '--password-stdin'], 'carol password one', /user name/],
      [['users', 'add', 'carol', '--role', 'reader'], '', /--password-stdin/],
    ] as const) {
      const r = run([...args], input);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
    await withDb(async (db) => {
      const alice = getUser(db, 'alice')!;
      expect(alice.role).toBe('admin');
      // the trailing newline of stdin is not part of the password
      expect(await verifyPassword('alice password one', alice.password_hash)).toBe(true);
      expect(await verifyPassword('alice password one\n', alice.password_hash)).toBe(false);
      expect(await verifyPassword('bob password one', getUser(db, 'bob')!.password_hash)).toBe(true);
      expect(getUser(db, 'carol')).toBeNull();
    });
  });

  it('lists, changes roles, disables, enables and changes passwords', async () => {
    const list = JSON.parse(run(['users', 'list', '--json']).stdout) as { name: string; role: string; disabled: boolean }[];
    expect(list.map((u) => [u.name, u.role, u.disabled])).toEqual([['alice', 'admin', false], ['bob', 'reader', false]]);
    expect(JSON.stringify(list)).not.toContain('scrypt');
    expect(run(['users', 'set-role', 'bob', 'editor']).status).toBe(0);
    expect(run(['users', 'set-role', 'nobody', 'editor']).status).toBe(1);
    // the last enabled admin stays
    const last = run(['users', 'set-role', 'alice', 'reader']);
    expect(last.status).toBe(1);
    expect(last.stderr).toMatch(/without an enabled admin/);
    expect(run(['users', 'disable', 'alice']).status).toBe(1);
    expect(run(['users', 'disable', 'bob']).status).toBe(0);
    await withDb((db) => expect(getUser(db, 'bob')).toMatchObject({ role: 'editor', disabled: true }));
    expect(run(['users', 'enable', 'bob']).status).toBe(0);
    expect(run(['users', 'passwd', 'bob', '--password-stdin'], 'bob password two\n').status).toBe(0);
    await withDb(async (db) => {
      const bob = getUser(db, 'bob')!;
      expect(bob.disabled).toBe(false);
      expect(await verifyPassword('bob password two', bob.password_hash)).toBe(true);
      expect(await verifyPassword('bob password one', bob.password_hash)).toBe(false);
    });
  });

  it('creates API tokens printed once that work against the API, and revokes them', async () => {
    const c = run(['users', 'token', 'create', 'bob', '--label', 'nightly export', '--json']);
    expect(c.status, c.stderr).toBe(0);
    const t = JSON.parse(c.stdout) as { id: string; token: string; label: string };
    expect(t.token).toMatch(/^trove_[A-Za-z0-9_-]{43}$/);
    expect(t.label).toBe('nightly export');
    const plain = run(['users', 'token', 'create', 'bob']);
    expect(plain.stdout.trim()).toMatch(/^trove_[A-Za-z0-9_-]{43}$/);
    expect(plain.stderr).toMatch(/shown once/);
    const listed = run(['users', 'token', 'list', 'bob', '--json']).stdout;
    expect(listed).toContain(t.id);
    expect(listed).not.toContain(t.token);
    expect(listed).not.toContain(t.token.slice(6));

    await withDb(async (db) => {
      const app = createApp(db);
      const get = () => app.request('http://127.0.0.1:8080/api/status', { headers: { authorization: `Bearer ${t.token}` } });
      expect((await get()).status).toBe(200);
      expect(run(['users', 'token', 'revoke', t.id]).status).toBe(0);
      expect((await get()).status).toBe(401);
      expect(run(['users', 'token', 'revoke', 'no-such-id']).status).toBe(1);
      expect(run(['users', 'token', 'create', 'nobody']).status).toBe(1);
    });
  });

  it('writes the CLI actions and exports to the audit log under the OS user', async () => {
    expect(run(['export', '--format', 'jsonl']).status).toBe(0);
    await withDb((db) => {
      const items = listAudit(db, 1000, 0).items;
      const me = `os:${userInfo().username}`;
      expect(items[0]).toMatchObject({ user: me, action: 'export', target: 'jsonl' });
      const actions = items.map((x) => `${x.action} ${x.target}`);
      expect(actions).toEqual(expect.arrayContaining(['user-add bob', 'user-update bob', 'user-passwd bob', 'token-create bob', 'token-revoke ' + items.find((x) => x.action === 'token-revoke')!.target]));
      const cli = items.filter((x) => x.detail?.via === 'cli');
      expect(cli.length).toBeGreaterThanOrEqual(8);
      expect(cli.every((x) => x.user === me && x.ip === null)).toBe(true);
      // the API requests of the token test are there too, under the token's user
      expect(items).toContainEqual(expect.objectContaining({ user: 'bob', action: 'status', detail: expect.objectContaining({ via: 'api-token', status: 200 }) }));
    });
  });

  it('serve: refuses a shared --token on a case with users, and a public address without users', () => {
    const r = run(['serve', '--host', '127.0.0.1', '--port', '0', '--token', 'a-long-enough-token-value']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/this case has users/);
    const empty = join(dir, 'empty');
    new CaseDb(empty, { create: true }).close();
    const e = spawnSync(process.execPath, [...NODE_FLAGS, BIN, '--case', empty, 'serve', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', env: ENV });
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/not a loopback address.*trove users add/);
  });
});
