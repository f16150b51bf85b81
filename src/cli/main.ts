/**
 * @module cli/main
 * Argument parsing only: each command lives in src/cli/commands/ and calls library code.
 * Records go to stdout, progress and logs to stderr. Exit 0 on success, 1 on a user error
 * (one-line reason on stderr), 2 on an internal error.
 */
import { Command, CommanderError, Option } from 'commander';
import { isTroveError, TroveError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { registerCommands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('trove')
    .description('Ingest, authenticate and search leaked email dumps')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addOption(new Option('--case <dir>', 'case folder (default: $TROVE_CASE or ./trove-case)'))
    .addOption(new Option('--db <url>', 'case database URL (postgres://… for server mode; default: SQLite in the case folder)').env('TROVE_DB'))
    .option('--json', 'machine-readable output');
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `trove export | head`: a reader that stops early is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 1;
    }
    if (isTroveError(e)) {
      process.stderr.write(`trove: ${e.message}${e.locator ? ` (${e.locator})` : ''}\n`);
      return e.exitCode;
    }
    process.stderr.write(`trove: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

/** Rejects options the current back-end cannot honour, with a clear reason. */
export function requireSqlite(db: string | undefined): void {
  if (db && !/^sqlite:/.test(db)) {
    throw new TroveError('usage', `--db ${db.split(':')[0]}: this command runs on a SQLite case folder only (--case DIR)`);
  }
}
