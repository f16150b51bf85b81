/**
 * @module cli/commands/users
 * `trove users add|list|set-role|disable|enable|passwd` and `trove users token create|list|revoke`:
 * the people who may use a served case (docs/server.md). A case with at least one user is
 * served in users mode. Passwords are read from the terminal without echo, or from stdin
 * with `--password-stdin` (scripts); an API token is printed once and stored only hashed.
 * Each change is written to the audit log under the operating-system user who ran it.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
// the user-management modules only: not the HTTP server (its framework stays unloaded in the CLI)
import { createApiToken } from '../../server/auth/sessions.ts';
import { addUser, changeUser, checkName } from '../../server/auth/users.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { countUsers, getUser, listTokens, listUsers, publicUser, revokeToken, writeAudit } from '../../store/users.ts';
import { globals, out, withCase } from '../context.ts';

/** Who ran the command, for the audit log: `os:` and the login name. */
export function osUser(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return 'os:unknown';
  }
}

/** Writes an audit row for a CLI action when the case is in users mode (it has users). */
export function cliAudit(db: CaseDb, action: string, target: string | null, detail: Record<string, unknown> | null = null): void {
  if (countUsers(db) === 0) return;
  writeAudit(db, { user: osUser(), action, target, detail: { ...detail, via: 'cli' }, ip: null }, new Date());
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // one trailing newline is the end of the line, not part of the password
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    let s = '';
    const done = (e: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(s);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003' || ch === '\u0004') return done(new TroveError('usage', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') s = s.slice(0, -1);
        else s += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function newPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) return readStdin();
  if (!process.stdin.isTTY) throw new TroveError('usage', 'no terminal to ask for the password on: pass --password-stdin and write it to standard input');
  const a = await readHidden('new password: ');
  const b = await readHidden('again: ');
  if (a !== b) throw new TroveError('usage', 'the two passwords differ');
  return a;
}

function needUser(db: CaseDb, name: string): void {
  checkName(name);
  if (!getUser(db, name)) throw new TroveError('not-found', `no user named ${name}`);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('who may use the served case: users, roles (reader, editor, admin) and API tokens');

  users
    .command('add <name>')
    .description('add a user (the first one turns `trove serve` into users mode)')
    .requiredOption('--role <role>', 'reader | editor | admin')
    .option('--password-stdin', 'read the password from standard input instead of the terminal')
    .action(async (name: string, o: { role: string; passwordStdin?: boolean }, cmd: Command) => {
      await withCase(cmd, false, async (db, g) => {
        const u = await addUser(db, name, o.role, await newPassword(o.passwordStdin), new Date());
        cliAudit(db, 'user-add', name, { role: u.role });
        out(g.json ? JSON.stringify(u) : `trove: added ${u.name} (${u.role})`);
      });
    });

  users
    .command('list')
    .description('the users, their roles, and whether they are disabled')
    .action(async (_o: unknown, cmd: Command) => {
      await withCase(cmd, false, (db, g) => {
        const all = listUsers(db).map(publicUser);
        if (g.json) return out(JSON.stringify(all));
        if (!all.length) return out('trove: no users (the case is served in open mode, loopback only)');
        for (const u of all) out(`${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'enabled'}\t${u.created_at}`);
      });
    });

  users
    .command('set-role <name> <role>')
    .description('change a user\'s role (reader | editor | admin)')
    .action(async (name: string, role: string, _o: unknown, cmd: Command) => {
      await withCase(cmd, false, async (db, g) => {
        needUser(db, name);
        const u = await changeUser(db, name, { role });
        cliAudit(db, 'user-update', name, { role });
        out(g.json ? JSON.stringify(u) : `trove: ${u.name} is now ${u.role}`);
      });
    });

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${verb} <name>`)
      .description(disabled ? 'stop a user from signing in; ends their sessions, their API tokens stop working' : 'let a disabled user sign in again')
      .action(async (name: string, _o: unknown, cmd: Command) => {
        await withCase(cmd, false, async (db, g) => {
          needUser(db, name);
          const u = await changeUser(db, name, { disabled });
          cliAudit(db, 'user-update', name, { disabled });
          out(g.json ? JSON.stringify(u) : `trove: ${u.name} ${disabled ? 'disabled' : 'enabled'}`);
        });
      });
  }

  users
    .command('passwd <name>')
    .description('set a user\'s password (ends their sessions)')
    .option('--password-stdin', 'read the password from standard input instead of the terminal')
    .action(async (name: string, o: { passwordStdin?: boolean }, cmd: Command) => {
      await withCase(cmd, false, async (db, g) => {
        needUser(db, name);
        const u = await changeUser(db, name, { password: await newPassword(o.passwordStdin) });
        cliAudit(db, 'user-passwd', name);
        out(g.json ? JSON.stringify(u) : `trove: password of ${u.name} changed`);
      });
    });

  const token = users.command('token').description('API tokens for scripts (Authorization: Bearer TOKEN)');

  token
    .command('create <name>')
    .description('create an API token acting as the user; it is printed once, only its hash is kept')
    .option('--label <label>', 'what the token is for')
    .action(async (name: string, o: { label?: string }, cmd: Command) => {
      await withCase(cmd, false, (db) => {
        needUser(db, name);
        const label = o.label?.slice(0, 200) ?? null;
        const t = createApiToken(db, name, label, new Date());
        cliAudit(db, 'token-create', name, { id: t.id, label });
        const g = globals(cmd);
        if (g.json) out(JSON.stringify({ id: t.id, user: name, label, token: t.token }));
        else {
          process.stderr.write(`trove: token ${t.id} for ${name} (shown once; revoke with \`trove users token revoke ${t.id}\`)\n`);
          out(t.token);
        }
      });
    });

  token
    .command('list [name]')
    .description('API tokens (ids, labels, last use; never the tokens)')
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => {
      await withCase(cmd, false, (db, g) => {
        const all = listTokens(db, name);
        if (g.json) return out(JSON.stringify(all));
        for (const t of all) out(`${t.id}\t${t.user_name}\t${t.revoked ? 'revoked' : 'active'}\t${t.label ?? ''}\t${t.last_used ?? 'never used'}`);
      });
    });

  token
    .command('revoke <id>')
    .description('revoke an API token by its id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withCase(cmd, false, (db, g) => {
        if (!revokeToken(db, id)) throw new TroveError('not-found', `no API token ${id} (trove users token list)`);
        cliAudit(db, 'token-revoke', id);
        out(g.json ? JSON.stringify({ id, revoked: true }) : `trove: token ${id} revoked`);
      });
    });
}
