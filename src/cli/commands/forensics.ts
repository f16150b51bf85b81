/**
 * @module cli/commands/forensics
 * `trove forensics run`: re-run the forensic pass alone (it also runs at the end of ingest
 * and analyze). `trove forensics summary`: authors, companies, software and devices found in
 * the case's attachments, with first/last seen.
 */
import type { Command } from 'commander';
import { forensicsSummary, runForensics, type MetadataSummary } from '../../forensics/index.ts';
import { out, withCase } from '../context.ts';

function table(title: string, rows: MetadataSummary['authors']): string {
  if (!rows.length) return `${title}: none`;
  const lines = rows.map((r) => `  ${r.value}${r.script && r.script !== 'Latin' ? ` [${r.script}]` : ''}  ${r.files} file(s), ${r.messages} message(s), ${r.first_seen?.slice(0, 10) ?? '?'} .. ${r.last_seen?.slice(0, 10) ?? '?'}`);
  return `${title}:\n${lines.join('\n')}`;
}

export function registerForensics(program: Command): void {
  const cmd = program.command('forensics').description('forensic checks that signatures cannot settle (dates, duplicates, attachment metadata)');
  cmd
    .command('run')
    .description('re-run the forensic pass over every message')
    .action((_o: unknown, c: Command) =>
      withCase(c, false, (db, g) => {
        const s = runForensics(db);
        if (g.json) out(JSON.stringify(s));
        else out(`forensics over ${s.messages} messages in ${s.seconds.toFixed(1)} s: ${s.suspicious} suspicious; ${Object.entries(s.flagged).map(([k, v]) => `${k} ${v}`).join(', ') || 'no findings'}`);
      }),
    );
  cmd
    .command('summary')
    .description('authors, companies, software and devices in the attachments, with first/last seen')
    .action((_o: unknown, c: Command) =>
      withCase(c, false, (db, g) => {
        const s = forensicsSummary(db);
        if (g.json) out(JSON.stringify(s));
        else out([table('authors', s.authors), table('companies', s.companies), table('software', s.software), table('devices', s.devices)].join('\n'));
      }),
    );
}
