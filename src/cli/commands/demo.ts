/**
 * @module cli/commands/demo
 * `trove demo`: ingests the bundled sample dump (demo/sample-dump.zip) into a case of its
 * own, prints the accounting and a few messages, then serves the case (`trove serve`) unless
 * `--no-serve` or `--json` is given.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseKeyArchive } from '../../auth/keys.ts';
import { importKeys } from '../../store/keys.ts';
import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import { ingest } from '../../pipeline/ingest.ts';
import { exportRecords, messageBody, status } from '../../store/queries.ts';
import { CaseDb } from '../../store/sqlite.ts';
import { globals, out } from '../context.ts';
import { summaryLines } from './ingest.ts';
import { serveCase } from './serve.ts';
import { showText } from './show.ts';
import { requireSqlite } from '../main.ts';

export const SAMPLE_DUMP = fileURLToPath(new URL('../../../demo/sample-dump.zip', import.meta.url));
/** The campaign's DKIM key, "archived when the dump landed" (demo/make-sample.py). */
export const SAMPLE_KEYS = fileURLToPath(new URL('../../../demo/keys.txt', import.meta.url));

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('ingest the bundled sample dump into ./trove-demo (or --case), show what is in it, and serve it (web UI)')
    .option('--no-serve', 'only print, do not start the web UI')
    .option('--host <host>', 'address for the web UI', '127.0.0.1')
    .option('--port <port>', 'port for the web UI', '8080')
    .action(async (o: { serve: boolean; host: string; port: string }, cmd: Command) => {
      const g = globals(cmd);
      requireSqlite(g.db);
      const db = new CaseDb(g.case ?? 'trove-demo', { create: true });
      try {
        importKeys(db, parseKeyArchive(readFileSync(SAMPLE_KEYS, 'utf8')).records);
        const s = await ingest(db, [SAMPLE_DUMP], { limits: DEFAULT_LIMITS });
        const st = status(db);
        if (g.json) {
          out(JSON.stringify({ case: db.dir, ingest: s, status: st }));
          return;
        }
        out(`case: ${db.dir}`);
        for (const l of summaryLines(s)) out(l);
        out(`case totals: ${st.messages} messages, ${st.unique} unique, ${st.duplicates} duplicates, ${st.containers} containers, ${st.files} files, ${st.skipped.length} skipped, ${st.errors.length} errors`);
        let n = 0;
        for (const r of exportRecords(db)) {
          if (n++ >= 3) break;
          out('\n' + '-'.repeat(72));
          out(showText(r, messageBody(db, r.id), 600));
        }
        out(`\nnext: npx trove --case ${db.dir} status | export | show ID`);
        if (o.serve) await serveCase(db, { host: o.host, port: o.port }, false);
      } finally {
        db.close();
      }
    });
}
