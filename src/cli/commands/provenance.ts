/**
 * @module cli/commands/provenance
 * `trove provenance TEXT_OR_FILE`: where a circulating quote or document stands in the case
 * (src/provenance). An existing path is read as a file; anything else is the quote itself.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { fileText, provenanceOfFile, provenanceOfText, type DiffOp, type ProvenanceResult } from '../../provenance/index.ts';
import { globals, openCase, out } from '../context.ts';

/** source words in [-…-], quote words in {+…+}, changes as [-source-]{+quote+} */
export function renderDiff(ops: DiffOp[]): string {
  return ops
    .map((o) => {
      const tag = o.kind && o.kind !== 'word' ? `(${o.kind})` : '';
      if (o.op === 'equal') return o.quote;
      if (o.op === 'inserted') return `{+${o.quote}+}${tag}`;
      if (o.op === 'deleted') return `[-${o.source}-]${tag}`;
      return `[-${o.source}-]{+${o.quote}+}${tag}`;
    })
    .join(' ');
}

export function provenanceText(r: ProvenanceResult): string {
  const lines = [r.found ? `FOUND in the case (threshold ${r.threshold})` : `NOT FOUND: no message reaches the threshold ${r.threshold}`];
  for (const [i, m] of r.matches.entries()) {
    lines.push('', `#${i + 1} similarity ${m.similarity.toFixed(3)}${m.match ? ' MATCH' : ''}${m.exact ? ` (exact ${m.exact}${m.attachment ? ` ${m.attachment.filename ?? '#' + m.attachment.idx}` : ''})` : ''}`);
    lines.push(`  id:         ${m.id}`, `  message-id: ${m.message_id ?? '(none)'}`, `  locator:    ${m.locator ?? '(none)'}`, `  date:       ${m.date ?? '(none)'}`, `  subject:    ${m.subject ?? ''}`, `  verdict:    ${m.verdict ?? '(not analysed)'}`);
    if (m.passage) lines.push(`  passage:    ${m.passage}`);
    if (m.diff.length) lines.push(`  diff:       ${renderDiff(m.diff)}`);
    for (const c of [...m.changes.numbers, ...m.changes.names]) lines.push(`  ${c.kind} ${c.op}: ${c.source ?? '∅'} → ${c.quote ?? '∅'}`);
  }
  return lines.join('\n');
}

export function registerProvenance(program: Command): void {
  program
    .command('provenance')
    .description('find where a circulating quote or document stands in the case: closest messages, similarity and a word-level diff')
    .argument('<text-or-file>')
    .option('--limit <n>', 'matches to show', '5')
    .action(async (arg: string, o: { limit: string }, cmd: Command) => {
      const g = globals(cmd);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new TroveError('usage', '--limit must be an integer from 1 to 100');
      const isFile = arg.length < 4096 && !arg.includes('\n') && existsSync(arg) && statSync(arg).isFile();
      if (!isFile && !arg.trim()) throw new TroveError('usage', 'give a quote or a file');
      const bytes = isFile ? readFileSync(arg) : null;
      const text = bytes ? await fileText(bytes) : arg;
      const db = openCase(g, false);
      try {
        const r = bytes ? provenanceOfFile(db, bytes, text, { limit }) : provenanceOfText(db, text, { limit });
        out(g.json ? JSON.stringify(r) : provenanceText(r));
      } finally {
        db.close();
      }
    });
}
