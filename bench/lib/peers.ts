/**
 * @module bench/lib/peers
 * One timed run per tool, each in a fresh database/case under a temp dir that is removed after
 * the counts are read. A failing tool yields a row with its error; it never aborts the others.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, haveCommand, runMeasured, type Measured } from './proc.ts';

export interface ToolRun {
  tool: string;
  /** The command lines run, untimed set-up included (in order); the timed one is marked. */
  commands: string[];
  skipped: string | null;
  error: string | null;
  /** Messages as the tool reports them. */
  messages: number | null;
  /** How that number was obtained. */
  messagesSource: string;
  /** Extra counts (files indexed, ignored files, ...). */
  counts: Record<string, number | null>;
  notes: string[];
  measured: Measured | null;
  /** The tool's own timing, when it reports one. */
  toolSeconds: number | null;
  toolPeakRssMb: number | null;
  /** trove: its stages (read, index, lookalikes, forensics) with their wall time and the peak RSS when each ended. */
  toolPhases?: { phase: string; seconds: number; peakRssMb: number }[];
}

function q(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function cmdline(env: Record<string, string>, cmd: string, args: string[]): string {
  return [...Object.entries(env).map(([k, v]) => `${k}=${q(v)}`), cmd, ...args.map(q)].join(' ');
}

function failure(m: Measured): string | null {
  if (m.timedOut) return 'timed out';
  if (m.exitCode === 0) return null;
  const tail = m.stderr.trim().split('\n').slice(-3).join(' | ');
  return `exit ${m.exitCode ?? m.signal}: ${tail}`;
}

function emptyRun(tool: string): ToolRun {
  return { tool, commands: [], skipped: null, error: null, messages: null, messagesSource: '', counts: {}, notes: [], measured: null, toolSeconds: null, toolPeakRssMb: null };
}

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `trove-bench-${prefix}-`));
}

/** Runs after the timed run and before the temp dir is removed (e.g. searches over the result). */
export type AfterRun = (where: { caseDir?: string; env?: NodeJS.ProcessEnv }) => Promise<void> | void;

export async function runTrove(label: string, root: string, input: string, timeoutSeconds: number, keep: boolean, after?: AfterRun): Promise<ToolRun> {
  const r = emptyRun(label);
  const dir = tmp('trove');
  const caseDir = join(dir, 'case');
  try {
    const args = ['trove', '--case', caseDir, 'ingest', input, '--json'];
    r.commands.push(`[timed] ${cmdline({}, 'npx', args)}`);
    const m = await runMeasured('npx', args, { cwd: root, timeoutSeconds });
    r.measured = m;
    r.error = failure(m);
    const line = m.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (line) {
      const s = JSON.parse(line) as Record<string, number>;
      r.messages = s.messages ?? null;
      r.messagesSource = 'ingest --json "messages"';
      r.toolSeconds = s.seconds ?? null;
      r.toolPeakRssMb = s.peakRssMb ?? null;
      r.toolPhases = (s as unknown as { phases?: ToolRun['toolPhases'] }).phases;
      for (const k of ['unique', 'duplicates', 'containers', 'files', 'skipped', 'errors', 'bytes', 'inputBytes']) r.counts[k] = s[k] ?? null;
    } else if (!r.error) {
      r.error = 'no JSON summary on stdout';
    }
    if (m.maxProcesses > 1) r.notes.push(`process tree: ${m.maxProcesses} processes at peak (${m.processNames.join(', ')})`);
    if (after && !r.error) await after({ caseDir });
  } catch (e) {
    r.error = String(e);
  } finally {
    if (keep) r.notes.push(`case kept in ${caseDir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

export async function runNotmuch(maildir: string, timeoutSeconds: number, keep: boolean, after?: AfterRun): Promise<ToolRun> {
  const r = emptyRun('notmuch new');
  if (!haveCommand('notmuch')) {
    r.skipped = 'skipped: notmuch not installed';
    return r;
  }
  const dir = tmp('notmuch');
  try {
    const db = join(dir, 'db');
    mkdirSync(db);
    const cfg = join(dir, 'notmuch-config');
    // The database lives outside the mail root so the maildir copy stays untouched.
    writeFileSync(
      cfg,
      [
        '[database]', `path=${db}`, `mail_root=${maildir}`, '',
        '[user]', 'name=trove bench', 'primary_email=bench@example.invalid', '',
        '[new]', 'tags=unread;inbox;', 'ignore=', '',
        '[search]', 'exclude_tags=deleted;spam;', '',
        '[maildir]', 'synchronize_flags=true', '',
      ].join('\n'),
    );
    const env = { ...process.env, NOTMUCH_CONFIG: cfg };
    r.commands.push(`(config ${cfg}: database.path=${db}, database.mail_root=${maildir}, new.tags=unread;inbox;, maildir.synchronize_flags=true)`);
    r.commands.push(`[timed] ${cmdline({ NOTMUCH_CONFIG: cfg }, 'notmuch', ['new', '--quiet'])}`);
    const m = await runMeasured('notmuch', ['new', '--quiet'], { env, timeoutSeconds });
    r.measured = m;
    r.error = failure(m);
    const ignored = m.stderr.split('\n').filter((l) => /Ignoring non-mail file/.test(l));
    r.counts.ignoredNonMail = ignored.length;
    if (ignored.length) r.notes.push(`ignored as non-mail: ${ignored.slice(0, 5).map((l) => l.replace(/^.*file:\s*/, '').replace(maildir + '/', '')).join(', ')}${ignored.length > 5 ? ', …' : ''}`);
    const c = capture('notmuch', ['count', '--exclude=false', '*'], env);
    const f = capture('notmuch', ['count', '--exclude=false', '--output=files', '*'], env);
    r.commands.push(cmdline({ NOTMUCH_CONFIG: cfg }, 'notmuch', ['count', '--exclude=false', '*']));
    r.commands.push(cmdline({ NOTMUCH_CONFIG: cfg }, 'notmuch', ['count', '--exclude=false', '--output=files', '*']));
    r.messages = c.ok ? Number(c.stdout) : null;
    r.messagesSource = "notmuch count '*' (messages, by Message-ID)";
    r.counts.files = f.ok ? Number(f.stdout) : null;
    if (!c.ok && !r.error) r.error = `notmuch count failed: ${c.stderr}`;
    if (after && !r.error) await after({ env });
  } catch (e) {
    r.error = String(e);
  } finally {
    if (keep) r.notes.push(`database kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

export async function runMu(maildir: string, timeoutSeconds: number, keep: boolean): Promise<ToolRun> {
  const r = emptyRun('mu index');
  if (!haveCommand('mu')) {
    r.skipped = 'skipped: mu not installed';
    return r;
  }
  const dir = tmp('mu');
  try {
    const home = join(dir, 'muhome');
    const initArgs = ['init', `--muhome=${home}`, `--maildir=${maildir}`, '--quiet'];
    r.commands.push(cmdline({}, 'mu', initArgs));
    const init = capture('mu', initArgs);
    if (!init.ok) {
      r.error = `mu init failed: ${init.stderr}`;
      return r;
    }
    // Without --quiet mu prints a progress line ("checked: N; updated/new: N; cleaned-up: N")
    // to stdout, which is where its own count comes from; it is not a terminal, so it costs little.
    const args = ['index', `--muhome=${home}`];
    r.commands.push(`[timed] ${cmdline({}, 'mu', args)}`);
    const m = await runMeasured('mu', args, { timeoutSeconds });
    r.measured = m;
    r.error = failure(m);
    const all = [...(m.stdout + m.stderr).matchAll(/checked: (\d+); updated\/new: (\d+); cleaned-up: (\d+)/g)];
    const last = all[all.length - 1];
    if (last) {
      r.counts.checked = Number(last[1]);
      r.counts.updatedNew = Number(last[2]);
    }
    const f = capture('mu', ['find', `--muhome=${home}`, '--fields=l', ''], undefined);
    r.commands.push(cmdline({}, 'mu', ['find', `--muhome=${home}`, '--fields=l', '']) + ' | wc -l');
    r.counts.found = f.ok ? f.stdout.split('\n').filter(Boolean).length : null;
    const info = capture('mu', ['info', `--muhome=${home}`]);
    const inStore = /messages in store\s*\|\s*(\d+)/.exec(info.stdout);
    r.counts.inStore = inStore ? Number(inStore[1]) : null;
    if (last) {
      r.messages = Number(last[2]);
      r.messagesSource = 'mu index "updated/new"';
    } else {
      r.messages = r.counts.inStore ?? r.counts.found;
      r.messagesSource = "mu info 'messages in store'";
    }
  } catch (e) {
    r.error = String(e);
  } finally {
    if (keep) r.notes.push(`muhome kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return r;
}
