/**
 * @module cli/commands/keys
 * `trove keys import FILE` (and `keys list`). `keys fetch` is the only command that may touch
 * the network; it is not in this version.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseKeyArchive } from '../../auth/keys.ts';
import { TroveError } from '../../core/errors.ts';
import { importKeys, loadKeys } from '../../store/keys.ts';
import { globals, openCase, out } from '../context.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the case\'s archive of DKIM public keys');
  keys
    .command('import')
    .description('add DKIM keys: lines "<selector>._domainkey.<domain> <TXT value>" or JSON lines {name,value,first_seen,last_seen,status}')
    .argument('<file>')
    .action((file: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new TroveError('input-not-found', `cannot read ${file}: ${(e as Error).message}`);
      }
      const parsed = parseKeyArchive(text);
      const db = openCase(g, true);
      try {
        const r = importKeys(db, parsed.records);
        if (g.json) out(JSON.stringify({ ...r, errors: parsed.errors, warnings: parsed.warnings }));
        else {
          out(`${r.added} keys added, ${r.known} already in the archive, ${parsed.errors.length} lines not imported`);
          for (const e of parsed.errors) out(`${file}:${e.line}: ${e.message}`);
          for (const w of parsed.warnings) out(`${file}:${w.line}: warning: ${w.message}`);
          if (r.added) out('run `trove analyze` to re-check the messages with these keys');
        }
        if (parsed.errors.length && !parsed.records.length) process.exitCode = 1;
      } finally {
        db.close();
      }
    });
  keys
    .command('list')
    .description('the archived keys')
    .action((_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const db = openCase(g, false);
      try {
        const all = loadKeys(db);
        if (g.json) out(JSON.stringify(all));
        else for (const k of all) out(`${k.name}  ${k.status}  ${k.source}  ${k.value.slice(0, 60)}${k.value.length > 60 ? '…' : ''}`);
      } finally {
        db.close();
      }
    });
}
