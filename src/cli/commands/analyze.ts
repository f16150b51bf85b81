/**
 * @module cli/commands/analyze
 * `trove analyze`: re-run authentication over the case (after `keys import`).
 */
import type { Command } from 'commander';
import { analyzeCase } from '../../pipeline/analyze.ts';
import { out, withCase } from '../context.ts';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('re-run DKIM/ARC authentication over every message (e.g. after importing keys)')
    .action((_o: unknown, cmd: Command) =>
      withCase(cmd, false, (db, g) => {
        const s = analyzeCase(db, (d, t) => {
          if (process.stderr.isTTY) process.stderr.write(`\ranalyze ${d}/${t}`);
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (g.json) out(JSON.stringify(s));
        else out(`analyzed ${s.messages} messages in ${s.seconds.toFixed(1)} s: ${s.verdicts.verified} verified, ${s.verdicts.tampered} tampered, ${s.verdicts.unverifiable} unverifiable, ${s.verdicts.suspicious} suspicious (${s.changed} changed)`);
      }),
    );
}
