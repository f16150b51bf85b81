/**
 * @module cli/commands/provenance
 * `trove provenance TEXT_OR_FILE`: where a circulating quote or document stands in the case
 * (src/provenance). An existing path is read as a file (a document, or a message claimed to
 * be from the dump); anything else is the quote itself.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { basename } from 'node:path';
import { provenanceQuery, type DiffOp, type MessageComparison, type MetadataComparison, type ProvenanceResult } from '../../provenance/index.ts';
import { globals, openCase, out } from '../context.ts';

/** Equal runs longer than this many words print their first and last 10 words only. */
const LONG_EQUAL = 30;

/** source words in [-…-], quote words in {+…+}, changes as [-source-]{+quote+}; long unchanged runs elided */
export function renderDiff(ops: DiffOp[]): string {
  return ops
    .map((o) => {
      const tag = o.kind && o.kind !== 'word' ? `(${o.kind})` : '';
      if (o.op === 'equal') {
        const w = (o.quote ?? '').split(' ');
        return w.length > LONG_EQUAL ? `${w.slice(0, 10).join(' ')} … ${w.slice(-10).join(' ')}` : o.quote;
      }
      if (o.op === 'inserted') return `{+${o.quote}+}${tag}`;
      if (o.op === 'deleted') return `[-${o.source}-]${tag}`;
      return `[-${o.source}-]{+${o.quote}+}${tag}`;
    })
    .join(' ');
}

const show = (v: unknown): string => (v === null || v === undefined ? '∅' : String(v));

function metadataLines(c: MetadataComparison): string[] {
  const lines = [`  metadata:   ${c.differs.length ? `${c.differs.length} field(s) differ from the attachment's: ${c.differs.join(', ')}` : 'the same as the attachment\'s'}`];
  for (const f of c.fields) lines.push(`    ${f.same ? ' ' : '≠'} ${f.field.padEnd(18)} file: ${show(f.input)}${f.same ? '' : `  |  attachment: ${show(f.source)}`}`);
  for (const n of c.notes) lines.push(`    note: ${n}`);
  return lines;
}

function messageDiffLines(c: MessageComparison): string[] {
  const lines = [`  headers:    ${c.headers.length ? `${c.headers.length} field(s) differ from the stored message` : 'the same as the stored message'}${c.headers_reordered ? ' (in another order)' : ''}`];
  for (const h of c.headers) {
    if (h.op === 'added') lines.push(`    + ${h.name}: ${h.input}`);
    else if (h.op === 'removed') lines.push(`    - ${h.name}: ${h.source}`);
    else lines.push(`    ~ ${h.name}: ${h.source}  →  ${h.input}${h.whitespace_only ? ' (spacing only)' : ''}`);
  }
  lines.push(`  body:       ${c.body_identical ? 'identical' : `similarity ${c.body_similarity.toFixed(3)}`}`);
  for (const a of c.attachments.added) lines.push(`    + attachment ${a.filename ?? '(unnamed)'} ${a.sha256}`);
  for (const a of c.attachments.removed) lines.push(`    - attachment ${a.filename ?? '(unnamed)'} ${a.sha256}`);
  return lines;
}

export function provenanceText(r: ProvenanceResult): string {
  const lines = [r.found ? `FOUND in the case (threshold ${r.threshold})` : `NOT FOUND: no message reaches the threshold ${r.threshold}`];
  if (r.input.kind === 'file') {
    lines.push(`input: ${r.input.name ?? 'file'} (${r.input.format ?? 'file'}, ${r.input.words} words, sha256 ${r.input.sha256})`);
    if (r.input.note) lines.push(`  note: ${r.input.note}`);
  }
  for (const [i, m] of r.matches.entries()) {
    const how = m.exact ? ` (exact ${m.exact}${m.attachment ? ` ${m.attachment.filename ?? '#' + m.attachment.idx}` : ''})` : m.matched_by === 'message-id' ? ' (same Message-ID)' : m.attachment ? ` (attachment ${m.attachment.filename ?? '#' + m.attachment.idx})` : '';
    lines.push('', `#${i + 1} similarity ${m.similarity.toFixed(3)}${m.match ? ' MATCH' : ''}${how}`);
    lines.push(`  id:         ${m.id}`, `  message-id: ${m.message_id ?? '(none)'}`, `  locator:    ${m.locator ?? '(none)'}`, `  date:       ${m.date ?? '(none)'}`, `  subject:    ${m.subject ?? ''}`, `  verdict:    ${m.verdict ?? '(not analysed)'}`);
    // Below the threshold the diff is mostly noise: the passage says what came closest (--json has it all).
    if (m.passage) lines.push(`  passage:    ${m.match || m.passage.length <= 300 ? m.passage : m.passage.slice(0, 300) + ' …'}`);
    if (m.diff.length && m.match) lines.push(`  diff:       ${renderDiff(m.diff)}`);
    if (m.match) for (const c of [...m.changes.numbers, ...m.changes.names]) lines.push(`  ${c.kind} ${c.op}: ${c.source ?? '∅'} → ${c.quote ?? '∅'}`);
    if (m.message_diff) lines.push(...messageDiffLines(m.message_diff));
    if (m.metadata) lines.push(...metadataLines(m.metadata));
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
      const db = openCase(g, false);
      try {
        const r = await provenanceQuery(db, isFile ? { file: { name: basename(arg), bytes: readFileSync(arg) } } : { text: arg }, { limit });
        out(g.json ? JSON.stringify(r) : provenanceText(r));
      } finally {
        db.close();
      }
    });
}
