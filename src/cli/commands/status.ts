/**
 * @module cli/commands/status
 * `trove status`: the accounting of every input item.
 */
import type { Command } from 'commander';
import { status } from '../../store/queries.ts';
import { out, withCase } from '../context.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what the case holds: messages, containers, files, skips and errors with their locators')
    .action((_o: unknown, cmd: Command) =>
      withCase(cmd, false, (db, g) => {
        const s = status(db);
        if (g.json) {
          out(JSON.stringify(s));
          return;
        }
        out(`${s.messages} messages (${s.unique} unique, ${s.duplicates} duplicates), ${s.containers} containers, ${s.files} other files, ${s.skipped.length} skipped, ${s.errors.length} errors, ${s.parse_errors} stored unparsed`);
        if (s.incomplete.length) out(`unfinished (run the same ingest again to resume): ${s.incomplete.join(', ')}`);
        for (const e of s.errors) out(`error   ${e.code}  ${e.locator}: ${e.message}`);
        for (const e of s.skipped) out(`skipped ${e.code}  ${e.locator}: ${e.reason}`);
        for (const e of s.warnings) out(`warning ${e.code}  ${e.locator}: ${e.message}`);
      }),
    );
}
