/**
 * @module cli/commands/export
 * `trove export`: one JSON record per unique message (jsonl), or the raw messages as an
 * mbox (mboxrd quoting) or a folder of .eml files named by id.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { blob, exportRecords } from '../../store/queries.ts';
import { globals, openCase } from '../context.ts';
import { cliAudit } from './users.ts';

async function write(w: Writable, s: string | Uint8Array): Promise<void> {
  if (!w.write(s)) await new Promise((r) => w.once('drain', r));
}

/** mboxrd: every line matching /^>*From / gets one more '>', so readers can undo it exactly. */
function mboxrd(raw: Uint8Array): Buffer {
  const s = Buffer.from(raw).toString('latin1').replace(/^(>*From )/gm, '>$1');
  return Buffer.from(s.endsWith('\n') ? s : s + '\n', 'latin1');
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export every unique message: jsonl records (default), mbox or a folder of .eml')
    .option('--format <fmt>', 'jsonl | mbox | eml-dir', 'jsonl')
    .option('--out <file>', 'write to FILE (a folder for eml-dir) instead of stdout')
    .action(async (o: { format: string; out?: string }, cmd: Command) => {
      const g = globals(cmd);
      if (!['jsonl', 'mbox', 'eml-dir'].includes(o.format)) throw new TroveError('usage', `--format must be jsonl, mbox or eml-dir (got ${o.format})`);
      if (o.format === 'eml-dir' && !o.out) throw new TroveError('usage', '--format eml-dir needs --out DIR');
      const db = openCase(g, false);
      try {
        // in a case with users, who exported what is in the audit log (the OS user who ran it)
        cliAudit(db, 'export', o.format, { out: o.out ?? null });
        if (o.format === 'eml-dir') {
          mkdirSync(o.out!, { recursive: true });
          for (const r of exportRecords(db)) writeFileSync(join(o.out!, `${r.id}.eml`), blob(db, r.id) ?? new Uint8Array());
          return;
        }
        const w: Writable = o.out ? createWriteStream(o.out) : process.stdout;
        for (const r of exportRecords(db)) {
          if (o.format === 'jsonl') await write(w, JSON.stringify(r) + '\n');
          else {
            const d = r.date ? new Date(r.date) : new Date(0);
            await write(w, `From ${r.from[0]?.address || 'MAILER-DAEMON'} ${d.toUTCString().replace(/,/, '')}\n`);
            await write(w, mboxrd(blob(db, r.id) ?? new Uint8Array()));
            await write(w, '\n');
          }
        }
        if (o.out) await new Promise<void>((res, rej) => w.end((e?: Error | null) => (e ? rej(e) : res())));
      } finally {
        db.close();
      }
    });
}
