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
        if (s.index_owed) out(`${s.index_owed} documents not in the full-text index yet (an ingest is adding them, or was stopped: the next ingest, search or serve adds them; until then searches miss them)`);
        if (s.deferred_indexes) out(`${s.deferred_indexes.length} indexes deferred by a bulk ingest (running, or killed: the next ingest, search or serve builds them; until then some queries are slower)`);
        for (const e of s.errors) out(`error   ${e.code}  ${e.locator}: ${e.message}`);
        for (const e of s.skipped) out(`skipped ${e.code}  ${e.locator}: ${e.reason}`);
        for (const e of s.warnings) out(`warning ${e.code}  ${e.locator}: ${e.message}`);
        if (s.queue) out(`queue: ${s.queue.done}/${s.queue.jobs} jobs done, ${s.queue.running} running, ${s.queue.queued} queued`);
        for (const w of s.workers ?? []) out(`worker ${w.id} (${w.host} pid ${w.pid}): ${w.jobs} jobs, ${w.messages} messages, ${(w.bytes / 1e6).toFixed(1)} MB, ${w.msg_per_s} msg/s, ${w.mb_per_s} MB/s${w.current_job ? `, on job ${w.current_job}` : ''}, last seen ${w.last_seen}`);
      }),
    );
}
